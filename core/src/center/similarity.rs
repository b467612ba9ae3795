//! Finding "the same matter raised by many people or many times" (多人多次集中投诉事项, Linshu
//! county 2020 notice 二(五)) in free text, with no dictionary and no segmenter.
//!
//! * A text's fingerprint is its character bigrams ("路灯不亮" → 路灯 灯不 不亮): people who
//!   describe one matter repeat its words (路灯, 停水, 打桩) however they phrase the rest. Each
//!   CJK character counts too, at half weight: paraphrases may share one but no bigram (夜间施工
//!   / 半夜施工 share 夜), and one character is weak evidence.
//! * Citizens state the matter first, consequences after (路灯不亮，骑电动车看不见路): features
//!   of the first clause weigh 1, later ones 0.4, so matters sharing a consequence stay apart.
//! * Similarity is weighted Dice: it ranks pairs as Jaccard does, and unlike the overlap
//!   coefficient a text that is only an address is not "contained" in all complaints about it.
//! * `cluster` compares texts with both items' address features left out: with 古城路8号工地 in,
//!   different matters from that site scored 0.39–0.54 and paraphrases of one 0.49–0.65; left
//!   out, the different matters score 0.00–0.05.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

/// Stands for a run of whitespace or punctuation: no bigram spans it ("停水，电梯" has no 水电),
/// and it ends a clause (informal typing uses spaces as commas).
const BREAK: char = ' ';
/// Weight of a single CJK character (a bigram, a Latin word or a number weighs 1).
const CHAR_WEIGHT: f64 = 0.5;
/// Weight of features found only after the first clause.
const LATER_CLAUSE_WEIGHT: f64 = 0.4;
/// Per bigram, an item is compared with at most this many of its nearest earlier holders.
const CANDIDATE_WINDOW: usize = 64;
/// Unit ids: a character is its code point (below 2^21); a run of ASCII letters and digits is
/// a 30-bit FNV-1a hash with bit 31 set, and bit 30 too when it has a letter (a word, not a
/// number). So no id is 0, and a feature's low half is 0 only for a unigram.
const ASCII_RUN: u32 = 1 << 31;
const HAS_LETTER: u32 = 1 << 30;

/// Removed before bigrams are taken: every matter comes wrapped in the same formulas (反映…问题，
/// 希望相关部门尽快处理解决), and complaints from one compound all name who acts (物业, 村委),
/// who suffers (老人, 影响生活) and where, relatively (附近). Left in, they made unrelated
/// complaints alike; removed, they also stop separating 3号楼的电梯 from 3号楼电梯.
const FILLER_PHRASES: &str = "相关部门 有关部门 反映 投诉 问题 希望 要求 尽快 处理 解决 已经 \
    现在 一直 一下 这个 那个 麻烦 谢谢 您好 你好 影响 严重 生活 休息 老人 孩子 居民 百姓 群众 \
    市民 没人管 怎么 什么 时候 好几天 几天 每天 天天 物业 社区 村里 村委 附近 旁边 对面";
/// Single characters that are grammar, not content, in nearly every complaint.
const FILLER_CHARS: &str = "的了是在我们有很都也就还请要求吗呢啊吧呀";
/// `FILLER_PHRASES` split once, not for every character of every text.
static PHRASES: LazyLock<Vec<Vec<char>>> =
    LazyLock::new(|| FILLER_PHRASES.split_whitespace().map(char_vec).collect());

/// A text's fingerprint: its character bigrams, plus its CJK characters (half weight), Latin
/// words and lone numbers, after normalisation and with filler removed; features of the first
/// clause weigh more.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextSignature {
    /// (feature, weight), sorted by feature. A bigram is (first unit << 32 | second unit), a
    /// unigram (unit << 32).
    features: Vec<(u64, f64)>,
}

impl TextSignature {
    /// Normalises `text` (full-width folded, filler dropped, numerals as digits) and takes it.
    pub fn of(text: &str) -> TextSignature {
        Self::of_units(&units(text))
    }

