//! What an intake says of its category: which one (and from which catalogue version), and the
//! values of the category's typed attributes — checked against that version on the device that
//! takes the request and again at the hub.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::CatalogueError;
use super::tree::{AttributeDef, AttributeType, Catalogue};
use crate::limits::{MAX_SHORT_CHARS, MAX_TEXT_CHARS};
use crate::model::{RequestKind, Timestamp};

/// The category an order is about, as chosen at intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRef {
    pub code: String,
    /// The catalogue version the intake form was filled from.
    pub version: u64,
}

/// One attribute's value. Tagged, so a number never reads as text or a choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AttributeValue {
    Text(String),
    Number(f64),
    Datetime(Timestamp),
    Choice(String),
    Choices(Vec<String>),
}

impl AttributeValue {
    /// How a form, the CLI or the SDK hands a value over: text, read by the attribute's type
    /// (a number; an RFC 3339 instant; a choice key; choice keys separated by commas).
    pub fn parse(def: &AttributeDef, text: &str) -> Result<AttributeValue, CatalogueError> {
        let bad = |problem: String| CatalogueError::BadAttributeValue {
            attribute: def.code.clone(),
            problem,
        };
        let text = text.trim();
        Ok(match def.datatype {
            AttributeType::String | AttributeType::Text => AttributeValue::Text(text.to_string()),
            AttributeType::Number => AttributeValue::Number(
                text.parse::<f64>()
                    .map_err(|_| bad(format!("`{text}` is not a number")))?,
            ),
            AttributeType::Datetime => AttributeValue::Datetime(
                chrono::DateTime::parse_from_rfc3339(text)
                    .map_err(|_| {
                        bad(format!(
                            "`{text}` is not a date and time like 2026-12-01T22:00:00+08:00"
                        ))
                    })?
                    .with_timezone(&chrono::Utc),
            ),
            AttributeType::SingleValueList => AttributeValue::Choice(text.to_string()),
            AttributeType::MultiValueList => AttributeValue::Choices(
                text.split([',', '，'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
        })
    }

    /// The value as a form shows it back.
    pub fn display(&self) -> String {
        match self {
            AttributeValue::Text(s) | AttributeValue::Choice(s) => s.clone(),
            AttributeValue::Number(n) => n.to_string(),
            AttributeValue::Datetime(t) => t.to_rfc3339(),
            AttributeValue::Choices(v) => v.join(","),
        }
    }
}

/// Checks one value against its definition.
fn check_value(def: &AttributeDef, value: &AttributeValue) -> Result<(), CatalogueError> {
    let bad = |problem: String| CatalogueError::BadAttributeValue {
        attribute: def.code.clone(),
        problem,
    };
    let choice = |key: &str| {
        if def.values.iter().any(|c| c.key == key) {
            Ok(())
        } else {
            Err(bad(format!("`{key}` is not one of its choices")))
        }
    };
    match (def.datatype, value) {
        (AttributeType::String, AttributeValue::Text(s))
        | (AttributeType::Text, AttributeValue::Text(s)) => {
            let max = if def.datatype == AttributeType::String {
                MAX_SHORT_CHARS
            } else {
                MAX_TEXT_CHARS
            };
            if s.trim().is_empty() {
                Err(bad("it is blank".into()))
            } else if s.chars().count() > max {
                Err(bad(format!("longer than {max} characters")))
            } else {
                Ok(())
            }
        }
        (AttributeType::Number, AttributeValue::Number(n)) if n.is_finite() => Ok(()),
        (AttributeType::Number, AttributeValue::Number(_)) => {
            Err(bad("not a finite number".into()))
        }
        (AttributeType::Datetime, AttributeValue::Datetime(_)) => Ok(()),
        (AttributeType::SingleValueList, AttributeValue::Choice(k)) => choice(k),
        (AttributeType::MultiValueList, AttributeValue::Choices(keys)) => {
            if keys.is_empty() {
                return Err(bad("no choice made".into()));
            }
            if keys.len() > def.values.len() {
                return Err(bad("a choice is made twice".into()));
            }
            for (i, k) in keys.iter().enumerate() {
                choice(k)?;
                if keys[..i].contains(k) {
                    return Err(bad(format!("`{k}` is chosen twice")));
                }
            }
            Ok(())
        }
        (t, _) => Err(bad(format!("a {} value was expected", t.as_str()))),
    }
}

/// The question of a form answered under `code`.
fn question<'a>(
    defs: &[&'a AttributeDef],
    category: &str,
    code: &str,
) -> Result<&'a AttributeDef, CatalogueError> {
    defs.iter()
        .find(|d| d.code == code)
        .copied()
        .ok_or_else(|| CatalogueError::UnknownAttribute {
            code: category.to_string(),
            attribute: code.to_string(),
        })
}

impl Catalogue {
    /// What an intake says of its category, against this catalogue: the category exists and
    /// takes the kind, every attribute given is the form's and well-typed, every required one
    /// is given.
    pub fn check_intake(
        &self,
        version: u64,
        kind: RequestKind,
        category: &str,
        attributes: &BTreeMap<String, AttributeValue>,
    ) -> Result<(), CatalogueError> {
        if self.category(category).is_none() {
            return Err(CatalogueError::UnknownCategory {
                code: category.to_string(),
                version,
            });
        }
        if !self.kinds(category).contains(&kind) {
            return Err(CatalogueError::KindNotAllowed {
                code: category.to_string(),
                kind: kind.as_str().to_string(),
            });
        }
        let defs = self.attributes(category);
        for (code, value) in attributes {
            let def = question(&defs, category, code)?;
            check_value(def, value)?;
        }
        if let Some(missing) = defs
            .iter()
            .find(|d| d.required && !attributes.contains_key(&d.code))
        {
            return Err(CatalogueError::MissingAttribute {
                code: category.to_string(),
                attribute: missing.code.clone(),
            });
        }
        Ok(())
    }

    /// Reads a form's answers (attribute code → text) into typed values.
    pub fn parse_attributes(
        &self,
        category: &str,
        answers: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, AttributeValue>, CatalogueError> {
        let defs = self.attributes(category);
        let mut out = BTreeMap::new();
        for (code, text) in answers {
            let def = question(&defs, category, code)?;
            out.insert(code.clone(), AttributeValue::parse(def, text)?);
        }
        Ok(out)
    }
}
