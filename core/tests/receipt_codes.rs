use std::collections::BTreeSet;

use hotline_core::Coded;
use hotline_core::model::ReceiptCode;
use hotline_core::receipt::{
    ALPHABET, CODE_CHARS, GROUP_LEN, RANDOM_CHARS, ReceiptError, generate, parse,
};
use proptest::prelude::*;
use rand_core::{CryptoRng, Error, OsRng, RngCore};

/// SplitMix64: a seeded, reproducible stand-in for the OS RNG. It is *not* cryptographic;
/// the `CryptoRng` marker is only so tests can drive `generate` deterministically.
struct SeededRng(u64);

impl RngCore for SeededRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for SeededRng {}

fn chars_of(code: &ReceiptCode) -> Vec<char> {
    code.0.chars().filter(|&c| c != '-').collect()
}

fn with_chars(chars: &[char]) -> String {
    chars.iter().collect()
}

#[test]
fn alphabet_has_no_look_alikes_and_is_prime_sized() {
    for c in ['0', 'O', '1', 'I', 'L'] {
        assert!(!ALPHABET.contains(c), "{c}");
    }
    assert_eq!(ALPHABET.len(), 31);
    let distinct: BTreeSet<char> = ALPHABET.chars().collect();
    assert_eq!(distinct.len(), 31);
}

#[test]
fn length_grouping_and_entropy_are_as_documented() {
    let code = generate(&mut OsRng);
    assert_eq!(CODE_CHARS, 12);
    assert_eq!(RANDOM_CHARS, 11);
    assert_eq!(code.0.len(), 14, "{code}");
    let groups: Vec<&str> = code.0.split('-').collect();
    assert_eq!(groups.len(), 3);
    assert!(groups.iter().all(|g| g.len() == GROUP_LEN));
    let bits = RANDOM_CHARS as f64 * (ALPHABET.len() as f64).log2();
    assert!(bits >= 50.0, "{bits}");
    assert!((bits - 54.5).abs() < 0.1, "{bits}");
}

#[test]
fn generated_codes_use_every_character_and_do_not_repeat() {
    let mut rng = SeededRng(42);
    let mut seen_chars = BTreeSet::new();
    let mut seen_codes = BTreeSet::new();
    let mut counts = [0usize; 31];
    for _ in 0..20_000 {
        let code = generate(&mut rng);
        let chars = chars_of(&code);
        for &c in &chars[..RANDOM_CHARS] {
            counts[ALPHABET.find(c).unwrap()] += 1;
        }
        seen_chars.extend(chars);
        assert!(seen_codes.insert(code));
    }
    assert_eq!(seen_chars.len(), 31);
    // 220,000 draws, 31 values: each ≈ 7,097; a biased sampler would be far off.
    let expected = 20_000.0 * RANDOM_CHARS as f64 / 31.0;
    for (i, &n) in counts.iter().enumerate() {
        let off = (n as f64 - expected).abs() / expected;
        assert!(off < 0.05, "value {i}: {n} vs {expected}");
    }
}

#[test]
fn seeded_generation_is_reproducible() {
    assert_eq!(generate(&mut SeededRng(7)), generate(&mut SeededRng(7)));
    assert_ne!(generate(&mut SeededRng(7)), generate(&mut SeededRng(8)));
}

