//! Photos taken on the device: sniffed, size-checked and stored as blobs before the action that references them is signed.

use super::*;

impl Device {
    /// On-site verification photos, each with its hash, size, type, capture time, GPS fix and
    /// device inside the signed change.
    pub fn add_evidence(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        photos: Vec<PhotoInput>,
        gps: Option<crate::model::GpsFix>,
        note: String,
        now: Timestamp,
    ) -> Result<OrderView, DeviceError> {
        if photos.is_empty() {
            return Err(DeviceError::bad_input(
                "photos",
                "at least one photo is needed",
            ));
        }
        if let Some(g) = &gps
            && !g.is_valid()
        {
            return Err(DeviceError::bad_input(
                "gps",
                "latitude/longitude out of range",
            ));
        }
        let refs = self.store_photos(who, order, photos)?;
        let action = Action::SiteEvidence(crate::model::SiteEvidence {
            photos: refs,
            gps,
            note,
        });
        self.act(who, order, action, now)
    }

    /// The on-site supervision form (现场督办情况表) with its photos.
    pub fn site_supervision(
        &mut self,
        who: Option<&str>,
        order: &OrderId,
        input: SiteSupervisionInput,
        now: Timestamp,
    ) -> Result<OrderView, DeviceError> {
        input.validate()?;
        let photos = self.store_photos(who, order, input.photos)?;
        let form = crate::model::SiteSupervisionForm {
            place: input.place,
            held_at: input.held_at,
            people_present: input.people_present,
            findings: input.findings,
            action_taken: input.action_taken,
            photos,
            gps: input.gps,
        };
        self.act(who, order, Action::SiteSupervision(form), now)
    }

    /// Streams photos for an existing order into the blob store, stamped with the device.
    pub(super) fn store_photos(
        &self,
        who: Option<&str>,
        order: &OrderId,
        photos: Vec<PhotoInput>,
    ) -> Result<Vec<AttachmentRef>, DeviceError> {
        self.check_writable()?;
        let device = self
            .identity(who)?
            .certificate
            .body
            .device_key
            .fingerprint();
        self.load(order)?;
        photos
            .into_iter()
            .map(|p| self.store_photo(p, &device))
            .collect()
    }

    /// Streams one photo into the blob store after checking what the hub will check again:
    /// its size ([`MAX_BLOB_BYTES`](crate::limits::MAX_BLOB_BYTES)) and, from its first bytes,
    /// that it is a photo or clip (the stored media type is the one the bytes show).
    pub(super) fn store_photo(
        &self,
        p: PhotoInput,
        device: &str,
    ) -> Result<AttachmentRef, DeviceError> {
        use crate::limits::{MAX_BLOB_BYTES, SNIFF_BYTES, sniff_media_type};
        use crate::workflow::WorkflowError;
        use std::io::Read;

        if let Some(g) = &p.gps
            && !g.is_valid()
        {
            return Err(DeviceError::bad_input(
                "gps",
                "latitude/longitude out of range",
            ));
        }
        let (mut source, size): (Box<dyn Read>, u64) = match p.source {
            PhotoSource::Path(path) => {
                let file = std::fs::File::open(&path).at(&path)?;
                let size = file.metadata().at(&path)?.len();
                (Box::new(file), size)
            }
            PhotoSource::Bytes(bytes) => {
                let size = bytes.len() as u64;
                (Box::new(std::io::Cursor::new(bytes)), size)
            }
        };
        let too_large = |size| {
            DeviceError::Workflow(WorkflowError::AttachmentTooLarge {
                size,
                max: MAX_BLOB_BYTES,
            })
        };
        if size > MAX_BLOB_BYTES {
            return Err(too_large(size));
        }
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut source)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|e| DeviceError::bad_input("photo", e.to_string()))?;
        let media_type = sniff_media_type(&head).ok_or_else(|| {
            DeviceError::Workflow(WorkflowError::NotAPhoto {
                declared: p.media_type.chars().take(100).collect(),
            })
        })?;
        // A file that grows while it is read still stops at the limit.
        let mut whole = std::io::Cursor::new(head).chain(source.take(MAX_BLOB_BYTES + 1));
        // Named by the city's digest (SM3 in an `sm` city): the signed record carries the name.
        let digest = crate::identity::ContentDigest::of_suite(self.trust.suite());
        let info = self.store.put_blob(&mut whole, media_type, digest)?;
        if info.size > MAX_BLOB_BYTES {
            return Err(too_large(info.size));
        }
        Ok(AttachmentRef {
            sha256: info.sha256,
            size: info.size,
            media_type: media_type.to_string(),
            captured_at: p.captured_at,
            gps: p.gps,
            device: Some(device.to_string()),
        })
    }
}