    /// 0.0..=1.0, symmetric; 1.0 for identical normalised texts; 0.0 if either is empty.
    pub fn similarity(&self, other: &TextSignature) -> f64 {
        dice(&self.features, &other.features, |_| false)
    }

    /// Nothing left after normalisation: empty, punctuation or filler only.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    fn of_units(units: &[Option<u32>]) -> TextSignature {
        let mut features = Vec::new();
        let clauses = units.split(Option::is_none).filter(|c| !c.is_empty());
        for (n, clause) in clauses.enumerate() {
            let weight = if n == 0 { 1.0 } else { LATER_CLAUSE_WEIGHT };
            let bigrams = clause.windows(2).filter_map(|w| match w {
                [Some(a), Some(b)] => Some((u64::from(*a) << 32) | u64::from(*b)),
                _ => None,
            });
            // A number counts only alone: the 3 of 3号楼 says nothing 3号 does not.
            let alone = clause.len() == 1;
            let unigrams = clause.iter().flatten().filter(|&&u| alone || !is_number(u));
            let all = bigrams.chain(unigrams.map(|&u| u64::from(u) << 32));
            features.extend(all.map(|f| (f, weight * kind_weight(f))));
        }
        // Each feature once, at its highest weight.
        features.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        features.dedup_by_key(|f| f.0);
        TextSignature { features }
    }
}

/// A request's fingerprint for the duplicate check at intake, as a device keeps it: the text's
/// features without the address's own (as `cluster` compares), numbers left out (a phone number
/// or a date typed into the text), and each feature replaced by the first 8 bytes of its SHA-256
/// — equal features stay equal, and the text cannot be read back from what is stored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fingerprint {
    /// (hashed feature, weight), sorted by hashed feature.
    features: Vec<(u64, f64)>,
}

impl Fingerprint {
    pub fn of(text: &str, address: &str) -> Fingerprint {
        use sha2::{Digest, Sha256};
        let at = Address::of(address);
        let mut features: Vec<(u64, f64)> = TextSignature::of(text)
            .features
            .into_iter()
            .filter(|&(f, _)| !at.excludes(f) && !has_number(f))
            .map(|(f, w)| {
                let digest =
                    Sha256::digest([b"hotline/intake/v1\0".as_slice(), &f.to_be_bytes()].concat());
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                (u64::from_be_bytes(first), w)
            })
            .collect();
        features.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        features.dedup_by_key(|f| f.0);
        Fingerprint { features }
    }

    /// Weighted Dice, as texts are compared in `cluster` (0.0..=1.0).
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        dice(&self.features, &other.features, |_| false)
    }

    /// The similarity when the two are the same matter by `cluster`'s rule — they share a
    /// bigram or word (a character alone is no evidence) and reach `threshold`.
    pub fn same_matter(&self, other: &Fingerprint, threshold: f64) -> Option<f64> {
        let words = |f: &Fingerprint| -> Vec<u64> {
            f.features
                .iter()
                .map(|x| x.0)
                .filter(|x| x >> 63 == 0)
                .collect()
        };
        let theirs = words(other);
        let shared = words(self).iter().any(|w| theirs.binary_search(w).is_ok());
        let s = self.similarity(other);
        (shared && s >= threshold).then_some(s)
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// 12 bytes a feature: the hash, then the weight as an f32, both big-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.features.len() * 12);
        for (f, w) in &self.features {
            out.extend_from_slice(&f.to_be_bytes());
            out.extend_from_slice(&(*w as f32).to_be_bytes());
        }
        out
    }

    /// `None` for bytes no fingerprint was written as.
    pub fn from_bytes(bytes: &[u8]) -> Option<Fingerprint> {
        if !bytes.len().is_multiple_of(12) {
            return None;
        }
        let mut features = Vec::with_capacity(bytes.len() / 12);
        for chunk in bytes.chunks_exact(12) {
            let (f, w) = chunk.split_at(8);
            let weight = f64::from(f32::from_be_bytes(w.try_into().ok()?));
            // A weight no signature has (NaN, infinite, not positive, over 1): damaged bytes.
            if !(weight > 0.0 && weight <= 1.0) {
                return None;
            }
            features.push((u64::from_be_bytes(f.try_into().ok()?), weight));
        }
        features.sort_unstable_by_key(|f| f.0);
        Some(Fingerprint { features })
    }
}

