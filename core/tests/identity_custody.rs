use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ed25519_dalek::{Signature, VerifyingKey};
use hotline_core::Coded;
use hotline_core::identity::{KeyCustody, MemoryKeyCustody, PublicKeyBytes};
use hotline_core::key_files::FileKeyCustody;
use rand_core::OsRng;

/// A fresh directory per test under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "hotline-identity-custody-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn assert_signs(custody: &dyn KeyCustody) {
    let sig = custody.sign(b"hello").unwrap();
    // Checked by ed25519-dalek directly, not through hotline's own verification.
    let PublicKeyBytes::Ed25519(raw) = custody.public_key() else {
        panic!("these custodies hold ed25519 keys")
    };
    let key = VerifyingKey::from_bytes(&raw).unwrap();
    key.verify_strict(b"hello", &Signature::from_bytes(sig.raw()))
        .unwrap();
}

#[test]
fn custody_is_object_safe_send_and_sync() {
    fn is_send_sync<T: Send + Sync + ?Sized>() {}
    is_send_sync::<dyn KeyCustody>();
    let boxed: Arc<dyn KeyCustody> = Arc::new(MemoryKeyCustody::generate(&mut OsRng));
    assert_signs(boxed.as_ref());
}

#[test]
fn memory_custody_signs_and_is_deterministic_from_secret() {
    let a = MemoryKeyCustody::from_secret_bytes(&[9u8; 32]);
    let b = MemoryKeyCustody::from_secret_bytes(&[9u8; 32]);
    assert_eq!(a.public_key(), b.public_key());
    assert_signs(&a);
    assert!(!format!("{a:?}").contains(&hex::encode([9u8; 32])));
}

#[test]
fn file_custody_round_trip() {
    let dir = TempDir::new();
    let path = dir.file("device.key");
    let created = FileKeyCustody::create(&path, &mut OsRng).unwrap();
    assert_signs(&created);
    let opened = FileKeyCustody::open(&path).unwrap();
    assert_eq!(opened.public_key(), created.public_key());
    assert_eq!(opened.path(), path.as_path());
    // Ed25519 signatures are deterministic: same key, same message, same bytes.
    assert_eq!(opened.sign(b"m").unwrap(), created.sign(b"m").unwrap());
}

#[cfg(unix)]
#[test]
fn file_custody_is_private_on_unix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new();
    let path = dir.file("device.key");
    FileKeyCustody::create(&path, &mut OsRng).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = FileKeyCustody::open(&path).unwrap_err();
    assert_eq!(err.code().as_str(), "key_file_permissions");
}

#[test]
fn file_custody_never_overwrites_a_key() {
    let dir = TempDir::new();
    let path = dir.file("device.key");
    let first = FileKeyCustody::create(&path, &mut OsRng).unwrap();
    let err = FileKeyCustody::create(&path, &mut OsRng).unwrap_err();
    assert_eq!(err.code().as_str(), "key_file_exists");
    assert_eq!(
        FileKeyCustody::open(&path).unwrap().public_key(),
        first.public_key()
    );
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = TempDir::new();
    let err = FileKeyCustody::open(&dir.file("absent.key")).unwrap_err();
    assert_eq!(err.code().as_str(), "key_file_io");
    let err = FileKeyCustody::create(&dir.file("no/such/dir/k.key"), &mut OsRng).unwrap_err();
    assert_eq!(err.code().as_str(), "key_file_io");
}

fn write_private(path: &std::path::Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn corrupt_files_are_typed_errors() {
    let dir = TempDir::new();
    let good_path = dir.file("good.key");
    FileKeyCustody::create(&good_path, &mut OsRng).unwrap();
    let good = std::fs::read_to_string(&good_path).unwrap();

    // Flip one hex digit of the secret: it no longer matches the public line.
    let secret_at = good.find("secret ").unwrap() + "secret ".len();
    let mut flipped = good.clone().into_bytes();
    flipped[secret_at] = if flipped[secret_at] == b'0' {
        b'1'
    } else {
        b'0'
    };

    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("binary", vec![0xff, 0xfe, 0x00, 0x01]),
        (
            "wrong header",
            good.replace("hotline-key v1", "other-key v9").into_bytes(),
        ),
        ("truncated", good.as_bytes()[..good.len() / 2].to_vec()),
        ("flipped secret", flipped),
        (
            "not hex",
            good.replacen("secret ", "secret zz", 1).into_bytes(),
        ),
        ("extra line", format!("{good}junk\n").into_bytes()),
        ("lines swapped", {
            let lines: Vec<&str> = good.lines().collect();
            format!("{}\n{}\n{}\n", lines[0], lines[2], lines[1]).into_bytes()
        }),
    ];
    for (name, bytes) in cases {
        let path = dir.file(&format!("{}.key", name.replace(' ', "-")));
        write_private(&path, &bytes);
        let err = FileKeyCustody::open(&path).unwrap_err();
        assert_eq!(
            err.code().as_str(),
            "key_file_corrupt",
            "case {name}: {err}"
        );
        assert!(!err.message_zh().is_empty());
    }
}

#[test]
fn debug_does_not_print_the_secret() {
    let dir = TempDir::new();
    let path = dir.file("device.key");
    let custody = FileKeyCustody::create(&path, &mut OsRng).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let secret_hex = text
        .lines()
        .find_map(|l| l.strip_prefix("secret "))
        .unwrap();
    assert!(!format!("{custody:?}").contains(secret_hex));
}
