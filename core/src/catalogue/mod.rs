//! Categories and the dispatch catalogue (事项分类与派单目录): what a request is about, the typed
//! attributes its intake form asks, which unit handles it where, and which matters never go to
//! a township. Issued by the authority as signed, numbered data that every device receives
//! (kiosks included); pure here — the store keeps the versions, the device and the hub apply
//! them to intakes and dispatches.

mod attributes;
mod dispatch;
mod error;
mod file;
mod held;
mod signed;
mod tree;

pub use attributes::{AttributeValue, CategoryRef};
pub use dispatch::{DispatchEntry, DispatchRoute, Proposal, RecordedAmendment};
pub use error::CatalogueError;
pub use file::{DEFAULT_CATALOGUE_TOML, default_catalogue, parse_catalogue_toml};
pub use held::CatalogueSet;
pub use signed::{CatalogueIssueError, IssuedCatalogue, MAX_CATALOGUE_BYTES, SignedCatalogue};
pub use tree::{
    AttributeDef, AttributeType, Catalogue, Category, Choice, MAX_ATTRIBUTES, MAX_CATEGORIES,
    UnitClass,
};
