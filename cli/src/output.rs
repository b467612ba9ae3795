//! How the CLI reports: JSON or bilingual text on stdout, errors on stderr.
//!
//! Everything goes to stdout through [`outln!`]: when the reader has gone away (`hotline show
//! … | head`), the command stops quietly like any Unix tool instead of panicking on the closed
//! pipe.

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

/// Writes one line to stdout; a closed pipe ends the command quietly (exit 0), any other
/// failure to write is reported on stderr with exit 1.
pub fn write_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        CliError::new(
            ErrorCode::Output,
            format!("无法写出结果：{e}"),
            format!("cannot write the output: {e}"),
        )
        .print(false);
        std::process::exit(1);
    }
}

/// `println!` for the CLI's output: see [`write_line`].
#[macro_export]
macro_rules! outln {
    () => {
        $crate::output::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}

pub fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        CliError::new(
            ErrorCode::Output,
            format!("无法输出 JSON：{e}"),
            format!("cannot print JSON: {e}"),
        )
    })?;
    crate::outln!("{text}");
    Ok(())
}
