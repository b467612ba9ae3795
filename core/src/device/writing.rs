//! Writing: every user action checked by the workflow, signed, sealed for whom it concerns and stored with its index row in one transaction.

use super::*;

impl Device {
    /// A citizen's request, from a kiosk or an intake agent. Photos are streamed into the
    /// blob store; contact details are sealed to the platform and never stored readable.
    pub fn submit(
        &mut self,
        who: Option<&str>,
        req: SubmitRequest,
        now: Timestamp,
    ) -> Result<Submitted, DeviceError> {
        self.submit_with_match(who, req, None, now)
    }

    /// [`Device::submit`], recording the earlier order the citizen chose to join or repeat
    /// (checked by [`Device::submit_matched`]).
    pub(super) fn submit_with_match(
        &mut self,
        who: Option<&str>,
        req: SubmitRequest,
        intake_match: Option<crate::model::IntakeMatch>,
        now: Timestamp,
    ) -> Result<Submitted, DeviceError> {
        self.check_writable()?;
        req.validate()?;
        let identity = self.identity(who)?;
        let device = identity.certificate.body.device_key.fingerprint();
        let sealed = match &req.contact {
            Some(c)
                if [&c.name, &c.phone, &c.id_number]
                    .iter()
                    .any(|f| f.as_deref().is_some_and(|v| !v.trim().is_empty())) =>
            {
                vec![(
                    PLATFORM_RECIPIENT.to_string(),
                    c.seal_to(&self.platform_sealing, &mut OsRng)?.into_bytes(),
                )]
            }
            _ => Vec::new(),
        };
        // The form is read against the newest catalogue before anything is stored.
        let (category, attributes) = self.read_form(req.kind, req.category.as_ref())?;
        let mut attachments = Vec::new();
        for photo in req.photos {
            attachments.push(self.store_photo(photo, &device)?);
        }
        let order = OrderId::new(random_id("wo-", 10));
        let receipt = crate::receipt::generate(&mut OsRng);
        let details = OrderDetails {
            id: order.clone(),
            receipt: receipt.clone(),
            kind: req.kind,
            urgency: req.urgency,
            channel: req.channel,
            text: req.text,
            location: req.location,
            confidential: req.confidential,
            attachments,
            origin: req.origin,
            emergency_category: req.emergency_category,
            category,
            attributes,
            split_from: None,
            intake_match,
        };
        let who = who.map(str::to_string);
        self.write(
            who.as_deref(),
            &order,
            Action::Submit { details },
            sealed,
            now,
        )?;
        Ok(Submitted {
            order,
            receipt: receipt.0,
        })
    }

    /// Any workflow action on an order, by the person acting on this device.
    pub fn act(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        action: Action,
        now: Timestamp,
    ) -> Result<OrderView, DeviceError> {
        self.check_writable()?;
        if let Action::Dispatch {
            lead,
            override_reason,
            ..
        } = &action
        {
            self.check_dispatch_override(order, lead, override_reason.as_deref())?;
        }
        let sealed = self.sealed_copies_for(who, order, &action)?;
        let state = self.write(who, order, action, sealed, now)?;
        Ok(self.view(state))
    }

    pub(super) fn view(&self, state: OrderState) -> OrderView {
        match workflow::deadlines(&state, &self.policy, &self.calendar) {
            Ok(d) => OrderView {
                state,
                deadlines: Some(d),
                deadline_error: None,
            },
            Err(e) => OrderView {
                state,
                deadlines: None,
                deadline_error: Some(crate::Coded::code(&e)),
            },
        }
    }

    /// Copies of the citizen's contact sealed on: to the lead unit and any separate units on
    /// dispatch, when this device can open the platform copy; to a sub-unit when the lead unit
    /// passes the order on (Turpan), opened with the unit's key. Never for a confidential order.
    pub(super) fn sealed_copies_for(
        &self,
        who: Option<&str>,
        order: &OrderId,
        action: &Action,
    ) -> Result<Vec<SealedCopy>, DeviceError> {
        let identity = self.identity(who)?;
        let (targets, opener, from): (Vec<&UnitId>, _, _) = match action {
            Action::Dispatch {
                lead,
                separate_units,
                ..
            } => (
                std::iter::once(lead).chain(separate_units).collect(),
                identity.platform_sealing.as_ref(),
                PLATFORM_RECIPIENT.to_string(),
            ),
            Action::PassOn { sub_unit, .. } => (
                vec![sub_unit],
                identity.unit_sealing.as_ref(),
                unit_recipient(&identity.certificate.body.unit),
            ),
            _ => return Ok(Vec::new()),
        };
        let Some(opener) = opener else {
            return Ok(Vec::new());
        };
        let (doc, state) = self.load(order)?;
        if state.is_confidential() {
            return Ok(Vec::new());
        }
        let sealed = doc.sealed();
        let Some((_, bytes)) = sealed.iter().find(|(r, _)| *r == from) else {
            return Ok(Vec::new());
        };
        let mut copies = Vec::new();
        for to in targets {
            // A unit's copy is written once: records are append-only, and a second dispatch to
            // the same unit would otherwise overwrite it (which every receiver refuses).
            let recipient = unit_recipient(to);
            let Some(to_key) = self.unit_directory.get(to) else {
                continue;
            };
            if sealed.iter().any(|(r, _)| *r == recipient) {
                continue;
            }
            let copy = SealedContact::from_bytes(bytes.clone()).reseal_for_unit(
                opener.as_ref(),
                to_key,
                false,
                &mut OsRng,
            )?;
            copies.push((recipient, copy.into_bytes()));
        }
        Ok(copies)
    }

