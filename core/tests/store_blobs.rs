//! Content-addressed blobs: streaming, dedup, verification, refusal of wrong content and of
//! hashes that are not hashes.

use std::io::Read;

use hotline_core::Coded;
use hotline_core::identity::ContentDigest;
use hotline_core::store::Store;
use hotline_testkit::store::{files_under, new_store};
use sha2::{Digest, Sha256};

/// Produces `remaining` pseudo-random bytes without holding them: a 20 MB "photo" that never
/// exists in memory. Records the largest buffer it was asked to fill.
struct Generated {
    remaining: u64,
    state: u64,
    largest_read: usize,
}

impl Generated {
    fn new(len: u64, seed: u64) -> Self {
        Generated {
            remaining: len,
            state: seed | 1,
            largest_read: 0,
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.largest_read = self.largest_read.max(buf.len());
        let n = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        for chunk in buf[..n].chunks_mut(8) {
            // xorshift64
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            chunk.copy_from_slice(&self.state.to_le_bytes()[..chunk.len()]);
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

fn sha256_of(mut r: impl Read) -> String {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    hex::encode(h.finalize())
}

#[test]
fn streams_a_20_mb_blob_with_a_fixed_buffer() {
    let (_d, store) = new_store();
    const LEN: u64 = 20 * 1024 * 1024;
    let expected = sha256_of(Generated::new(LEN, 0x1234_5678));
    let mut source = Generated::new(LEN, 0x1234_5678);
    let info = store
        .put_blob(&mut source, "image/jpeg", ContentDigest::Sha256)
        .unwrap();

    assert!(
        source.largest_read <= 1024 * 1024,
        "read with a {} byte buffer",
        source.largest_read
    );
    assert_eq!(info.sha256, expected);
    assert_eq!(info.size, LEN);
    assert_eq!(info.media_type, "image/jpeg");
    let path = store.blob_path(&info.sha256).unwrap();
    assert_eq!(
        path,
        store
            .dir()
            .join("blobs")
            .join(&expected[..2])
            .join(&expected[2..])
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), LEN);
    assert_eq!(sha256_of(store.open_blob(&info.sha256).unwrap()), expected);
    store.verify_blob(&info.sha256).unwrap();
    assert!(store.has_blob(&info.sha256).unwrap());
    assert_eq!(store.blobs().unwrap(), vec![info]);
    // Only the blob file remains: the temp file was renamed, not copied.
    assert_eq!(files_under(&store.dir().join("blobs")), vec![path]);
}

#[test]
fn same_content_is_stored_once() {
    let (_d, store) = new_store();
    let a = store
        .put_blob(&mut &b"site photo"[..], "image/jpeg", ContentDigest::Sha256)
        .unwrap();
    let b = store
        .put_blob(&mut &b"site photo"[..], "image/png", ContentDigest::Sha256)
        .unwrap();
    assert_eq!(a, b, "the first media type is kept");
    let c = store
        .put_blob(
            &mut &b"another photo"[..],
            "image/jpeg",
            ContentDigest::Sha256,
        )
        .unwrap();
    assert_ne!(a.sha256, c.sha256);
    assert_eq!(store.blobs().unwrap().len(), 2);
    assert_eq!(files_under(&store.dir().join("blobs")).len(), 2);
    assert_eq!(store.blob_info(&a.sha256).unwrap(), Some(a.clone()));

    let empty = store
        .put_blob(&mut std::io::empty(), "text/plain", ContentDigest::Sha256)
        .unwrap();
    assert_eq!(
        empty.sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(empty.size, 0);
    store.verify_blob(&empty.sha256).unwrap();
}

#[test]
fn a_tampered_blob_file_is_detected_and_healed_by_a_good_copy() {
    let (_d, store) = new_store();
    let info = store
        .put_blob(
            &mut &b"photo of the blocked drain"[..],
            "image/jpeg",
            ContentDigest::Sha256,
        )
        .unwrap();
    let path = store.blob_path(&info.sha256).unwrap();

    std::fs::write(&path, b"photo of a clean drain!!!!").unwrap();
    let err = store.verify_blob(&info.sha256).unwrap_err();
    assert_eq!(err.code().as_str(), "blob_hash_mismatch");

    // Storing the genuine bytes again replaces the damaged copy.
    store
        .put_blob(
            &mut &b"photo of the blocked drain"[..],
            "image/jpeg",
            ContentDigest::Sha256,
        )
        .unwrap();
    store.verify_blob(&info.sha256).unwrap();

    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        store.verify_blob(&info.sha256).unwrap_err().code().as_str(),
        "blob_missing"
    );
    assert_eq!(
        store.open_blob(&info.sha256).unwrap_err().code().as_str(),
        "blob_missing"
    );
    assert!(!store.has_blob(&info.sha256).unwrap());
}

#[test]
fn put_blob_expecting_refuses_other_content_and_keeps_nothing() {
    let (_d, store) = new_store();
    let announced = sha256_of(&b"the real evidence"[..]);
    let err = store
        .put_blob_expecting(&announced, &mut &b"something else"[..], "image/jpeg")
        .unwrap_err();
    assert_eq!(err.code().as_str(), "blob_hash_mismatch");
    assert!(err.to_string().contains(&announced));
    assert!(!store.has_blob(&announced).unwrap());
    assert!(store.blobs().unwrap().is_empty());
    assert!(files_under(&store.dir().join("blobs")).is_empty());

    let info = store
        .put_blob_expecting(&announced, &mut &b"the real evidence"[..], "image/jpeg")
        .unwrap();
    assert_eq!(info.sha256, announced);
    assert!(store.has_blob(&announced).unwrap());
}

#[test]
fn a_failing_reader_leaves_no_file() {
    struct Broken(usize);
    impl Read for Broken {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("camera unplugged"));
            }
            self.0 -= 1;
            buf[0] = 1;
            Ok(1)
        }
    }
    let (_d, store) = new_store();
    let err = store
        .put_blob(&mut Broken(3), "image/jpeg", ContentDigest::Sha256)
        .unwrap_err();
    assert_eq!(err.code().as_str(), "store_io");
    assert!(files_under(&store.dir().join("blobs")).is_empty());
    assert!(store.blobs().unwrap().is_empty());
}

