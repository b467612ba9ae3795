//! Receipt codes (查询码) a citizen keeps to look up their request, e.g. `7KQ4-M9XR-2TAB`.
//!
//! * 12 characters in three groups of four: 11 random characters and one check character.
//! * Alphabet of 31 characters: digits 2–9 and letters without I, L and O, so nothing can be
//!   read as 0/O or 1/I/L. That 31 is prime is what makes the check below work.
//! * 11 characters drawn uniformly (rejection sampling, no modulo bias) from a
//!   cryptographic RNG: 11 × log2(31) ≈ 54.5 bits, so codes cannot be guessed to read other
//!   people's requests.
//! * Check character: with the values v₁…v₁₂ of the characters (check last) and weights
//!   12, 11, …, 1, the weighted sum is 0 mod 31. Changing one character changes the sum by
//!   w·d with 0 < w < 31 and 0 < |d| < 31, never a multiple of the prime 31; swapping two
//!   characters changes it by (wᵢ − wⱼ)·d, again never a multiple of 31 because all weights
//!   differ. So every single typo and every transposition (adjacent or not) is detected —
//!   the same idea as the ISBN-10 check mod 11.
//! * Parsing ignores case, spaces, dashes and full-width forms (Chinese input methods type
//!   `７ＫＱ４－…`), and never panics.

use rand_core::{CryptoRng, RngCore};
use thiserror::Error;

use crate::error::{Coded, ErrorCode};
use crate::model::ReceiptCode;

/// The characters of a receipt code, in value order.
pub const ALPHABET: &str = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Random characters in a code.
pub const RANDOM_CHARS: usize = 11;
/// Characters in a code, check character included (separators not counted).
pub const CODE_CHARS: usize = RANDOM_CHARS + 1;
/// Characters per group when written.
pub const GROUP_LEN: usize = 4;

const BASE: u32 = 31;
const SYMBOLS: &[u8; BASE as usize] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Largest multiple of 31 that fits in a byte: bytes at or above it are redrawn.
const REJECT_FROM: u8 = (256 / BASE * BASE) as u8;

/// Why a typed-in receipt code is not a valid one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReceiptError {
    #[error("a receipt code has {expected} characters, this one has {found}")]
    BadLength { found: usize, expected: usize },
    /// `position` counts from 1 and skips spaces and dashes.
    #[error(
        "character {position} (`{character}`) is not used in receipt codes (they contain no 0, O, 1, I or L)"
    )]
    BadCharacter { character: char, position: usize },
    #[error("this receipt code contains a typing error: please check it again")]
    BadCheck,
}

impl Coded for ReceiptError {
    fn code(&self) -> ErrorCode {
        match self {
            ReceiptError::BadLength { .. } => ErrorCode::ReceiptBadLength,
            ReceiptError::BadCharacter { .. } => ErrorCode::ReceiptBadCharacter,
            ReceiptError::BadCheck => ErrorCode::ReceiptBadCheck,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            ReceiptError::BadLength { found, expected } => {
                format!("查询码应为 {expected} 位，您输入了 {found} 位")
            }
            ReceiptError::BadCharacter {
                character,
                position,
            } => format!(
                "第 {position} 位字符“{character}”不会出现在查询码中（查询码不含 0、O、1、I、L）"
            ),
            ReceiptError::BadCheck => "查询码有输入错误，请核对后重新输入".to_string(),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// A new random receipt code, written in groups (`XXXX-XXXX-XXXX`).
pub fn generate<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> ReceiptCode {
    let mut values = [0u8; CODE_CHARS];
    for slot in values.iter_mut().take(RANDOM_CHARS) {
        *slot = uniform_value(rng);
    }
    values[RANDOM_CHARS] = check_value(&values[..RANDOM_CHARS]);
    ReceiptCode(format_code(&values))
}

/// Reads a code as a citizen typed it and returns it in its written form.
pub fn parse(input: &str) -> Result<ReceiptCode, ReceiptError> {
    let mut values = [0u8; CODE_CHARS];
    let mut count = 0usize;
    for c in input.chars().map(narrow) {
        if c.is_whitespace() || is_dash(c) {
            continue;
        }
        let upper = c.to_ascii_uppercase();
        let value = SYMBOLS.iter().position(|&s| char::from(s) == upper).ok_or(
            ReceiptError::BadCharacter {
                character: c,
                position: count + 1,
            },
        )?;
        if let Some(slot) = values.get_mut(count) {
            // `position` is below 31, so it fits.
            *slot = value as u8;
        }
        count += 1;
    }
    if count != CODE_CHARS {
        return Err(ReceiptError::BadLength {
            found: count,
            expected: CODE_CHARS,
        });
    }
    if weighted_sum(&values) != 0 {
        return Err(ReceiptError::BadCheck);
    }
    Ok(ReceiptCode(format_code(&values)))
}

fn uniform_value<R: RngCore + ?Sized>(rng: &mut R) -> u8 {
    let mut byte = [0u8; 1];
    loop {
        rng.fill_bytes(&mut byte);
        if byte[0] < REJECT_FROM {
            return byte[0] % BASE as u8;
        }
    }
}

/// Weight of the character at `index` in a full code: 12 for the first, 1 for the check.
fn weight(index: usize) -> u32 {
    (CODE_CHARS - index) as u32
}

fn weighted_sum(values: &[u8]) -> u32 {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| weight(i) * u32::from(v))
        .sum::<u32>()
        % BASE
}

/// The check has weight 1, so it is simply what brings the sum to 0 mod 31.
fn check_value(data: &[u8]) -> u8 {
    ((BASE - weighted_sum(data)) % BASE) as u8
}

fn format_code(values: &[u8; CODE_CHARS]) -> String {
    let mut out = String::with_capacity(CODE_CHARS + CODE_CHARS / GROUP_LEN);
    for (i, &v) in values.iter().enumerate() {
        if i > 0 && i % GROUP_LEN == 0 {
            out.push('-');
        }
        out.push(char::from(SYMBOLS[usize::from(v) % SYMBOLS.len()]));
    }
    out
}

/// Full-width ASCII (U+FF01–U+FF5E), as typed by Chinese input methods, to plain ASCII.
fn narrow(c: char) -> char {
    match u32::from(c) {
        cp @ 0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−')
}
