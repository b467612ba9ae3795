//! The kiosk's knowledge-base hook: an app may plug in a knowledge base of its own, which
//! `search_knowledge` then serves instead of the city's signed one the device holds (`kb.rs`:
//! `kb_search`, `answer_from_kb`, which record the item's version with the answer).

use crate::HotlineError;

/// One answer of the knowledge base (知识库条目).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct KnowledgeItem {
    /// Stable id, recorded in `InstantAnswer.kb_item`.
    pub id: String,
    pub title: String,
    pub answer: String,
}

#[uniffi::export(foreign)]
pub trait KnowledgeBase: Send + Sync {
    fn search(&self, query: String, limit: u32) -> Result<Vec<KnowledgeItem>, HotlineError>;
}