/// An address read once and compared with many, by the rule `cluster` uses for "the same
/// place" (the duplicate check compares a new request's with every candidate's).
#[derive(Debug)]
pub struct Place(Address);

impl Place {
    pub fn of(address: &str) -> Place {
        Place(Address::of(address))
    }

    pub fn same_as(&self, other: &str, config: &ClusterConfig) -> bool {
        self.0
            .same_as(&Address::of(other), config.address_threshold)
    }
}

/// A feature with an ASCII number in it (a bigram of a number and a character, or a number).
fn has_number(feature: u64) -> bool {
    let (hi, lo) = ((feature >> 32) as u32, (feature & 0xFFFF_FFFF) as u32);
    is_number(hi) || (lo != 0 && is_number(lo))
}

/// One request to cluster.
#[derive(Debug, Clone, Copy)]
pub struct ClusterItem<'a> {
    /// Where: the caller passes a normalised place key (administrative division code, or ""
    /// when unknown).
    pub place: &'a str,
    /// The street address as the citizen gave it (may be empty). Two items are at the same
    /// place when `place` is equal AND (either address is empty OR their addresses are similar
    /// enough / one contains the other after normalisation). Their numbers must agree too:
    /// 古城路8号 is not 古城路18号.
    pub address: &'a str,
    /// The request kind as a stable string (e.g. "complaint"); only equal kinds cluster.
    pub kind: &'a str,
    /// The citizen's own words.
    pub text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterConfig {
    /// Least similarity of two texts, their addresses left out, to be the same matter.
    pub text_threshold: f64,
    /// Least similarity of two addresses to be the same (containment always is).
    pub address_threshold: f64,
}

impl Default for ClusterConfig {
    /// Text 0.15: on the tests' texts, different matters in one bucket reach 0.126 (two at one
    /// crossing, sharing 路口) and every paraphrase has a link of at least 0.161 into its
    /// matter's group. Linking chains, so a false link can merge two whole groups while a
    /// missed one costs one member: we stay above the different-matter range. Address 0.6:
    /// 常林路沭河大街路口 matches 沭河大街常林路 (0.79), 阳光花园小区 matches 阳光小区 (0.62; the
    /// texts must still match), 城北村 is not 城南村 (0.29); 古城路18号 scores 0.67 against
    /// 古城路8号 but its number differs.
    fn default() -> Self {
        ClusterConfig {
            text_threshold: 0.15,
            address_threshold: 0.6,
        }
    }
}

