//! The knowledge base (知识库): items a unit or the center publishes and updates as signed
//! records, which every device receives — kiosks included, since nothing in them is about a
//! person — and searches offline. An inquiry answered from an item records the item's id and
//! version (`Action::InstantAnswer`), which counts for the direct-answer rate.
//!
//! Pure here: the record's fields and who may make it (`item`), its signature (`record`),
//! search terms (`terms`), the one-week update duty (`duty`). The store keeps the records and
//! the search index; the device and the hub check every record with the same functions.

mod duty;
mod errors;
mod item;
mod record;
pub mod terms;

pub use duty::{UPDATE_DAYS, UpdateDuty, days_late_by_unit, update_duties};
pub use errors::{KbError, Problem};
pub use item::{KbChange, KbFields, KbItem, KbRecord, MAX_KB_VERSION, MAX_TITLE_CHARS};
pub use record::{MAX_KB_RECORD_BYTES, SignedKb, VerifiedKb};
