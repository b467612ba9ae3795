//! Telling the day as it happens: one bilingual line per step (or one JSON object at the end).

use chrono::{DateTime, Utc};
use hotline_core::error::ErrorCode;
use hotline_core::policy::to_local;
use serde::Serialize;

use super::cast::Member;

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub at: String,
    pub who: String,
    pub role: String,
    pub zh: String,
    pub en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<ErrorCode>,
}

pub struct Narrator {
    pub json: bool,
    pub lines: Vec<Line>,
}

impl Narrator {
    pub fn new(json: bool) -> Self {
        Self {
            json,
            lines: Vec::new(),
        }
    }

    fn push(
        &mut self,
        t: DateTime<Utc>,
        m: &Member,
        zh: &str,
        en: &str,
        refused: Option<ErrorCode>,
    ) {
        let line = Line {
            at: to_local(t).format("%m-%d %H:%M").to_string(),
            who: m.name.to_string(),
            role: m.role.zh().to_string(),
            zh: zh.to_string(),
            en: en.to_string(),
            refused,
        };
        if !self.json {
            let mark = if refused.is_some() { "✗" } else { "·" };
            crate::outln!("{} {mark} {}：{}", line.at, line.who, line.zh);
            crate::outln!(
                "{}   {} ({})",
                " ".repeat(line.at.len()),
                line.en,
                m.role.as_str()
            );
        }
        self.lines.push(line);
    }

    pub fn step(&mut self, t: DateTime<Utc>, m: &Member, zh: &str, en: &str) {
        self.push(t, m, zh, en, None);
    }

    pub fn refused(&mut self, t: DateTime<Utc>, m: &Member, code: ErrorCode, zh: &str, en: &str) {
        self.push(
            t,
            m,
            &format!("{zh} [{code}]"),
            &format!("{en} [{code}]"),
            Some(code),
        );
    }

    /// Sync lines are short and only shown when something moved.
    pub fn synced(&mut self, t: DateTime<Utc>, m: &Member, pushed: u64, pulled: u64) {
        if pushed + pulled > 0 {
            self.step(
                t,
                m,
                &format!("与市级平台同步：上传 {pushed} 条，下载 {pulled} 条"),
                &format!("synced with the city hub: {pushed} up, {pulled} down"),
            );
        }
    }
}
