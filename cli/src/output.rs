//! How the CLI reports: JSON or bilingual text on stdout, errors on stderr.

use hotline_core::Coded;
use hotline_core::error::ErrorCode;
use serde::Serialize;

/// An error as the CLI shows it: the core's stable code and both messages.
#[derive(Debug, Serialize)]
pub struct CliError {
    pub code: ErrorCode,
    pub message_zh: String,
    pub message_en: String,
}

impl CliError {
    pub fn new(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    pub fn print(&self, json: bool) {
        if json {
            let text = serde_json::to_string(&serde_json::json!({ "error": self }))
                .unwrap_or_else(|_| format!("{{\"error\":{{\"code\":\"{}\"}}}}", self.code));
            eprintln!("{text}");
        } else {
            eprintln!("错误 [{}]：{}", self.code, self.message_zh);
            eprintln!("error [{}]: {}", self.code, self.message_en);
        }
    }
}

impl<E: Coded> From<E> for CliError {
    fn from(e: E) -> Self {
        Self::new(e.code(), e.message_zh(), e.message_en())
    }
}

pub fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        CliError::new(
            ErrorCode::Output,
            format!("无法输出 JSON：{e}"),
            format!("cannot print JSON: {e}"),
        )
    })?;
    println!("{text}");
    Ok(())
}
