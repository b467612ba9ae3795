//! Who calls the JSON API: the key the authority issued (only its digest is in
//! `authority.json`), the certificate it is bound to — known, unrevoked and valid now —, and
//! that certificate's rate. What the caller may read is derived from that certificate alone,
//! as for a sync: never from anything the request says about itself.

use axum::http::HeaderMap;
use hotline_core::api_key::{ApiKeyRecord, token_digest};
use hotline_core::identity::Certificate;

use crate::errors::HubError;
use crate::state::{Hub, View};

/// A caller whose key and certificate were checked.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) key: ApiKeyRecord,
    pub(crate) cert: Certificate,
}

/// The bearer token of `Authorization`, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Checks a presented token and charges its certificate's rate. Blocking (the view may reload
/// the authority file).
pub(crate) fn caller(hub: &Hub, view: &View, token: Option<&str>) -> Result<Caller, HubError> {
    let who = key_holder(hub, view, token)?;
    hub.rate.check(&who.cert.body.id.0)?;
    Ok(who)
}

/// [`caller`] without the charge: a long-poll or a stream checks again, each time it looks,
/// that its key and certificate still stand (revoked meanwhile: it stops), but it paid once.
pub(crate) fn key_holder(hub: &Hub, view: &View, token: Option<&str>) -> Result<Caller, HubError> {
    let token = token.ok_or(HubError::TokenMissing)?;
    let key = view
        .api_keys
        .get(&token_digest(token))
        .ok_or(HubError::TokenUnknown)?;
    if key.revoked_at.is_some() {
        return Err(HubError::TokenRevoked(key.id.clone()));
    }
    let now = hub.options.clock.now();
    let cert = view.trust.check_certificate(&key.cert, now)?.clone();
    Ok(Caller {
        key: key.clone(),
        cert,
    })
}
