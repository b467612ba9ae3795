//! The messages of the sync protocol and their compact binary encoding (postcard: varints,
//! no field names), so an idle round costs tens of bytes and a change costs little more than
//! its own bytes and signature.

use serde::{Deserialize, Serialize};

use super::SyncError;
use crate::identity::{Certificate, RevocationList, SealingPublicKey};
use crate::model::UnitId;

/// 2: requests are signed over their endpoint and a hub challenge (version 1 had neither).
/// 3: a request says which catalogue version the device has; an answer carries a newer one.
/// 4: knowledge-base records travel both ways beside the changes, with a cursor of their own.
/// 5: a request carries the device's signed access-audit entries the hub has not taken.
pub const PROTOCOL: u8 = 5;

/// Most access-audit entries one request may push.
pub const MAX_ACCESS_PUSH: usize = 256;

/// Most knowledge-base records one request may push.
pub const MAX_KB_PUSH: usize = 256;

/// Most changes one request may push (a device pushes at most
/// [`MAX_PUSH_BYTES`](super::MAX_PUSH_BYTES) of them, a few thousand small ones).
pub const MAX_PUSH_CHANGES: usize = 8_192;
/// Most orders one request may ask for whole.
pub const MAX_RESEND: usize = 64;

/// A list read from the wire that may hold at most `N` items: the count is checked against
/// the length prefix before anything is allocated, so a small body cannot decode into an
/// outsized list (a megabyte of one-byte strings is a million allocations otherwise).
pub(crate) fn at_most<'de, D, T, const N: usize>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    use serde::de::{Error, SeqAccess, Visitor};

    struct Bounded<T, const N: usize>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for Bounded<T, N> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "a list of at most {N} items")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            if let Some(n) = seq.size_hint()
                && n > N
            {
                return Err(A::Error::invalid_length(n, &self));
            }
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(N));
            while let Some(item) = seq.next_element()? {
                if out.len() == N {
                    return Err(A::Error::invalid_length(N + 1, &self));
                }
                out.push(item);
            }
            Ok(out)
        }
    }

    d.deserialize_seq(Bounded::<T, N>(std::marker::PhantomData))
}

/// A change on the wire. The certificate is an index into the message's `certs` table, the hash
/// and event id are recomputed by the receiver from `bytes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packed {
    pub order: String,
    pub cert: u32,
    pub signature: Vec<u8>,
    pub bytes: Vec<u8>,
}

/// A device's round: where it stands in the hub's log, and what the hub lacks of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub protocol: u8,
    /// The device's clock when it made the request (Unix ms); informative only.
    pub at: i64,
    /// Cursor into the hub's change log the device has processed.
    pub received_upto: i64,
    /// How many of the hub's certificates the device has.
    pub certs_known: i64,
    /// Sequence of the newest revocation list the device has.
    pub revocation_seq: u64,
    /// Version of the newest catalogue the device has (0: none).
    pub catalogue_version: u64,
    /// The device's log position up to which `push` goes (acknowledged back).
    pub push_upto: i64,
    #[serde(deserialize_with = "at_most::<_, _, MAX_PUSH_CHANGES>")]
    pub certs: Vec<String>,
    #[serde(deserialize_with = "at_most::<_, _, MAX_PUSH_CHANGES>")]
    pub push: Vec<Packed>,
    /// Most bytes of changes the device wants back in one response; the hub sends no more
    /// than its own limit ([`MAX_PULL_BYTES`](super::MAX_PULL_BYTES)) whatever this says.
    pub max_pull: u32,
    /// Orders whose history the device found incomplete (a pulled change whose predecessors it
    /// lacks): the hub sends them whole again. This heals any lost or skipped answer.
    #[serde(deserialize_with = "at_most::<_, _, MAX_RESEND>")]
    pub resend: Vec<String>,
    /// Cursor into the hub's knowledge-base log the device has taken.
    pub kb_received: i64,
    /// The device's knowledge-base log position up to which `kb_push` goes.
    pub kb_push_upto: i64,
    /// Knowledge-base records the hub may lack (published here or relayed).
    #[serde(deserialize_with = "at_most::<_, _, MAX_KB_PUSH>")]
    pub kb_push: Vec<crate::kb::SignedKb>,
    /// Access-audit entries of this device's chains the hub has not taken yet.
    #[serde(deserialize_with = "at_most::<_, _, MAX_ACCESS_PUSH>")]
    pub access_push: Vec<crate::audit::SignedAccess>,
}

