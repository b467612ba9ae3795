//! 并单 and 拆单 on the center's device: merging repeated requests about one matter into one
//! order, and splitting an order that covers several matters into one order per matter. Each
//! is a few signed events on the orders concerned, written so that a crash between them loses
//! nothing: the order that ends is ended last.

use super::*;
use crate::workflow::WorkflowError;

/// One part of a split: what it is about, in the citizen's words, and its category's form.
#[derive(Debug, Clone, Default)]
pub struct SplitPart {
    pub text: String,
    /// The part's kind; the original's when `None`.
    pub kind: Option<crate::model::RequestKind>,
    pub category: Option<CategoryChoice>,
}

impl Device {
    /// The order's details, once `action` by this person would be accepted on it now: checked
    /// before the first of several writes, so none is made for an action that then fails.
    fn allowed(
        &self,
        who: Option<&str>,
        order: &OrderId,
        action: &Action,
        now: Timestamp,
    ) -> Result<OrderDetails, DeviceError> {
        let actor = self.identity(who)?.actor();
        let (_, state) = self.load(order)?;
        decide(&state, &actor, action, now, &self.policy, &self.calendar)?;
        state
            .details
            .ok_or_else(|| DeviceError::UnknownOrder(order.0.clone()))
    }

    /// Merges `duplicate` into `into`: `into` takes the duplicate's citizen (absorb, so they
    /// are called back on it), then the duplicate ends as merged — its receipt shows `into`'s
    /// status from then on. Both orders must be held here; the merge is checked before
    /// anything is written.
    pub fn merge(
        &mut self,
        who: Option<&str>,
        duplicate: &OrderId,
        into: &OrderId,
        note: &str,
        now: Timestamp,
    ) -> Result<OrderView, DeviceError> {
        self.check_writable()?;
        let merge = Action::MergeInto {
            into: into.clone(),
            note: note.to_string(),
        };
        let receipt = self.allowed(who, duplicate, &merge, now)?.receipt;
        let (_, target) = self.load(into)?;
        // A merge interrupted after the absorb is finished by running it again.
        if !target.absorbed.iter().any(|a| &a.order == duplicate) {
            self.write(
                who,
                into,
                Action::Absorb {
                    order: duplicate.clone(),
                    receipt,
                    note: note.to_string(),
                },
                Vec::new(),
                now,
            )?;
        }
        self.write(who, duplicate, merge, Vec::new(), now)?;
        self.show(into)
    }

    /// Splits `order` into one new order per part (each with its own category and form, the
    /// original's place, photos and sealed contact, and `split_from` naming the original),
    /// then ends the original as split — its receipt lists the parts' statuses.
    pub fn split(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        parts: Vec<SplitPart>,
        note: &str,
        now: Timestamp,
    ) -> Result<Vec<Submitted>, DeviceError> {
        self.check_writable()?;
        let ids: Vec<OrderId> = parts
            .iter()
            .map(|_| OrderId::new(random_id("wo-", 10)))
            .collect();
        let split = Action::Split {
            parts: ids.clone(),
            note: note.to_string(),
        };
        let original = self.allowed(who, order, &split, now)?;
        if parts.iter().any(|p| p.text.trim().is_empty()) {
            return Err(DeviceError::bad_input("text", "a part's text is empty"));
        }
        // Every part's form is read before any part is written.
        let forms = parts
            .iter()
            .map(|p| self.read_form(p.kind.unwrap_or(original.kind), p.category.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        // The citizen's contact goes with every part, sealed to the platform again: opened in
        // memory only, and entered in the access log like any opening.
        let contact = match self.contact(
            who,
            order,
            "拆单：联系方式随各分单重新加密 / split: the contact re-sealed to each part",
            now,
        ) {
            Ok(c) => Some(c),
            Err(DeviceError::ContactNotVisible) => None,
            Err(e) => return Err(e),
        };
        let mut made = Vec::new();
        for ((part, id), (category, attributes)) in parts.into_iter().zip(&ids).zip(forms) {
            let sealed = match &contact {
                Some(c) => vec![(
                    PLATFORM_RECIPIENT.to_string(),
                    c.seal_to(&self.platform_sealing, &mut OsRng)?.into_bytes(),
                )],
                None => Vec::new(),
            };
            let receipt = crate::receipt::generate(&mut OsRng);
            let details = OrderDetails {
                id: id.clone(),
                receipt: receipt.clone(),
                kind: part.kind.unwrap_or(original.kind),
                text: part.text,
                category,
                attributes,
                split_from: Some(order.clone()),
                ..original.clone()
            };
            self.write(who, id, Action::Submit { details }, sealed, now)?;
            made.push(Submitted {
                order: id.clone(),
                receipt: receipt.0,
            });
        }
        if made.is_empty() {
            return Err(WorkflowError::NothingToDecide { action: "split" }.into());
        }
        self.write(who, order, split, Vec::new(), now)?;
        Ok(made)
    }
}
