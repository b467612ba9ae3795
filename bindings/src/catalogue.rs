//! The city's categories and dispatch catalogue as an app sees them: the category tree with
//! each category's intake form (typed attributes, Open311 style), the answers an intake gives,
//! the dispatch proposal for an order, and the order's details with its category.

use hotline_core::catalogue::{AttributeDef, Catalogue, CategoryRef, DispatchRoute, Proposal};
use hotline_core::device::CategoryChoice;
use hotline_core::model::{
    AttachmentRef, Channel, EmergencyCategory, Location, OrderId, Origin, ReceiptCode, RequestKind,
    UnitId, Urgency,
};

#[uniffi::remote(Record)]
pub struct DispatchRoute {
    pub category: String,
    pub division: String,
    pub lead: UnitId,
    pub assisting: Vec<UnitId>,
}

#[uniffi::remote(Record)]
pub struct CategoryRef {
    pub code: String,
    pub version: u64,
}

/// One choice of a list attribute.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChoiceInfo {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

/// One question of a category's intake form.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AttributeInfo {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `string`, `number`, `datetime` (RFC 3339), `text`, `singlevaluelist` (one choice key)
    /// or `multivaluelist` (choice keys separated by commas).
    pub datatype: String,
    pub required: bool,
    pub choices: Vec<ChoiceInfo>,
}

/// A category with everything its intake form asks (its ancestors' questions first).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CategoryInfo {
    pub code: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    /// The request kinds it takes.
    pub kinds: Vec<RequestKind>,
    /// A functional department's matter: never dispatched to a township unit.
    pub functional: bool,
    pub has_children: bool,
    pub attributes: Vec<AttributeInfo>,
}

fn attribute_info(a: &AttributeDef) -> AttributeInfo {
    AttributeInfo {
        code: a.code.clone(),
        name_zh: a.name_zh.clone(),
        name_en: a.name_en.clone(),
        datatype: a.datatype.as_str().to_string(),
        required: a.required,
        choices: a
            .values
            .iter()
            .map(|c| ChoiceInfo {
                key: c.key.clone(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
            })
            .collect(),
    }
}

pub(crate) fn category_info(catalogue: &Catalogue, code: &str) -> Option<CategoryInfo> {
    let c = catalogue.category(code)?;
    Some(CategoryInfo {
        code: c.code.clone(),
        parent: c.parent.clone(),
        name_zh: c.name_zh.clone(),
        name_en: c.name_en.clone(),
        kinds: catalogue.kinds(code),
        functional: catalogue.is_functional(code),
        has_children: !catalogue.children(Some(code)).is_empty(),
        attributes: catalogue
            .attributes(code)
            .into_iter()
            .map(attribute_info)
            .collect(),
    })
}

/// One answer of an intake form: the attribute's code and the value as typed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AttributeAnswer {
    pub code: String,
    pub value: String,
}

/// The category an intake is about, with its form's answers.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CategoryInput {
    pub code: String,
    #[uniffi(default = [])]
    pub answers: Vec<AttributeAnswer>,
}

impl From<CategoryInput> for CategoryChoice {
    fn from(c: CategoryInput) -> Self {
        CategoryChoice {
            code: c.code,
            answers: c.answers.into_iter().map(|a| (a.code, a.value)).collect(),
        }
    }
}

/// One part of a split (拆单): its text, its kind (the original's when `None`), its category.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SplitPartInput {
    pub text: String,
    #[uniffi(default = None)]
    pub kind: Option<RequestKind>,
    #[uniffi(default = None)]
    pub category: Option<CategoryInput>,
}

impl From<SplitPartInput> for hotline_core::device::SplitPart {
    fn from(p: SplitPartInput) -> Self {
        hotline_core::device::SplitPart {
            text: p.text,
            kind: p.kind,
            category: p.category.map(Into::into),
        }
    }
}

/// Whom the dispatch catalogue proposes for an order.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DispatchProposal {
    pub lead: UnitId,
    pub assisting: Vec<UnitId>,
    /// The entry it came from: its category (the order's or an ancestor's) and division.
    pub category: String,
    pub division: String,
    /// Set by a return decision's amendment rather than the issued catalogue.
    pub amended: bool,
}

impl From<Proposal> for DispatchProposal {
    fn from(p: Proposal) -> Self {
        DispatchProposal {
            lead: p.lead,
            assisting: p.assisting,
            category: p.category,
            division: p.division,
            amended: p.amended_by.is_some(),
        }
    }
}

/// What the citizen asked, as an app shows it (the core's details, with the category's
/// answers as text).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OrderDetails {
    pub id: OrderId,
    pub receipt: ReceiptCode,
    pub kind: RequestKind,
    pub urgency: Urgency,
    pub channel: Channel,
    pub text: String,
    pub location: Location,
    pub confidential: bool,
    pub attachments: Vec<AttachmentRef>,
    pub origin: Origin,
    pub emergency_category: Option<EmergencyCategory>,
    pub category: Option<CategoryRef>,
    pub attributes: Vec<AttributeAnswer>,
    /// 拆单: the order this one was split from.
    pub split_from: Option<OrderId>,
}

impl From<hotline_core::model::OrderDetails> for OrderDetails {
    fn from(d: hotline_core::model::OrderDetails) -> Self {
        OrderDetails {
            id: d.id,
            receipt: d.receipt,
            kind: d.kind,
            urgency: d.urgency,
            channel: d.channel,
            text: d.text,
            location: d.location,
            confidential: d.confidential,
            attachments: d.attachments,
            origin: d.origin,
            emergency_category: d.emergency_category,
            category: d.category,
            attributes: d
                .attributes
                .iter()
                .map(|(code, v)| AttributeAnswer {
                    code: code.clone(),
                    value: v.display(),
                })
                .collect(),
            split_from: d.split_from,
        }
    }
}
