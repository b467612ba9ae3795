use chrono::NaiveDate;
use thiserror::Error;

use crate::error::{Coded, ErrorCode};

/// Why a policy or calendar could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    #[error("unknown policy preset `{name}`; known presets: {known}")]
    UnknownPreset { name: String, known: String },
    #[error("policy file {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("invalid policy TOML: {message}")]
    Syntax { message: String },
    #[error("limit `{field}` is negative ({value}); limits must be zero or more")]
    NegativeLimit { field: String, value: i64 },
    #[error("limit `{field}` must give exactly one of `hours` or `working_days`")]
    AmbiguousLimit { field: String },
    #[error("calendar entry #{index} has no `year`")]
    MissingYear { index: usize },
    #[error("calendar year {year} appears more than once")]
    DuplicateYear { year: i32 },
    #[error("calendar year {year}: {date} is not a date of that year")]
    DateOutsideYear { year: i32, date: String },
    #[error("calendar year {year}: {date} is listed both as a holiday and as a working day")]
    HolidayAndWorkday { year: i32, date: NaiveDate },
    #[error(
        "{date} is outside the known holiday calendar (years {known}); load that year's calendar"
    )]
    OutsideCalendar { date: NaiveDate, known: String },
    #[error("the deadline falls beyond the supported date range")]
    OutOfRange,
}

impl Coded for PolicyError {
    fn code(&self) -> ErrorCode {
        match self {
            PolicyError::UnknownPreset { .. } => ErrorCode::PolicyUnknownPreset,
            PolicyError::Unreadable { .. } => ErrorCode::PolicyUnreadable,
            PolicyError::Syntax { .. } => ErrorCode::PolicySyntax,
            PolicyError::NegativeLimit { .. } => ErrorCode::PolicyNegativeLimit,
            PolicyError::AmbiguousLimit { .. } => ErrorCode::PolicyAmbiguousLimit,
            PolicyError::MissingYear { .. } => ErrorCode::CalendarMissingYear,
            PolicyError::DuplicateYear { .. } => ErrorCode::CalendarDuplicateYear,
            PolicyError::DateOutsideYear { .. } => ErrorCode::CalendarDateOutsideYear,
            PolicyError::HolidayAndWorkday { .. } => ErrorCode::CalendarHolidayAndWorkday,
            PolicyError::OutsideCalendar { .. } => ErrorCode::CalendarUnknownDate,
            PolicyError::OutOfRange => ErrorCode::CalendarOutOfRange,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            PolicyError::UnknownPreset { name, known } => {
                format!("未知的政策预设“{name}”；可用预设：{known}")
            }
            PolicyError::Unreadable { path, message } => {
                format!("无法读取政策文件 {path}：{message}")
            }
            PolicyError::Syntax { message } => format!("政策文件格式错误：{message}"),
            PolicyError::NegativeLimit { field, value } => {
                format!("时限“{field}”为负数（{value}），时限不能小于零")
            }
            PolicyError::AmbiguousLimit { field } => {
                format!("时限“{field}”必须且只能填写 hours 或 working_days 之一")
            }
            PolicyError::MissingYear { index } => {
                format!("节假日日历第 {index} 项缺少年份（year）")
            }
            PolicyError::DuplicateYear { year } => format!("节假日日历中 {year} 年重复出现"),
            PolicyError::DateOutsideYear { year, date } => {
                format!("节假日日历 {year} 年：{date} 不是该年份的日期")
            }
            PolicyError::HolidayAndWorkday { year, date } => {
                format!("节假日日历 {year} 年：{date} 同时被列为假日和调休上班日")
            }
            PolicyError::OutsideCalendar { date, known } => {
                format!("{date} 不在已知节假日日历范围内（已知年份：{known}），请先导入该年度日历")
            }
            PolicyError::OutOfRange => "期限超出可计算的日期范围".to_string(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}
