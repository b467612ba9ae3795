//! What every error of the core shares: a stable machine code and a message in Chinese and English.

/// Implemented by every error type of the core. Codes never change once shipped: apps and the
/// hub match on them; the messages are for people.
pub trait Coded {
    /// Stable snake_case code, e.g. `wrong_role`.
    fn code(&self) -> &'static str;
    /// The message shown to people, in Chinese.
    fn message_zh(&self) -> String;
    /// The same message in English (what `Display` prints).
    fn message_en(&self) -> String;
}
