//! Making every request to the hub fresh: the hub hands out short-lived challenges, a device
//! signs its next request over one, and the hub accepts each challenge once.
//!
//! A challenge is `issued_at (8 bytes, Unix ms, big-endian) ‖ random (8) ‖ MAC (16)`, the MAC an
//! HMAC-SHA256 under a key that lives only in the hub's memory. So the hub keeps no list of what
//! it issued (any number of clients may ask), only of what was redeemed within the lifetime,
//! which authenticated requests alone can fill. A captured request is refused once its challenge
//! was used or is older than [`CHALLENGE_LIFETIME`]; a restart of the hub makes every
//! outstanding challenge stale, which costs a device one more round trip.
//!
//! Why this is enough without TLS, and why production still runs behind TLS: see
//! ARCHITECTURE.md ("Requests to the hub").

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use chrono::Duration;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;

use super::SyncError;
use crate::model::Timestamp;

/// Bytes of a challenge.
pub const CHALLENGE_BYTES: usize = 32;
/// How long a challenge may wait before it is used: long enough for a 512 KiB push over a
/// township's 2G link, short enough that a captured request is useless soon after.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// Most redeemed challenges remembered at once; beyond it the hub refuses new ones until old
/// ones expire (it never forgets one early, which would let it be replayed).
const MAX_REMEMBERED: usize = 1_000_000;

type HmacSha256 = Hmac<Sha256>;

/// The hub's issuer and checker of challenges.
pub struct Freshness {
    key: [u8; 32],
    /// Redeemed challenges (their first 16 bytes) and when each may be forgotten (Unix ms).
    redeemed: Mutex<HashMap<[u8; 16], i64>>,
}

impl std::fmt::Debug for Freshness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Freshness").finish_non_exhaustive()
    }
}

impl Default for Freshness {
    fn default() -> Self {
        Self::new()
    }
}

impl Freshness {
    /// A new issuer with a random key.
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        Self::with_key(key)
    }

    /// An issuer with a given key: hub processes that share one database share the key, so a
    /// challenge one of them issued is good at any of them.
    pub fn with_key(key: [u8; 32]) -> Self {
        Freshness {
            key,
            redeemed: Mutex::new(HashMap::new()),
        }
    }

    fn mac(&self, head: &[u8]) -> [u8; 16] {
        let mut out = [0u8; 16];
        // HMAC takes a key of any length, so this cannot fail; the fallback keeps it panic-free.
        if let Ok(mut mac) = HmacSha256::new_from_slice(&self.key) {
            mac.update(head);
            out.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        }
        out
    }

    /// A fresh challenge, issued at `now`.
    pub fn issue(&self, now: Timestamp) -> Vec<u8> {
        let mut head = [0u8; 16];
        head[..8].copy_from_slice(&now.timestamp_millis().to_be_bytes());
        OsRng.fill_bytes(&mut head[8..]);
        let mut out = Vec::with_capacity(CHALLENGE_BYTES);
        out.extend_from_slice(&head);
        out.extend_from_slice(&self.mac(&head));
        out
    }

    /// The checks of [`Freshness::redeem`] but the "only once": issued by this key, within its
    /// lifetime. Returns the challenge's id and when it may be forgotten (Unix ms), for a hub
    /// that remembers redemptions in its database.
    pub fn verify(&self, challenge: &[u8], now: Timestamp) -> Result<([u8; 16], i64), SyncError> {
        let stale = || SyncError::StaleChallenge;
        let (Ok(head), Ok(mac)) = (
            <[u8; 16]>::try_from(challenge.get(..16).ok_or_else(stale)?),
            <[u8; 16]>::try_from(challenge.get(16..).ok_or_else(stale)?),
        ) else {
            return Err(stale());
        };
        // Compared in constant time: the MAC is the secret part.
        let want = self.mac(&head);
        if want
            .iter()
            .zip(mac.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0
        {
            return Err(stale());
        }
        let issued_ms = i64::from_be_bytes(head[..8].try_into().map_err(|_| stale())?);
        let now_ms = now.timestamp_millis();
        let lifetime_ms = CHALLENGE_LIFETIME.num_milliseconds();
        // A little slack for the future: the hub's clock is the only one involved, but a test
        // or demo clock may step.
        if issued_ms > now_ms + 1_000 || now_ms - issued_ms > lifetime_ms {
            return Err(stale());
        }
        Ok((head, issued_ms + lifetime_ms))
    }

    /// Accepts `challenge` once: it must be one of ours, not older than the lifetime (nor from
    /// the future), and not redeemed before. Call it after the request's signature verified, so
    /// nobody but the signer can use up a challenge.
    pub fn redeem(&self, challenge: &[u8], now: Timestamp) -> Result<(), SyncError> {
        let stale = || SyncError::StaleChallenge;
        let (head, forget_at) = self.verify(challenge, now)?;
        let now_ms = now.timestamp_millis();
        let mut redeemed = self.redeemed.lock().unwrap_or_else(PoisonError::into_inner);
        if redeemed.len() >= MAX_REMEMBERED / 2 {
            redeemed.retain(|_, forget_at| *forget_at > now_ms);
        }
        if redeemed.len() >= MAX_REMEMBERED || redeemed.contains_key(&head) {
            return Err(stale());
        }
        redeemed.insert(head, forget_at);
        Ok(())
    }

    /// How many redeemed challenges are remembered (for the hub's memory bound).
    pub fn remembered(&self) -> usize {
        self.redeemed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }

    #[test]
    fn a_challenge_is_good_once_and_only_while_fresh() {
        let f = Freshness::new();
        let t = 1_780_000_000_000;
        let c = f.issue(at(t));
        assert_eq!(c.len(), CHALLENGE_BYTES);
        assert!(f.redeem(&c, at(t + 1_000)).is_ok());
        assert!(f.redeem(&c, at(t + 2_000)).is_err(), "used twice");
        let old = f.issue(at(t));
        let late = t + CHALLENGE_LIFETIME.num_milliseconds() + 1;
        assert!(f.redeem(&old, at(late)).is_err(), "stale");
    }

    #[test]
    fn only_our_own_challenges_pass() {
        let ours = Freshness::new();
        let theirs = Freshness::new();
        let t = 1_780_000_000_000;
        let c = theirs.issue(at(t));
        assert!(ours.redeem(&c, at(t)).is_err());
        let mut forged = ours.issue(at(t));
        forged[20] ^= 1;
        assert!(ours.redeem(&forged, at(t)).is_err());
        // Moving the issue time forward breaks the MAC.
        let mut moved = ours.issue(at(t - 3_600_000));
        moved[..8].copy_from_slice(&t.to_be_bytes());
        assert!(ours.redeem(&moved, at(t)).is_err());
        for junk in [&[][..], &[0u8; 5], &[0u8; 64]] {
            assert!(ours.redeem(junk, at(t)).is_err());
        }
    }
}
