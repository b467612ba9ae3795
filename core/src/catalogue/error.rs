use thiserror::Error;

use crate::error::{Coded, ErrorCode};

/// Why a category tree or dispatch catalogue file, a signed catalogue, or what an intake or a
/// dispatch says of a category could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogueError {
    #[error("catalogue file is not valid TOML or has an unknown field: {message}")]
    Syntax { message: String },
    #[error("category `{code}`: the code must be 1 to 32 letters, digits, `-`, `_` or `.`")]
    BadCode { code: String },
    #[error("category `{code}` appears more than once")]
    DuplicateCode { code: String },
    #[error("category `{code}` names a parent `{parent}` that is not in the tree")]
    UnknownParent { code: String, parent: String },
    #[error("category `{code}` is its own ancestor (a cycle in the tree)")]
    Cycle { code: String },
    #[error("category `{code}` allows an unknown request kind `{kind}`")]
    UnknownKind { code: String, kind: String },
    #[error("category `{code}`: a name in Chinese and in English is required")]
    MissingName { code: String },
    #[error(
        "category `{code}`, attribute `{attribute}`: unknown type `{datatype}` (string, number, datetime, text, singlevaluelist or multivaluelist)"
    )]
    UnknownAttributeType {
        code: String,
        attribute: String,
        datatype: String,
    },
    #[error("category `{code}`, attribute `{attribute}`: {problem}")]
    BadAttributeDefinition {
        code: String,
        attribute: String,
        problem: String,
    },
    #[error("unit `{unit}`: unknown unit class `{class}` (township, department, center or other)")]
    UnknownUnitClass { unit: String, class: String },
    #[error("dispatch entry #{index} names an unknown category `{category}`")]
    DispatchUnknownCategory { index: usize, category: String },
    #[error("dispatch entry #{index}: {problem}")]
    BadDispatchEntry { index: usize, problem: String },
    #[error("dispatch entries for category `{category}` in division `{division}` appear twice")]
    DuplicateDispatchEntry { category: String, division: String },
    #[error(
        "category `{category}` is a functional department's matter and may not go to township unit `{unit}`"
    )]
    FunctionalMatterToTownship { category: String, unit: String },
    #[error("unknown category `{code}` in catalogue version {version}")]
    UnknownCategory { code: String, version: u64 },
    #[error("category `{code}` does not take requests of kind `{kind}`")]
    KindNotAllowed { code: String, kind: String },
    #[error("category `{code}` has no attribute `{attribute}`")]
    UnknownAttribute { code: String, attribute: String },
    #[error("category `{code}` requires attribute `{attribute}`")]
    MissingAttribute { code: String, attribute: String },
    #[error("attribute `{attribute}`: {problem}")]
    BadAttributeValue { attribute: String, problem: String },
    #[error("attributes were given without a category")]
    AttributesWithoutCategory,
    #[error("catalogue version {version} is not known here")]
    UnknownVersion { version: u64 },
    #[error("no catalogue has been issued to this device yet")]
    NoCatalogue,
    #[error("catalogue version {version}: the city root's signature does not verify")]
    BadSignature { version: u64 },
    #[error("signed catalogue version {version} does not hold a valid catalogue: {message}")]
    Undecodable { version: u64, message: String },
    #[error(
        "the catalogue proposes lead unit {proposed} for this order; dispatching to {chosen} instead needs a reason"
    )]
    OverrideNeedsReason { proposed: String, chosen: String },
    #[error("the catalogue has no unit for this order's category and place: give the lead unit")]
    NoProposal,
}