    /// Checks, signs and stores one action as one change, in one transaction.
    pub(super) fn write(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        action: Action,
        sealed: Vec<SealedCopy>,
        now: Timestamp,
    ) -> Result<OrderState, DeviceError> {
        let identity = self.identity(who)?;
        self.trust
            .check_certificate(&identity.certificate.body.id, now)?;
        let actor = identity.actor();
        let is_submit = matches!(action, Action::Submit { .. });
        let (doc, state) = if is_submit {
            (None, OrderState::new())
        } else {
            let (d, s) = self.load(order)?;
            (Some(d), s)
        };
        // An event never claims a time before what its author has seen: a phone whose clock
        // is behind stamps its action at the latest time it knows of instead, so every replica
        // (and the hub's back-dating check) agrees on the order of cause and effect.
        let after = match &doc {
            Some(d) => d.event_heads()?,
            None => Vec::new(),
        };
        let at = state
            .history
            .iter()
            .filter(|h| after.contains(&h.event.id))
            .map(|h| h.event.at)
            .max()
            .map_or(now, |seen| seen.max(now));
        decide(&state, &actor, &action, at, &self.policy, &self.calendar)?;
        // The device that fills a form holds the version it names; for anything else the
        // order's version may predate this device (the hub checks every version strictly).
        let strict = matches!(action, Action::Submit { .. });
        self.catalogues
            .check_action(state.details.as_ref(), &action, strict)?;
        let event = Event {
            id: EventId::new(random_id("ev-", 12)),
            actor,
            at,
            after,
            action,
        };
        workflow::check_sizes(&event)?;
        super::admission::check_content_names(&event.action, self.trust.suite())?;
        let doc_actor = doc::actor_for_device(identity.certificate.body.device_key.as_bytes());
        let (doc, change) = match doc {
            None => OrderDoc::create(order, doc_actor, &event, &sealed)?,
            Some(mut d) => {
                d.set_actor(doc_actor);
                let c = d.append(&event, &sealed)?;
                (d, c)
            }
        };
        // The compressed form (DEFLATE above 256 bytes) is what is signed, stored and sent: the
        // change hash is the same either way, and a record with a long Chinese text shrinks.
        let mut change = change;
        let envelope = SignedEnvelope::sign(
            change.bytes().to_vec(),
            &identity.certificate,
            identity.custody.as_ref(),
        )?;
        let stored = StoredChange {
            order: order.clone(),
            hash: change.hash().to_string(),
            event_id: event.id.0.clone(),
            cert_id: envelope.signer.0.clone(),
            signature: envelope.signature.to_tagged_bytes(),
            bytes: envelope.payload,
        };
        let attachments = event.action.attachments().to_vec();
        self.commit(doc, vec![stored], sealed, attachments, now)
    }

    pub(super) fn commit(
        &mut self,
        doc: OrderDoc,
        changes: Vec<StoredChange>,
        sealed: Vec<SealedCopy>,
        attachments: Vec<AttachmentRef>,
        now: Timestamp,
    ) -> Result<OrderState, DeviceError> {
        let events = doc.events()?;
        let state = fold(&events, &self.policy, &self.calendar);
        let index = index_row::build(doc.order(), &state, &self.policy, &self.calendar, now)?;
        let record = ActionRecord {
            order: doc.order().clone(),
            changes,
            index,
            sealed_contacts: sealed,
            attachments,
        };
        if let Err(e) = self.store.record(&record) {
            self.cache.borrow_mut().forget(doc.order());
            return Err(e.into());
        }
        let count = self.store.change_count_for(doc.order())?;
        self.cache.borrow_mut().put(doc, count);
        Ok(state)
    }
}