/// A request signed by one enrolled person on the device: the hub answers with what that
/// person may see. The signature covers the endpoint, `cert`, `challenge` and `body`
/// ([`super::auth::message`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRequest {
    pub cert: String,
    /// A challenge the hub issued ([`super::Freshness`]); each is accepted once.
    pub challenge: Vec<u8>,
    pub signature: Vec<u8>,
    pub body: Vec<u8>,
}

/// Why one pushed change was refused, by its place in the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub index: u32,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Every pushed change up to here is durably stored or refused.
    pub acked_upto: i64,
    pub refused: Vec<Refusal>,
    pub certs: Vec<String>,
    pub pull: Vec<Packed>,
    /// Where the device's cursor into the hub's log now stands.
    pub cursor: i64,
    /// More to pull: ask again.
    pub more: bool,
    /// Certificates the device lacks, and how many the hub has in all.
    pub certificates: Vec<Certificate>,
    pub certs_total: i64,
    pub revocations: Option<RevocationList>,
    /// Units' sealing keys, sent with new certificates (units appear with enrolments).
    pub units: Vec<(UnitId, SealingPublicKey)>,
    /// The newest catalogue, when the device has an older one.
    pub catalogue: Option<crate::catalogue::SignedCatalogue>,
    /// Every pushed knowledge-base record up to here is stored or refused.
    pub kb_acked_upto: i64,
    /// Pushed knowledge-base records refused, by their place in `kb_push`.
    pub kb_refused: Vec<Refusal>,
    /// Knowledge-base records after the device's cursor — to every device, kiosks included.
    pub kb: Vec<crate::kb::SignedKb>,
    /// Where the device's knowledge-base cursor now stands.
    pub kb_cursor: i64,
    /// More knowledge-base records to pull.
    pub kb_more: bool,
    /// Pushed access entries refused, by their place in `access_push` (the others are kept).
    pub access_refused: Vec<Refusal>,
}

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, SyncError> {
    postcard::to_stdvec(value).map_err(|e| SyncError::Malformed(e.to_string()))
}

/// Decodes one whole message: bytes left over after it are refused, since nothing may ride
/// along unsigned or unread.
pub fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, SyncError> {
    let (value, rest) =
        postcard::take_from_bytes(bytes).map_err(|e| SyncError::Malformed(e.to_string()))?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(SyncError::Malformed(format!(
            "{} byte(s) after the end of the message",
            rest.len()
        )))
    }
}

/// Packs changes with a shared certificate table.
pub(crate) fn pack(changes: &[crate::device::WireChange]) -> (Vec<String>, Vec<Packed>) {
    let mut certs: Vec<String> = Vec::new();
    let packed = changes
        .iter()
        .map(|c| {
            let idx = match certs.iter().position(|x| *x == c.cert) {
                Some(i) => i,
                None => {
                    certs.push(c.cert.clone());
                    certs.len() - 1
                }
            };
            Packed {
                order: c.order.0.clone(),
                cert: u32::try_from(idx).unwrap_or(u32::MAX),
                signature: c.signature.clone(),
                bytes: c.bytes.clone(),
            }
        })
        .collect();
    (certs, packed)
}

pub(crate) fn unpack(
    certs: &[String],
    packed: Vec<Packed>,
) -> Result<Vec<crate::device::WireChange>, SyncError> {
    packed
        .into_iter()
        .map(|p| {
            let cert = usize::try_from(p.cert)
                .ok()
                .and_then(|i| certs.get(i))
                .ok_or_else(|| SyncError::Malformed("certificate index out of range".into()))?;
            Ok(crate::device::WireChange {
                order: crate::model::OrderId::new(p.order),
                cert: cert.clone(),
                signature: p.signature,
                bytes: p.bytes,
            })
        })
        .collect()
}
