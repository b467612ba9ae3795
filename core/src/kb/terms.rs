//! Search terms for Chinese without a dictionary: every CJK character and every pair of
//! neighbouring characters (bigrams) is a term, Latin words and numbers are terms whole. The
//! store indexes these with SQLite FTS5's plain tokenizer and ranks with BM25, so a query
//! matches an item through any two characters they share in order — "怎么办居住证" finds
//! "居住证办理" by 居住 and 住证 — and items sharing more and rarer pairs rank first.
//!
//! Why not FTS5's trigram tokenizer: most Chinese words have two characters (社保, 医保, 低保),
//! and a trigram index cannot find a two-character query.

/// Stands for whatever separates runs (whitespace, punctuation).
const BREAK: char = ' ';

/// The space-separated terms an item's text is indexed under.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for term in terms(text, true) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&term);
    }
    out
}

/// The terms of a query: bigrams of each CJK run (its one character when a run is a single
/// character), Latin words and numbers whole. Duplicates removed, in order.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for term in terms(query, false) {
        if !out.contains(&term) {
            out.push(term);
        }
    }
    out
}

/// An FTS5 MATCH expression that any of the terms satisfies (BM25 then ranks by how many and
/// how rare); `None` for a query with no term at all. Terms hold only letters and digits, and
/// each is quoted, so no query text is read as FTS5 syntax.
pub fn match_expression(terms: &[String]) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    let quoted: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
    Some(quoted.join(" OR "))
}

/// Terms of `text`: with `unigrams`, every CJK character of a run as well as its bigrams.
fn terms(text: &str, unigrams: bool) -> Vec<String> {
    let mut out = Vec::new();
    let normalised = normalise(text);
    for run in normalised.split(BREAK).filter(|r| !r.is_empty()) {
        let mut cjk: Vec<char> = Vec::new();
        let mut latin = String::new();
        for c in run.chars() {
            if c.is_ascii_alphanumeric() {
                flush_cjk(&mut cjk, unigrams, &mut out);
                latin.push(c);
            } else {
                if !latin.is_empty() {
                    out.push(std::mem::take(&mut latin));
                }
                cjk.push(c);
            }
        }
        flush_cjk(&mut cjk, unigrams, &mut out);
        if !latin.is_empty() {
            out.push(latin);
        }
    }
    out
}

fn flush_cjk(run: &mut Vec<char>, unigrams: bool, out: &mut Vec<String>) {
    match run.as_slice() {
        [] => {}
        [one] => out.push(one.to_string()),
        chars => {
            if unigrams {
                out.extend(chars.iter().map(char::to_string));
            }
            out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
        }
    }
    run.clear();
}

/// Full-width forms folded to ASCII (typed by Chinese input methods), ASCII lower-cased,
/// anything neither a letter nor a digit made a break.
fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match u32::from(c) {
            full @ 0xFF01..=0xFF5E => char::from_u32(full - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                BREAK
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_runs_give_characters_and_pairs_latin_words_stay_whole() {
        assert_eq!(
            index_text("办理ETC卡，需5G手机"),
            "办 理 办理 etc 卡 需 5g 手 机 手机"
        );
    }

    #[test]
    fn a_query_is_its_pairs_and_full_width_folds() {
        assert_eq!(query_terms("居住证　ＥＴＣ"), ["居住", "住证", "etc"]);
        assert_eq!(query_terms("证"), ["证"]);
        assert_eq!(
            match_expression(&query_terms("低保 12345")).as_deref(),
            Some("\"低保\" OR \"12345\"")
        );
        assert_eq!(match_expression(&query_terms("，。!?")), None);
    }
}