impl Coded for CatalogueError {
    fn code(&self) -> ErrorCode {
        use CatalogueError as E;
        match self {
            E::Syntax { .. } => ErrorCode::CatalogueSyntax,
            E::BadCode { .. } => ErrorCode::CategoryBadCode,
            E::DuplicateCode { .. } => ErrorCode::CategoryDuplicateCode,
            E::UnknownParent { .. } => ErrorCode::CategoryUnknownParent,
            E::Cycle { .. } => ErrorCode::CategoryCycle,
            E::UnknownKind { .. } => ErrorCode::CategoryUnknownKind,
            E::MissingName { .. } => ErrorCode::CategoryMissingName,
            E::UnknownAttributeType { .. } => ErrorCode::AttributeUnknownType,
            E::BadAttributeDefinition { .. } => ErrorCode::AttributeBadDefinition,
            E::UnknownUnitClass { .. } => ErrorCode::CatalogueUnknownUnitClass,
            E::DispatchUnknownCategory { .. } => ErrorCode::DispatchEntryUnknownCategory,
            E::BadDispatchEntry { .. } => ErrorCode::DispatchEntryInvalid,
            E::DuplicateDispatchEntry { .. } => ErrorCode::DispatchEntryDuplicate,
            E::FunctionalMatterToTownship { .. } => ErrorCode::FunctionalMatterToTownship,
            E::UnknownCategory { .. } => ErrorCode::CategoryUnknown,
            E::KindNotAllowed { .. } => ErrorCode::CategoryKindNotAllowed,
            E::UnknownAttribute { .. } => ErrorCode::AttributeUnknown,
            E::MissingAttribute { .. } => ErrorCode::AttributeMissing,
            E::BadAttributeValue { .. } => ErrorCode::AttributeBadValue,
            E::AttributesWithoutCategory => ErrorCode::AttributesWithoutCategory,
            E::UnknownVersion { .. } => ErrorCode::CatalogueVersionUnknown,
            E::NoCatalogue => ErrorCode::CatalogueNone,
            E::BadSignature { .. } => ErrorCode::CatalogueBadSignature,
            E::Undecodable { .. } => ErrorCode::CatalogueUndecodable,
            E::OverrideNeedsReason { .. } => ErrorCode::DispatchOverrideNeedsReason,
            E::NoProposal => ErrorCode::DispatchNoProposal,
        }
    }

    fn message_zh(&self) -> String {
        use CatalogueError as E;
        match self {
            E::Syntax { message } => format!("目录文件不是有效的 TOML 或含未知字段：{message}"),
            E::BadCode { code } => {
                format!("分类“{code}”：编码须为 1 至 32 个字母、数字或 - _ . 字符")
            }
            E::DuplicateCode { code } => format!("分类编码“{code}”重复出现"),
            E::UnknownParent { code, parent } => {
                format!("分类“{code}”的上级分类“{parent}”不在分类树中")
            }
            E::Cycle { code } => format!("分类“{code}”成为自己的上级（分类树中有环）"),
            E::UnknownKind { code, kind } => format!("分类“{code}”列出了未知的诉求类型“{kind}”"),
            E::MissingName { code } => format!("分类“{code}”须有中文和英文名称"),
            E::UnknownAttributeType {
                code,
                attribute,
                datatype,
            } => format!(
                "分类“{code}”的属性“{attribute}”类型“{datatype}”未知（可用：string、number、datetime、text、singlevaluelist、multivaluelist）"
            ),
            E::BadAttributeDefinition {
                code,
                attribute,
                problem,
            } => format!("分类“{code}”的属性“{attribute}”定义有误：{problem}"),
            E::UnknownUnitClass { unit, class } => format!(
                "单位“{unit}”的类别“{class}”未知（可用：township 乡镇街道、department 职能部门、center 热线中心、other 其他）"
            ),
            E::DispatchUnknownCategory { index, category } => {
                format!("派单目录第 {index} 条引用了未知分类“{category}”")
            }
            E::BadDispatchEntry { index, problem } => {
                format!("派单目录第 {index} 条有误：{problem}")
            }
            E::DuplicateDispatchEntry { category, division } => {
                format!("派单目录中分类“{category}”在区划“{division}”的条目重复")
            }
            E::FunctionalMatterToTownship { category, unit } => {
                format!("分类“{category}”属职能部门事项，不得派往乡镇（街道）单位“{unit}”")
            }
            E::UnknownCategory { code, version } => {
                format!("第 {version} 版目录中没有分类“{code}”")
            }
            E::KindNotAllowed { code, kind } => {
                format!("分类“{code}”不受理“{kind}”类诉求")
            }
            E::UnknownAttribute { code, attribute } => {
                format!("分类“{code}”没有属性“{attribute}”")
            }
            E::MissingAttribute { code, attribute } => {
                format!("分类“{code}”须填写属性“{attribute}”")
            }
            E::BadAttributeValue { attribute, problem } => {
                format!("属性“{attribute}”的值有误：{problem}")
            }
            E::AttributesWithoutCategory => "填写了事项属性却未选择事项分类".to_string(),
            E::UnknownVersion { version } => format!("本机没有第 {version} 版目录"),
            E::NoCatalogue => "本机尚未收到任何事项分类与派单目录".to_string(),
            E::BadSignature { version } => format!("第 {version} 版目录的市级根签名验证失败"),
            E::Undecodable { version, message } => {
                format!("已签名的第 {version} 版目录内容无效：{message}")
            }
            E::OverrideNeedsReason { proposed, chosen } => {
                format!("派单目录建议主办单位为 {proposed}；改派 {chosen} 须说明理由")
            }
            E::NoProposal => "派单目录中没有此分类与区划对应的单位，请指定主办单位".to_string(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}
