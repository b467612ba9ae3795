//! The kiosk's knowledge-base hook. Until the core carries the city's signed offline knowledge
//! base, the app plugs its own in here; the kiosk screen searches through the device, and an
//! inquiry answered from an item is recorded with `WorkflowAction.InstantAnswer { kb_item }`.
//! When the core's knowledge base lands, `search_knowledge` serves it and this hook stays as an
//! override.

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
