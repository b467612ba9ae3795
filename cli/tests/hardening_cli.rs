//! The command line against what a user (or a script) may throw at it: a photo too large or
//! not a photo at all, an argument that is not UTF-8, a reader that goes away, a store that
//! can only be read. Each once panicked or was accepted.
use hotline_testkit::cli::Terminal;
use hotline_testkit::store::files_under;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const NOW: &str = "--now=2026-03-02T09:00:00+08:00";

/// A city and one kiosk store (`kiosk/`) with one complaint in it.
fn kiosk() -> Terminal {
    let k = Terminal::new(env!("CARGO_BIN_EXE_hotline"))
        .at("2026-03-02T09:00:00+08:00")
        .with_city();
    k.enrol("kiosk", "kiosk", None, "k1");
    k.ok(&[
        "intake",
        "--store",
        "kiosk",
        "--kind",
        "complaint",
        "--text",
        "夜间施工噪音",
        "--address",
        "古城路 8 号",
    ]);
    k
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

#[test]
fn a_photo_must_be_a_photo_of_a_size_the_hub_takes() {
    let k = kiosk();
    // Larger than any photo the hub takes: refused at intake, not on every sync for ever.
    let big = k.path("big.jpg");
    let f = std::fs::File::create(&big).unwrap();
    std::io::Write::write_all(&mut &f, b"\xff\xd8\xff\xe0").unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    let intake = |photo: &str| {
        k.fails(&[
            "intake",
            "--store",
            "kiosk",
            "--kind",
            "complaint",
            "--text",
            "占道经营",
            "--address",
            "古城路",
            "--photo",
            photo,
            NOW,
        ])
    };
    assert_eq!(intake("big.jpg"), "blob_too_large");
    // A text file and a program called photos are not photos.
    std::fs::write(k.path("notes.jpg"), "这不是照片").unwrap();
    assert_eq!(intake("notes.jpg"), "blob_media_type");
    std::fs::write(
        k.path("program.jpg"),
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
    )
    .unwrap();
    assert_eq!(intake("program.jpg"), "blob_media_type");
    // Nothing of them was kept.
    let blobs = files_under(&k.path("kiosk/blobs"));
    assert!(
        blobs.iter().all(|p| p.metadata().unwrap().len() < 1024),
        "{blobs:?}"
    );
}

#[test]
fn an_argument_that_is_not_utf8_is_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let k = kiosk();
    let out = k
        .command(&[])
        .arg("show")
        .arg(std::ffi::OsStr::from_bytes(b"wo-\xff\xfe"))
        .args(["--store", "kiosk", "--json"])
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "usage");
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let k = kiosk();
    // The reading end is closed before the command writes a byte (`hotline orders | head -0`).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = k
        .command(&[])
        .args(["orders", "--store", "kiosk", "--all", NOW])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    no_panic(&out);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_store_that_cannot_be_written_can_still_be_read() {
    let k = kiosk();
    let store = k.path("kiosk");
    // As root the permission bits are no obstacle: read it as an unprivileged user instead.
    let as_user = |args: &[&str]| -> Output {
        let exe = env!("CARGO_BIN_EXE_hotline");
        let root = std::env::var("USER").map(|u| u == "root").unwrap_or(false)
            || Command::new("id")
                .arg("-u")
                .output()
                .map(|o| o.stdout.starts_with(b"0"))
                .unwrap_or(false);
        let mut c = if root {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", exe]);
            c
        } else {
            Command::new(exe)
        };
        c.args(args).current_dir(k.dir.path()).output().unwrap()
    };
    chmod(k.dir.path(), 0o755);
    for p in files_under(&store) {
        chmod(&p, 0o444);
    }
    for d in [store.clone(), store.join("blobs"), store.join("keys")] {
        chmod(&d, 0o555);
    }
    let store_arg = store.to_str().unwrap();
    let out = as_user(&["orders", "--store", store_arg, "--all", NOW]);
    no_panic(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("complaint"));
    let out = as_user(&["verify", "--store", store_arg, NOW]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Changing it says why it cannot.
    let out = as_user(&[
        "intake",
        "--store",
        store_arg,
        "--kind",
        "help",
        "--text",
        "x",
        "--address",
        "y",
        NOW,
        "--json",
    ]);
    no_panic(&out);
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "store_read_only");
    for d in [store.clone(), store.join("blobs"), store.join("keys")] {
        chmod(&d, 0o755);
    }
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}
