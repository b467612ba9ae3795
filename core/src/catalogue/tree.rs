//! The category tree (事项分类) and the unit classes of a catalogue, validated: what a request is
//! about, which request kinds each category takes, which typed attributes its intake form asks
//! for (Open311 style), and which categories are a functional department's matter.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::CatalogueError;
use super::dispatch::DispatchEntry;
use crate::model::{RequestKind, UnitId};

/// Most categories, attributes per category and choices per attribute a catalogue may hold:
/// a city's tree has a few hundred categories; the bounds keep a damaged or hostile file from
/// costing a phone its memory.
pub const MAX_CATEGORIES: usize = 5_000;
pub const MAX_ATTRIBUTES: usize = 64;
pub const MAX_CHOICES: usize = 200;
pub const MAX_DISPATCH_ENTRIES: usize = 50_000;
pub(super) const MAX_NAME_CHARS: usize = 100;

/// One city's categories, unit classes and dispatch catalogue, as the authority issues them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Catalogue {
    /// In the file's order: parents need not come first.
    pub categories: Vec<Category>,
    /// What kind of unit each handling unit is (sub-units take their unit's class).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub units: BTreeMap<UnitId, UnitClass>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dispatch: Vec<DispatchEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    /// The request kinds it takes; empty: its parent's (every kind at the top).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<RequestKind>,
    /// A functional department's matter (职能部门事项): never dispatched to a township unit
    /// (国办函〔2025〕66号). Holds for every category below it too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub functional: bool,
    /// Asked by its intake form, after those of its ancestors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeDef>,
}

/// One typed question of a category's intake form (Open311 `attributes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeDef {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub datatype: AttributeType,
    #[serde(default)]
    pub required: bool,
    /// The choices of a `singlevaluelist` or `multivaluelist`; empty for the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Choice>,
}

/// Open311's attribute datatypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeType {
    String,
    Number,
    Datetime,
    Text,
    SingleValueList,
    MultiValueList,
}