#[test]
fn typed_errors_for_bad_input() {
    let code = generate(&mut SeededRng(1));
    let plain = with_chars(&chars_of(&code));

    let err = parse(&plain[..11]).unwrap_err();
    assert_eq!(
        err,
        ReceiptError::BadLength {
            found: 11,
            expected: 12
        }
    );
    assert_eq!(err.code().as_str(), "receipt_bad_length");
    assert_eq!(parse("").unwrap_err().code().as_str(), "receipt_bad_length");
    assert_eq!(
        parse(" - - ").unwrap_err().code().as_str(),
        "receipt_bad_length"
    );
    assert_eq!(
        parse(&format!("{plain}2")).unwrap_err().code().as_str(),
        "receipt_bad_length"
    );

    for bad in ['0', 'O', 'o', '1', 'I', 'i', 'L', 'l', '#', '码', '\u{0}'] {
        let mut chars = chars_of(&code);
        chars[4] = bad;
        let err = parse(&with_chars(&chars)).unwrap_err();
        assert_eq!(
            err,
            ReceiptError::BadCharacter {
                character: bad,
                position: 5
            }
        );
        assert_eq!(err.code().as_str(), "receipt_bad_character");
        assert!(!err.message_zh().is_empty());
    }

    let mut chars = chars_of(&code);
    chars[0] = if chars[0] == '2' { '3' } else { '2' };
    let err = parse(&with_chars(&chars)).unwrap_err();
    assert_eq!(err, ReceiptError::BadCheck);
    assert_eq!(err.code().as_str(), "receipt_bad_check");
    assert_eq!(err.message_en(), err.to_string());
}

#[test]
fn full_width_input_from_chinese_keyboards_is_accepted() {
    let code = generate(&mut SeededRng(3));
    let wide: String = code
        .0
        .chars()
        .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap())
        .collect();
    assert_eq!(parse(&wide).unwrap(), code);
    let spaced = code.0.replace('-', "\u{3000}");
    assert_eq!(parse(&spaced).unwrap(), code);
}

proptest! {
    #[test]
    fn parse_round_trips_with_case_spaces_and_dashes(seed in any::<u64>(), style in 0usize..4) {
        let code = generate(&mut SeededRng(seed));
        let plain = with_chars(&chars_of(&code));
        let typed = match style {
            0 => code.0.clone(),
            1 => code.0.to_lowercase(),
            2 => plain.chars().flat_map(|c| [c.to_ascii_lowercase(), ' ']).collect(),
            _ => format!("  {}\t-{}- ", &plain[..5], &plain[5..]),
        };
        prop_assert_eq!(parse(&typed).unwrap(), code);
    }

    #[test]
    fn every_single_substitution_is_detected(seed in any::<u64>()) {
        let code = generate(&mut SeededRng(seed));
        let chars = chars_of(&code);
        for pos in 0..CODE_CHARS {
            for replacement in ALPHABET.chars().filter(|&c| c != chars[pos]) {
                let mut typo = chars.clone();
                typo[pos] = replacement;
                prop_assert_eq!(parse(&with_chars(&typo)), Err(ReceiptError::BadCheck));
            }
        }
    }

    #[test]
    fn every_adjacent_transposition_is_detected(seed in any::<u64>()) {
        let code = generate(&mut SeededRng(seed));
        let chars = chars_of(&code);
        for pos in 0..CODE_CHARS - 1 {
            if chars[pos] == chars[pos + 1] {
                continue;
            }
            let mut swapped = chars.clone();
            swapped.swap(pos, pos + 1);
            prop_assert_eq!(parse(&with_chars(&swapped)), Err(ReceiptError::BadCheck));
        }
    }

    #[test]
    fn every_valid_code_built_by_hand_parses(data in proptest::collection::vec(0usize..31, 11)) {
        // Exactly one check character completes any 11 characters.
        let alphabet: Vec<char> = ALPHABET.chars().collect();
        let prefix: String = data.iter().map(|&v| alphabet[v]).collect();
        let valid: Vec<char> = alphabet
            .iter()
            .copied()
            .filter(|&c| parse(&format!("{prefix}{c}")).is_ok())
            .collect();
        prop_assert_eq!(valid.len(), 1);
    }

    #[test]
    fn parse_never_panics(input in ".{0,40}") {
        let _ = parse(&input);
    }

    #[test]
    fn parse_never_panics_on_near_codes(input in "[0-9A-Za-z \\-]{0,30}") {
        if let Ok(code) = parse(&input) {
            prop_assert_eq!(parse(&code.0).unwrap(), code);
        }
    }
}
