//! The catalogue file an authority writes (TOML): `[[category]]` with `[[category.attribute]]`,
//! `[[unit]]` and `[[dispatch]]` tables. Read into plain strings first, so an unknown attribute
//! type, request kind or unit class is a typed error naming where it is, not a parser message.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::CatalogueError;
use super::dispatch::{DispatchEntry, DispatchRoute};
use super::tree::{AttributeDef, AttributeType, Catalogue, Category, Choice, UnitClass};
use crate::model::{RequestKind, StatutoryLimit, UnitId};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    category: Vec<RawCategory>,
    #[serde(default)]
    unit: Vec<RawUnit>,
    #[serde(default)]
    dispatch: Vec<RawDispatch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    code: String,
    parent: Option<String>,
    name_zh: String,
    name_en: String,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    functional: bool,
    #[serde(default)]
    attribute: Vec<RawAttribute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttribute {
    code: String,
    name_zh: String,
    name_en: String,
    #[serde(rename = "type")]
    datatype: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    values: Vec<Choice>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    id: String,
    class: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDispatch {
    category: String,
    #[serde(default)]
    division: String,
    lead: String,
    #[serde(default)]
    assisting: Vec<String>,
    statutory_limit: Option<StatutoryLimit>,
}

/// Reads and validates a catalogue file.
pub fn parse_catalogue_toml(text: &str) -> Result<Catalogue, CatalogueError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| CatalogueError::Syntax {
        message: e.message().to_string(),
    })?;
    let mut categories = Vec::with_capacity(raw.category.len());
    for c in raw.category {
        let mut kinds = Vec::new();
        for k in &c.kinds {
            kinds.push(
                RequestKind::parse(k).ok_or_else(|| CatalogueError::UnknownKind {
                    code: c.code.clone(),
                    kind: k.clone(),
                })?,
            );
        }
        let mut attributes = Vec::new();
        for a in c.attribute {
            let datatype = AttributeType::parse(&a.datatype).ok_or_else(|| {
                CatalogueError::UnknownAttributeType {
                    code: c.code.clone(),
                    attribute: a.code.clone(),
                    datatype: a.datatype.clone(),
                }
            })?;
            attributes.push(AttributeDef {
                code: a.code,
                name_zh: a.name_zh,
                name_en: a.name_en,
                datatype,
                required: a.required,
                values: a.values,
            });
        }
        categories.push(Category {
            code: c.code,
            parent: c.parent,
            name_zh: c.name_zh,
            name_en: c.name_en,
            kinds,
            functional: c.functional,
            attributes,
        });
    }
    let mut units = BTreeMap::new();
    for u in raw.unit {
        let class = UnitClass::parse(&u.class).ok_or_else(|| CatalogueError::UnknownUnitClass {
            unit: u.id.clone(),
            class: u.class.clone(),
        })?;
        units.insert(UnitId::new(u.id), class);
    }
    let dispatch = raw
        .dispatch
        .into_iter()
        .map(|d| DispatchEntry {
            route: DispatchRoute {
                category: d.category,
                division: d.division,
                lead: UnitId::new(d.lead),
                assisting: d.assisting.into_iter().map(UnitId::new).collect(),
            },
            statutory_limit: d.statutory_limit,
        })
        .collect();
    let catalogue = Catalogue {
        categories,
        units,
        dispatch,
    };
    catalogue.validate()?;
    Ok(catalogue)
}

/// The tree hotline ships for a prefecture-level city (no units, no dispatch entries: those
/// are the city's own). `hotline hub init` issues it as version 1.
pub const DEFAULT_CATALOGUE_TOML: &str = include_str!("default.toml");

pub fn default_catalogue() -> Result<Catalogue, CatalogueError> {
    parse_catalogue_toml(DEFAULT_CATALOGUE_TOML)
}