/// Groups of indices into `items` (each group sorted ascending, groups sorted by their first
/// index; singletons included). Items are linked when of the same kind, at the same place, and
/// their texts (addresses left out) reach `text_threshold` sharing a bigram or word (a shared
/// character alone is no evidence). Linking is transitive (union-find).
///
/// Cost: buckets by (kind, place), then an inverted index from bigram to items. Skipping
/// bigrams held by over 200 items would hide the very case this is for, 200 people about one
/// site, whose bigrams are all that frequent. Instead each item meets, per bigram, only its
/// `CANDIDATE_WINDOW` nearest earlier holders: one link into a group is enough, and buckets
/// are ordered by address, so same-site complaints are nearest. O(n · bigrams · window).
///
/// Deterministic: buckets in key order, items in (address, text, index) order, so the groups
/// (as sets of texts) do not depend on the input order.
pub fn cluster(items: &[ClusterItem<'_>], config: &ClusterConfig) -> Vec<Vec<usize>> {
    let mut buckets: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        buckets.entry((it.kind, it.place)).or_default().push(i);
    }
    let mut parent: Vec<usize> = (0..items.len()).collect();
    let mut seen = vec![usize::MAX; items.len()]; // seen[j] == i: j was a candidate for i
    for mut bucket in buckets.into_values() {
        bucket.sort_by_key(|&i| (items[i].address, items[i].text, i));
        // Signatures of one bucket at a time: a city's open orders spread over many places, and
        // a text's signature weighs some kilobytes (measured: 95,000 open orders' at once took
        // the hub's scan to 947 MB).
        let mut texts: HashMap<usize, TextSignature> = HashMap::with_capacity(bucket.len());
        let mut places: HashMap<usize, Address> = HashMap::with_capacity(bucket.len());
        for &i in &bucket {
            texts.insert(i, TextSignature::of(items[i].text));
            places.insert(i, Address::of(items[i].address));
        }
        let mut holders_of: HashMap<u64, Vec<usize>> = HashMap::new();
        for &i in &bucket {
            let (Some(text), Some(at)) = (texts.get(&i), places.get(&i)) else {
                continue;
            };
            // Own address bigrams are no key: every complaint at the site has them.
            let keys = text.features.iter().map(|f| f.0);
            for key in keys.filter(|&f| !is_char(f) && !at.excludes(f)) {
                let holders = holders_of.entry(key).or_default();
                for &j in holders.iter().rev().take(CANDIDATE_WINDOW) {
                    if std::mem::replace(&mut seen[j], i) == i {
                        continue;
                    }
                    let (Some(other), Some(other_at)) = (texts.get(&j), places.get(&j)) else {
                        continue;
                    };
                    let other = &other.features;
                    let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                    let skip = |f| at.excludes(f) || other_at.excludes(f);
                    if ri != rj
                        && at.same_as(other_at, config.address_threshold)
                        && dice(&text.features, other, skip) >= config.text_threshold
                    {
                        parent[ri.max(rj)] = ri.min(rj); // a root stays its set's smallest index
                    }
                }
                if holders.len() >= 2 * CANDIDATE_WINDOW {
                    holders.drain(..CANDIDATE_WINDOW); // only the last window is ever read
                }
                holders.push(i);
            }
        }
    }
    // Keyed by root, the smallest index of its group: groups come out by first index.
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..items.len() {
        groups.entry(root(&mut parent, i)).or_default().push(i);
    }
    groups.into_values().collect()
}

/// Union-find root of `x`, halving the path on the way (no recursion).
fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// An address's units, and its signature as one clause (punctuation in it separates nothing).
#[derive(Debug)]
struct Address {
    units: Vec<u32>,
    signature: TextSignature,
}

impl Address {
    fn of(address: &str) -> Address {
        let units: Vec<u32> = units(address).into_iter().flatten().collect();
        let one_clause: Vec<_> = units.iter().copied().map(Some).collect();
        let signature = TextSignature::of_units(&one_clause);
        Address { units, signature }
    }

    /// Whether a text's feature comes from this address.
    fn excludes(&self, feature: u64) -> bool {
        let features = &self.signature.features;
        features.binary_search_by_key(&feature, |f| f.0).is_ok()
    }

    fn same_as(&self, other: &Address, threshold: f64) -> bool {
        // On units: 古城路8号 is in 古城路8号工地, not in 古城路18号 (18 is one unit).
        let (a, b) = (self.units.as_slice(), other.units.as_slice());
        let contains = |hay: &[u32], needle: &[u32]| {
            needle.first().is_some_and(|first| {
                hay.windows(needle.len())
                    .any(|w| w.first() == Some(first) && w == needle)
            })
        };
        a.is_empty()
            || b.is_empty()
            || (numbers(a).zip(numbers(b)).all(|(x, y)| x == y)
                && (contains(a, b)
                    || contains(b, a)
                    || self.signature.similarity(&other.signature) >= threshold))
    }
}

