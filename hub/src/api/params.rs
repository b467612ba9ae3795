//! Query strings and form bodies read by hand rather than by an extractor, so every bad value
//! is the hub's typed JSON error (`api_query_invalid`) naming the parameter, not a plain-text
//! rejection.

use std::collections::HashMap;

use crate::errors::HubError;

/// Longest query string or form body read.
pub(crate) const MAX_PARAMS_BYTES: usize = 16 * 1024;

/// Decoded parameters; a repeated name keeps its first value.
#[derive(Debug, Default)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Params, HubError> {
        let raw = raw.unwrap_or("");
        if raw.len() > MAX_PARAMS_BYTES {
            return Err(HubError::BadQuery(format!(
                "longer than {MAX_PARAMS_BYTES} bytes"
            )));
        }
        let mut map = HashMap::new();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        Ok(Params(map))
    }

    /// A parameter given non-empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn number(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, HubError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(HubError::BadQuery(format!(
                "{name} must be a whole number from {min} to {max}"
            ))),
        }
    }

    /// An instant: RFC 3339 / ISO 8601 with an offset, as GeoReport dates are written.
    pub(crate) fn instant(&self, name: &str) -> Result<Option<i64>, HubError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        chrono::DateTime::parse_from_rfc3339(v)
            .map(|t| Some(t.timestamp_millis()))
            .map_err(|_| {
                HubError::BadQuery(format!(
                    "{name} must be a date and time with its offset (2026-12-03T09:00:00+08:00)"
                ))
            })
    }

    /// One of `choices` (by its wire name).
    pub(crate) fn choice<T: Copy>(
        &self,
        name: &str,
        choices: &[T],
        wire: impl Fn(T) -> &'static str,
    ) -> Result<Option<T>, HubError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        choices
            .iter()
            .copied()
            .find(|c| wire(*c) == v)
            .map(Some)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|c| wire(*c)).collect();
                HubError::BadQuery(format!("{name} must be one of {}", names.join(", ")))
            })
    }
}

/// A path segment the router matched, or the typed error for one that does not decode (say,
/// percent-escapes that are not UTF-8) instead of the router's plain-text rejection.
pub(crate) fn path_segment(
    p: Result<axum::extract::Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<String, HubError> {
    p.map(|axum::extract::Path(s)| s)
        .map_err(|_| HubError::BadQuery("the path is not valid UTF-8 text".into()))
}