impl AttributeType {
    pub const ALL: [AttributeType; 6] = [
        AttributeType::String,
        AttributeType::Number,
        AttributeType::Datetime,
        AttributeType::Text,
        AttributeType::SingleValueList,
        AttributeType::MultiValueList,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeType::String => "string",
            AttributeType::Number => "number",
            AttributeType::Datetime => "datetime",
            AttributeType::Text => "text",
            AttributeType::SingleValueList => "singlevaluelist",
            AttributeType::MultiValueList => "multivaluelist",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
    pub fn is_list(self) -> bool {
        matches!(
            self,
            AttributeType::SingleValueList | AttributeType::MultiValueList
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

/// What kind of unit a handling unit is: the grassroots rule and per-class assessment read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitClass {
    /// 乡镇（街道）: a grassroots unit.
    Township,
    /// 职能部门.
    Department,
    /// The hotline center.
    Center,
    /// Enterprises, public institutions and others (水电气暖公司等).
    Other,
}

impl UnitClass {
    pub const ALL: [UnitClass; 4] = [
        UnitClass::Township,
        UnitClass::Department,
        UnitClass::Center,
        UnitClass::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            UnitClass::Township => "township",
            UnitClass::Department => "department",
            UnitClass::Center => "center",
            UnitClass::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A code of a category, attribute or choice: short, plain, stable.
pub(super) fn valid_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn named(name_zh: &str, name_en: &str) -> bool {
    let ok = |s: &str| !s.trim().is_empty() && s.chars().count() <= MAX_NAME_CHARS;
    ok(name_zh) && ok(name_en)
}

impl Catalogue {
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// The category and its ancestors, itself first. Stops at a missing parent or after as
    /// many steps as there are categories (a validated catalogue has neither).
    pub fn lineage(&self, code: &str) -> Vec<&Category> {
        let mut out: Vec<&Category> = Vec::new();
        let mut next = self.category(code);
        while let Some(c) = next {
            if out.len() > self.categories.len() || out.iter().any(|o| o.code == c.code) {
                break;
            }
            out.push(c);
            next = c.parent.as_deref().and_then(|p| self.category(p));
        }
        out
    }

    /// The request kinds the category takes: its own list, else the nearest ancestor's, else all.
    pub fn kinds(&self, code: &str) -> Vec<RequestKind> {
        self.lineage(code)
            .into_iter()
            .find(|c| !c.kinds.is_empty())
            .map_or_else(|| RequestKind::ALL.to_vec(), |c| c.kinds.clone())
    }

    /// Whether the category, or one above it, is a functional department's matter.
    pub fn is_functional(&self, code: &str) -> bool {
        self.lineage(code).iter().any(|c| c.functional)
    }

    /// The attributes its intake form asks, the top ancestor's first.
    pub fn attributes(&self, code: &str) -> Vec<&AttributeDef> {
        let mut lineage = self.lineage(code);
        lineage.reverse();
        lineage.iter().flat_map(|c| c.attributes.iter()).collect()
    }

    /// The categories right below `parent` (the top level for `None`), in the file's order.
    pub fn children(&self, parent: Option<&str>) -> Vec<&Category> {
        self.categories
            .iter()
            .filter(|c| c.parent.as_deref() == parent)
            .collect()
    }

    /// The class of a unit; a sub-unit (`town-a/village-1`) has its unit's.
    pub fn unit_class(&self, unit: &UnitId) -> Option<UnitClass> {
        self.units
            .get(unit)
            .copied()
            .or_else(|| unit.parent().and_then(|p| self.unit_class(&p)))
    }

    /// The grassroots rule: a functional department's matter is not dispatched to a township.
    pub fn check_lead(&self, category: &str, lead: &UnitId) -> Result<(), CatalogueError> {
        if self.is_functional(category) && self.unit_class(lead) == Some(UnitClass::Township) {
            return Err(CatalogueError::FunctionalMatterToTownship {
                category: category.to_string(),
                unit: lead.0.clone(),
            });
        }
        Ok(())
    }

    /// Every rule a catalogue must keep, whoever wrote it: checked on the authority's file and
    /// again on every signed catalogue a device receives.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        if self.categories.len() > MAX_CATEGORIES {
            return Err(CatalogueError::Syntax {
                message: format!("more than {MAX_CATEGORIES} categories"),
            });
        }
        let mut codes = BTreeSet::new();
        for c in &self.categories {
            if !valid_code(&c.code) {
                return Err(CatalogueError::BadCode {
                    code: c.code.clone(),
                });
            }
            if !codes.insert(c.code.as_str()) {
                return Err(CatalogueError::DuplicateCode {
                    code: c.code.clone(),
                });
            }
            if !named(&c.name_zh, &c.name_en) {
                return Err(CatalogueError::MissingName {
                    code: c.code.clone(),
                });
            }
        }
        for c in &self.categories {
            if let Some(parent) = &c.parent
                && !codes.contains(parent.as_str())
            {
                return Err(CatalogueError::UnknownParent {
                    code: c.code.clone(),
                    parent: parent.clone(),
                });
            }
        }
        self.check_acyclic()?;
        for c in &self.categories {
            self.check_attributes(c)?;
        }
        self.check_dispatch()
    }

    fn check_acyclic(&self) -> Result<(), CatalogueError> {
        let parent: BTreeMap<&str, Option<&str>> = self
            .categories
            .iter()
            .map(|c| (c.code.as_str(), c.parent.as_deref()))
            .collect();
        for c in &self.categories {
            let mut at = c.parent.as_deref();
            let mut steps = 0;
            while let Some(p) = at {
                steps += 1;
                if p == c.code || steps > self.categories.len() {
                    return Err(CatalogueError::Cycle {
                        code: c.code.clone(),
                    });
                }
                at = parent.get(p).copied().flatten();
            }
        }
        Ok(())
    }

    fn check_attributes(&self, c: &Category) -> Result<(), CatalogueError> {
        let bad = |attribute: &str, problem: &str| CatalogueError::BadAttributeDefinition {
            code: c.code.clone(),
            attribute: attribute.to_string(),
            problem: problem.to_string(),
        };
        let all = self.attributes(&c.code);
        if all.len() > MAX_ATTRIBUTES {
            return Err(bad("", &format!("more than {MAX_ATTRIBUTES} attributes")));
        }
        let mut seen = BTreeSet::new();
        for a in all {
            if !valid_code(&a.code) {
                return Err(bad(
                    &a.code,
                    "the code must be 1 to 32 letters, digits, -, _ or .",
                ));
            }
            if !seen.insert(a.code.as_str()) {
                return Err(bad(&a.code, "the code is used twice in this form"));
            }
            if !named(&a.name_zh, &a.name_en) {
                return Err(bad(&a.code, "a name in Chinese and in English is required"));
            }
            if a.datatype.is_list() {
                if a.values.is_empty() || a.values.len() > MAX_CHOICES {
                    return Err(bad(
                        &a.code,
                        &format!("a list needs 1 to {MAX_CHOICES} choices"),
                    ));
                }
                let mut keys = BTreeSet::new();
                for v in &a.values {
                    if !valid_code(&v.key) || !keys.insert(v.key.as_str()) {
                        return Err(bad(
                            &a.code,
                            &format!("choice `{}` is invalid or twice", v.key),
                        ));
                    }
                    if !named(&v.name_zh, &v.name_en) {
                        return Err(bad(
                            &a.code,
                            &format!("choice `{}` needs both names", v.key),
                        ));
                    }
                }
            } else if !a.values.is_empty() {
                return Err(bad(&a.code, "only a list attribute has choices"));
            }
        }
        Ok(())
    }
}