fn is_number(unit: u32) -> bool {
    unit & (ASCII_RUN | HAS_LETTER) == ASCII_RUN
}

fn numbers(units: &[u32]) -> impl Iterator<Item = &u32> {
    units.iter().filter(|&&u| is_number(u))
}

/// A single CJK character's feature: a unigram whose unit is no ASCII run.
fn is_char(feature: u64) -> bool {
    feature & 0xFFFF_FFFF == 0 && feature >> 63 == 0
}

fn kind_weight(feature: u64) -> f64 {
    if is_char(feature) { CHAR_WEIGHT } else { 1.0 }
}

/// Weighted Dice of two sorted feature sets, without features where `skip` holds: 2·Σ min(wa,
/// wb) over shared features / (Σ wa + Σ wb). Summed in feature order on both sides: exactly
/// symmetric, exactly 1.0 for identical sets.
fn dice(a: &[(u64, f64)], b: &[(u64, f64)], skip: impl Fn(u64) -> bool) -> f64 {
    let (mut i, mut j, mut wa, mut wb, mut shared) = (0, 0, 0.0, 0.0, 0.0);
    while i < a.len() || j < b.len() {
        // Take the smaller head, or both when equal: a shared feature.
        let x = a.get(i).filter(|x| b.get(j).is_none_or(|y| x.0 <= y.0));
        let y = b.get(j).filter(|y| a.get(i).is_none_or(|x| y.0 <= x.0));
        i += usize::from(x.is_some());
        j += usize::from(y.is_some());
        let Some(&(feature, _)) = x.or(y) else { break };
        if !skip(feature) {
            let (w, v) = (x.map_or(0.0, |x| x.1), y.map_or(0.0, |y| y.1));
            (wa, wb, shared) = (wa + w, wb + v, shared + w.min(v));
        }
    }
    // shared is 0 when a side weighs nothing; MIN_POSITIVE only avoids 0 / 0.
    (2.0 * shared / (wa + wb).max(f64::MIN_POSITIVE)).min(1.0)
}

fn char_vec(text: &str) -> Vec<char> {
    text.chars().collect()
}

