//! Every size and count limit of a record, in one place. The device checks them when a person
//! acts (so they can still shorten the text), and the hub checks the very same ones on whatever
//! arrives: a modified app gains nothing by skipping them.

/// A citizen's request text, a reply's result, a statement: a 12345 form field, not a document.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Notes, reasons, legal bases, opinions.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Names, places, phone numbers, case numbers, knowledge-base item ids, addresses.
pub const MAX_SHORT_CHARS: usize = 300;
/// Ids: orders, events, units, receipts.
pub const MAX_ID_CHARS: usize = 64;
/// Co-units of a dispatch, people present at a site, predecessors of an event.
pub const MAX_LIST_ITEMS: usize = 32;
/// Photos attached to one record.
pub const MAX_ATTACHMENTS: usize = 20;
/// The largest photo or clip, the same on the device (at intake) and at the hub (upload).
pub const MAX_BLOB_BYTES: u64 = 64 * 1024 * 1024;
/// Media types a photo or clip may have; the device sniffs the bytes, the hub checks again.
pub const MEDIA_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/heif",
    "video/mp4",
    "video/quicktime",
];

/// Bytes of a file's start that [`sniff_media_type`] needs.
pub const SNIFF_BYTES: usize = 64;

/// The media type a photo's first bytes say it is, if it is one of [`MEDIA_TYPES`]: a text file
/// or a program called `photo.jpg` is not a photo.
pub fn sniff_media_type(head: &[u8]) -> Option<&'static str> {
    let found = infer::get(head)?.mime_type();
    MEDIA_TYPES.iter().copied().find(|m| *m == found)
}

pub use crate::doc::{MAX_CHANGE_BYTES, MAX_CHANGE_RAW_BYTES};