#[test]
fn hashes_that_could_escape_the_blob_directory_are_refused() {
    let (_d, store) = new_store();
    let upper = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    let bad = [
        "../../../../etc/passwd",
        "ab/../../hotline.db",
        "",
        upper,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
        "g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8/5",
        // An SM3 name is `sm3:` and 64 lowercase hex digits, nothing else.
        "sm3:../../../../etc/passwd",
        "sm3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e",
        "SM3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
        "sm2:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
        "sm3:sm3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4",
        "sm3:",
    ];
    for h in bad {
        assert_eq!(
            store.has_blob(h).unwrap_err().code().as_str(),
            "bad_blob_hash",
            "{h}"
        );
        assert_eq!(
            store.open_blob(h).unwrap_err().code().as_str(),
            "bad_blob_hash",
            "{h}"
        );
        assert_eq!(
            store.verify_blob(h).unwrap_err().code().as_str(),
            "bad_blob_hash",
            "{h}"
        );
        assert_eq!(
            store.blob_path(h).unwrap_err().code().as_str(),
            "bad_blob_hash",
            "{h}"
        );
        assert_eq!(
            store
                .put_blob_expecting(h, &mut &b"x"[..], "text/plain")
                .unwrap_err()
                .code()
                .as_str(),
            "bad_blob_hash",
            "{h}"
        );
    }
    assert!(files_under(&store.dir().join("blobs")).is_empty());
}

/// An `sm` city names its photos by SM3: the name says so, the file lives apart from SHA-256
/// names, and verification and announced uploads hash with SM3 (GB/T 32905's own example:
/// SM3("abc") = 66c7f0f4…).
#[test]
fn an_sm3_named_blob_is_hashed_stored_and_checked_with_sm3() {
    let (_d, store) = new_store();
    let sm3_abc = "sm3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
    let info = store
        .put_blob(&mut &b"abc"[..], "text/plain", ContentDigest::Sm3)
        .unwrap();
    assert_eq!(info.sha256, sm3_abc);
    let path = store.blob_path(sm3_abc).unwrap();
    assert!(
        path.ends_with(
            "blobs/sm3/66/c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        )
    );
    assert!(store.has_blob(sm3_abc).unwrap());
    store.verify_blob(sm3_abc).unwrap();
    // The same bytes by SHA-256 are another blob, beside it.
    let sha = store
        .put_blob(&mut &b"abc"[..], "text/plain", ContentDigest::Sha256)
        .unwrap();
    assert_eq!(
        sha.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(store.blobs().unwrap().len(), 2);
    // An upload announced under the SM3 name must hash to it with SM3.
    let err = store
        .put_blob_expecting(sm3_abc, &mut &b"abd"[..], "text/plain")
        .unwrap_err();
    assert_eq!(err.code().as_str(), "blob_hash_mismatch");
    // A swapped file is found by re-hashing with SM3.
    std::fs::write(&path, b"abd").unwrap();
    assert_eq!(
        store.verify_blob(sm3_abc).unwrap_err().code().as_str(),
        "blob_hash_mismatch"
    );
    store
        .put_blob_expecting(sm3_abc, &mut &b"abc"[..], "text/plain")
        .unwrap();
    store.verify_blob(sm3_abc).unwrap();
}

#[test]
fn blobs_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let info = {
        let store = Store::open(dir.path()).unwrap();
        store
            .put_blob(
                &mut Generated::new(300_000, 9),
                "audio/amr",
                ContentDigest::Sha256,
            )
            .unwrap()
    };
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.blobs().unwrap(), vec![info.clone()]);
    store.verify_blob(&info.sha256).unwrap();
}