/// Normalises a text into unit ids, `None` where whitespace or punctuation broke it.
fn units(text: &str) -> Vec<Option<u32>> {
    let mut chars: Vec<char> = Vec::with_capacity(text.len() / 2);
    for c in text.chars() {
        // Full-width ASCII (U+FF01..U+FF5E, typed by Chinese input methods) is ASCII + 0xFEE0.
        let c = match u32::from(c) {
            full @ 0xFF01..=0xFF5E => char::from_u32(full - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_alphanumeric() {
            chars.push(c.to_ascii_lowercase());
        } else if chars.last().is_some_and(|&last| last != BREAK) {
            chars.push(BREAK);
        }
    }
    let chars = arabic_numerals(&without_filler(&chars));
    let mut out = Vec::with_capacity(chars.len());
    let mut rest = chars.as_slice();
    while let Some(&c) = rest.first() {
        let ascii = rest.iter().take_while(|c| c.is_ascii_alphanumeric());
        let ascii = ascii.count();
        let (unit, tail) = rest.split_at(ascii.max(1));
        rest = tail;
        out.push(match c {
            BREAK => None,
            _ if ascii == 0 => Some(u32::from(c)),
            _ => {
                let fnv = |h: u32, c: &char| (h ^ u32::from(*c)).wrapping_mul(0x0100_0193);
                let hash = unit.iter().fold(0x811C_9DC5, fnv) & (HAS_LETTER - 1);
                let letter = unit.iter().any(char::is_ascii_alphabetic);
                Some(hash | ASCII_RUN | if letter { HAS_LETTER } else { 0 })
            }
        });
    }
    out
}

fn without_filler(chars: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(chars.len());
    let mut rest = chars;
    while let Some((&c, tail)) = rest.split_first() {
        // The first character decides before a whole phrase is compared: this runs for every
        // character of every text the hub scans.
        let phrase = PHRASES
            .iter()
            .find(|p| p.first() == Some(&c) && rest.starts_with(p));
        rest = match phrase {
            Some(phrase) => rest.get(phrase.len()..).unwrap_or_default(),
            None => {
                if !FILLER_CHARS.contains(c) {
                    out.push(c);
                }
                tail
            }
        };
    }
    out
}

/// Chinese numerals become ASCII digits, so 八号 matches 8号 and 十一点 matches 11点. 十 is
/// read from its neighbours (十 10, 十一 11, 二十 20, 二十三 23); 百 and 千 stay characters:
/// hundreds are rare in complaints, and reading them right would take a parser.
fn arabic_numerals(chars: &[char]) -> Vec<char> {
    let digit = |c: &char| match c {
        '零' | '〇' => Some('0'),
        '一' => Some('1'),
        '二' | '两' => Some('2'),
        '三' => Some('3'),
        '四' => Some('4'),
        '五' => Some('5'),
        '六' => Some('6'),
        '七' => Some('7'),
        '八' => Some('8'),
        '九' => Some('9'),
        _ => None,
    };
    let mut out = Vec::with_capacity(chars.len());
    for (i, c) in chars.iter().enumerate() {
        let digit_at = |j: Option<usize>| j.and_then(|j| chars.get(j)).and_then(digit).is_some();
        match (c, digit_at(i.checked_sub(1)), digit_at(Some(i + 1))) {
            ('十', true, true) => {}
            ('十', true, false) => out.push('0'),
            ('十', false, true) => out.push('1'),
            ('十', false, false) => out.extend(['1', '0']),
            _ => out.push(digit(c).unwrap_or(*c)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// One township's day, a complaint a line: address|text|matter. Complaints about one
    /// matter must form one group; "-" is a matter raised once, which must stay alone.
    const DAY: &str = "\
古城路8号工地|古城路8号工地夜间施工噪音扰民，晚上十一点还在打桩|noise
古城路8号工地|古城路八号那个工地半夜还在施工，吵得睡不着|noise
古城路8号工地|晚上12点了古城路8号工地还在打桩，噪音太大|noise
古城路8号工地|投诉古城路8号工地夜里施工噪音太大，孩子明天还要考试，希望相关部门尽快处理！|noise
古城路8号工地|古城路8号工地的渣土车不盖篷布，泥土撒了一路，路面全是泥|-
古城路8号工地|我在古城路8号工地干活，老板拖欠我们农民工工资三个月了|-
古城路8号工地|古城路8号工地扬尘很大，也不洒水，附近居民窗户都不敢开|-
阳光小区|阳光小区从昨天早上开始停水，到现在还没来水，也没有提前通知|water
阳光小区|阳光小区停水一天了，做饭洗澡都没水，物业说不清什么时候来水|water
阳光小区3号楼|反映阳光小区3号楼到现在还停水，已经快两天了，老人孩子没法生活|water
阳光小区3号楼|阳光小区3号楼电梯坏了一周了，老人上下楼很不方便|-
阳光小区|阳光小区物业乱收费，停车费一个月涨到三百元|-
阳光小区|阳光小区门口垃圾好几天没人清运，臭气熏天|-
阳光小区|阳光小区地下车库漏水，车都泡了，物业不管|-
阳光小区|阳光小区楼下烧烤店油烟太大，晚上吵到一两点|-
沭河大街常林路|沭河大街和常林路交叉口往北的路灯全都不亮，晚上黑乎乎的，走路很危险|lights
常林路沭河大街路口|常林路沭河大街路口那一段路灯坏了好几天了，晚上一片黑|lights
沭河大街常林路|沭河大街常林路北边路灯不亮已经一个星期，夜里骑电动车看不见路|lights
沭河大街常林路|沭河大街常林路路口的井盖丢了，骑电动车差点把轮子卡进去|-
沭河大街常林路|沭河大街常林路口有人占道摆摊卖菜，早上堵得车过不去|-";

    fn day() -> Vec<(&'static str, &'static str, &'static str)> {
        let row = |line: &'static str| {
            let mut fields = line.split('|');
            Some((fields.next()?, fields.next()?, fields.next()?))
        };
        DAY.lines().filter_map(row).collect()
    }

    fn item<'a>(address: &'a str, text: &'a str) -> ClusterItem<'a> {
        let (place, kind) = ("371329", "complaint");
        ClusterItem {
            place,
            address,
            kind,
            text,
        }
    }

    fn day_items() -> Vec<ClusterItem<'static>> {
        day().into_iter().map(|(a, t, _)| item(a, t)).collect()
    }

    fn groups(items: &[ClusterItem<'_>]) -> Vec<Vec<usize>> {
        cluster(items, &ClusterConfig::default())
    }

    /// Groups as sets of texts: comparable whatever the input order.
    fn text_groups<'a>(items: &[ClusterItem<'a>]) -> BTreeSet<BTreeSet<&'a str>> {
        let texts = |group: Vec<usize>| group.into_iter().map(|i| items[i].text).collect();
        groups(items).into_iter().map(texts).collect()
    }

    fn expected_day() -> BTreeSet<BTreeSet<&'static str>> {
        let mut by_matter: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (_, text, matter) in day() {
            let key = if matter == "-" { text } else { matter };
            by_matter.entry(key).or_default().insert(text);
        }
        by_matter.into_values().collect()
    }

    fn sim(a: &str, b: &str) -> f64 {
        TextSignature::of(a).similarity(&TextSignature::of(b))
    }

    #[test]
    fn paraphrases_of_one_matter_form_one_group() {
        let items = day_items();
        assert_eq!((items.len(), text_groups(&items)), (20, expected_day()));
        let groups = groups(&items);
        assert_eq!(groups[0], vec![0, 1, 2, 3]);
        assert!(groups.windows(2).all(|w| w[0][0] < w[1][0]));
    }

    #[test]
    fn different_matters_at_one_site_stay_apart() {
        // Noise, mud on the road, unpaid wages and dust from one site, one address.
        assert_eq!(groups(&day_items()[3..7]).len(), 4);
        // With the address left in, the site's name made them alike: why it is left out.
        assert!(sim(day()[1].1, day()[5].1) > 0.3);
    }

    #[test]
    fn place_kind_and_address_must_agree() {
        let here = item("古城路8号工地", day()[0].1);
        let (mut elsewhere, mut suggestion) = (here, here);
        (elsewhere.place, suggestion.kind) = ("371302", "suggestion");
        assert_eq!(groups(&[here, elsewhere]), vec![vec![0], vec![1]]);
        assert_eq!(groups(&[here, suggestion]), vec![vec![0], vec![1]]);
        let apart = ["古城路18号工地", "古城路9号", "沭河大街"];
        // Unknown, contained, with 八 or full-width digits, with a word inserted.
        let together = [
            "",
            "古城路八号",
            "临沭县古城路８号工地",
            "古城路8号建筑工地",
        ];
        for (addresses, count) in [(&apart[..], 2), (&together[..], 1)] {
            for address in addresses {
                let pair = [here, item(address, here.text)];
                assert_eq!(groups(&pair).len(), count, "{address}");
            }
        }
    }

    #[test]
    fn numbers_and_latin_letters() {
        assert!(sim("3号楼电梯坏了一周", "3号楼的电梯已经坏了7天没人修") > 0.5);
        let same = "３号楼=3号楼 三号楼=3号楼 二十三点=23点 ＫＴＶ=KTV G205=ｇ２０５";
        for (a, b) in same.split(' ').filter_map(|pair| pair.split_once('=')) {
            assert_eq!(TextSignature::of(a), TextSignature::of(b), "{a}");
        }
        let items = [
            item("", "3号楼电梯坏了一周"),
            item("", "滨河路那家KTV噪音太大，天天唱到凌晨两点"),
            item("", "3号楼的电梯已经坏了7天没人修"),
            item("", "滨河路ktv半夜还在唱歌，噪音扰民"),
            item("", "ＫＴＶ噪音扰民，凌晨了还在唱"),
            item("", "G205国道临沭段有个大坑，货车经过很危险"),
        ];
        assert_eq!(groups(&items), vec![vec![0, 2], vec![1, 3, 4], vec![5]]);
    }

    #[test]
    fn edge_cases_stay_in_range() {
        let long = "古城路8号工地噪音扰民，KTV凌晨两点还在唱！".repeat(500);
        let texts = [
            String::new(),
            "，。、！？；：“”‘’（）【】《》…—  \t\n!?.".into(),
            "的了".into(),
            "吵".into(),
            long.chars().take(10_000).collect(),
            "一二十百千".repeat(2_000),
            day()[0].1.into(),
        ];
        let signatures: Vec<_> = texts.iter().map(|t| TextSignature::of(t)).collect();
        assert!(signatures.iter().take(3).all(TextSignature::is_empty));
        assert!(!signatures.iter().skip(3).any(TextSignature::is_empty));
        for (text, a) in texts.iter().zip(&signatures) {
            for b in &signatures {
                let s = a.similarity(b);
                assert!((0.0..=1.0).contains(&s) && s.to_bits() == b.similarity(a).to_bits());
            }
            let identical = if a.is_empty() { 0.0 } else { 1.0 };
            assert_eq!(a.similarity(&TextSignature::of(text)), identical);
        }
        let items: Vec<_> = texts.iter().map(|t| item("", t)).collect();
        assert_eq!(groups(&items).concat().len(), items.len());
        assert!(groups(&[]).is_empty());
    }

    #[test]
    fn groups_do_not_depend_on_input_order() {
        let (mut items, mut seed) = (day_items(), 12345_u64);
        for _ in 0..20 {
            // Fisher–Yates driven by a fixed linear congruential generator: std only.
            for i in (1..items.len()).rev() {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                items.swap(i, (seed >> 33) as usize % (i + 1));
            }
            assert_eq!(text_groups(&items), expected_day());
        }
    }

    #[test]
    fn twenty_thousand_items_in_one_bucket() {
        let roads: Vec<_> = "古城路 沭河大街 常林路 振兴路 温泉路 朝阳路 兴大路 光明路"
            .split(' ')
            .collect();
        let matters: Vec<_> = "路灯不亮，晚上太黑/井盖丢了，很危险/垃圾没人清运，味道很大/\
            污水冒出来了/有人占道经营摆摊/工地夜间施工噪音扰民/下水道堵了/树枝断了挡路"
            .split('/')
            .collect();
        // 400 addresses × 8 matters, each raised 6 or 7 times, and one by 500 more people.
        let row = |k: usize| {
            let (address, matter) = (format!("{}{}号", roads[k % 8], k / 8 % 50 + 1), k / 400 % 8);
            let text = format!("{address}附近{}，已经{}天了", matters[matter], k % 7 + 1);
            (address, text, matter)
        };
        let rows: Vec<_> = (0..20_000)
            .chain((0..500).map(|n| 3200 * n))
            .map(row)
            .collect();
        let items: Vec<_> = rows.iter().map(|(a, t, _)| item(a, t)).collect();
        let groups = groups(&items);
        assert_eq!(groups.len(), 400 * 8);
        assert!(groups.iter().any(|group| group.len() > 500));
        for group in &groups {
            let keys: BTreeSet<_> = group.iter().map(|&i| (&rows[i].0, rows[i].2)).collect();
            assert_eq!(keys.len(), 1, "a group mixes addresses or matters");
        }
    }
}
