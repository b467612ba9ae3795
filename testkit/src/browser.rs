//! A local HTML file in Debian's headless Chromium, for the tests of the HTML reports: the DOM
//! after the page's scripts ran (`--dump-dom`) and a screenshot.
//!
//! Nothing leaves the machine: the page is a `file://` URL, the profile is a fresh folder in
//! the caller's work folder, and background networking, component updates, sync and QUIC are
//! off. Each run is killed after [`TIMEOUT`]. Chromium is not a build dependency: [`chromium`]
//! says whether it is installed and the caller decides whether its absence fails the test.
//!
//! The HTML reports mark what their scripts drew (`data-drawn` on each `figure.chart`,
//! `data-charts-drawn` on `<body>`), so a test reads [`Rendered::dom`] rather than pixels.

use std::fmt::Write as _;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How long one Chromium run may take before it is killed.
pub const TIMEOUT: Duration = Duration::from_secs(60);

const CHROMIUM: &str = "/usr/bin/chromium";

/// The flags of every run, before the one that says what to produce.
const FLAGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,2000",
];

/// Lets scripts (and the layout they cause) finish before the DOM is dumped or the page shot.
const VIRTUAL_TIME: &str = "--virtual-time-budget=5000";

#[derive(Debug)]
pub struct Rendered {
    /// The serialised DOM after the page's scripts ran.
    pub dom: String,
    /// `{work_dir}/{html file stem}.png`.
    pub screenshot: PathBuf,
}

/// None when /usr/bin/chromium is not installed (callers decide whether that fails the test).
pub fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from(CHROMIUM);
    path.is_file().then_some(path)
}

/// Loads `file://{html}` in headless Chromium twice, each with a fresh `--user-data-dir` inside
/// `work_dir`: once with `--dump-dom` (the DOM after scripts ran) and once with
/// `--screenshot={work_dir}/{stem}.png`. An error (with Chromium's stderr) when Chromium is
/// missing, exits non-zero, runs past [`TIMEOUT`], or leaves no screenshot.
pub fn render(html: &Path, work_dir: &Path) -> io::Result<Rendered> {
    let bin = chromium().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("{CHROMIUM} is not installed"),
        )
    })?;
    std::fs::create_dir_all(work_dir)?;
    let html = html.canonicalize()?;
    let url = file_url(&html);
    let stem = html
        .file_stem()
        .map_or_else(|| "page".into(), |s| s.to_string_lossy().into_owned());

    let dump = run(&bin, work_dir, &["--dump-dom".to_string()], &url)?;
    let dom = String::from_utf8(dump).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("chromium's DOM is not UTF-8: {e}"),
        )
    })?;

    let screenshot = work_dir.join(format!("{stem}.png"));
    let _ = std::fs::remove_file(&screenshot);
    run(
        &bin,
        work_dir,
        &[format!("--screenshot={}", screenshot.display())],
        &url,
    )?;
    if !screenshot.is_file() {
        return Err(io::Error::other(format!(
            "chromium wrote no screenshot at {}",
            screenshot.display()
        )));
    }
    Ok(Rendered { dom, screenshot })
}

/// One Chromium run in a process group of its own (so a timeout kills its helpers too);
/// returns its stdout.
fn run(bin: &Path, work_dir: &Path, what: &[String], url: &str) -> io::Result<Vec<u8>> {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let profile = work_dir.join(format!(
        "chromium-profile-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&profile)?;
    let mut cmd = Command::new(bin);
    cmd.args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(VIRTUAL_TIME)
        .args(what)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn()?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait(&mut child);
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&err);
    let _ = std::fs::remove_dir_all(&profile);
    match status? {
        Some(s) if s.success() => Ok(out),
        Some(s) => Err(io::Error::other(format!(
            "chromium {what:?} {url} failed ({s}): {}",
            tail(&err)
        ))),
        None => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "chromium {what:?} {url} ran past {TIMEOUT:?} and was killed: {}",
                tail(&err)
            ),
        )),
    }
}

/// The exit status, or None when the run timed out (its process group is then killed).
fn wait(child: &mut Child) -> io::Result<Option<std::process::ExitStatus>> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            // The group is the one this run started (process_group(0): its id is the child's).
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(50));
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        buf
    })
}

/// The end of Chromium's stderr (its start is launcher noise).
fn tail(s: &str) -> &str {
    let start = s.len().saturating_sub(4000);
    let start = (start..s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    s[start..].trim()
}

/// `file://` and the absolute path, percent-encoded except for unreserved characters and `/`.
fn file_url(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/报告#1.html")),
            "file:///tmp/a%20b/%E6%8A%A5%E5%91%8A%231.html"
        );
    }

    #[test]
    fn renders_a_page_when_chromium_is_installed() {
        if chromium().is_none() {
            eprintln!("skipped: {CHROMIUM} is not installed");
            return;
        }
        let dir = std::env::temp_dir().join(format!("hotline-browser-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let html = dir.join("page.html");
        std::fs::write(
            &html,
            "<!DOCTYPE html><html><body><p>x</p>\
             <script>document.body.dataset.ran = 'yes';</script></body></html>",
        )
        .unwrap();
        let r = render(&html, &dir).unwrap();
        assert!(r.dom.contains("data-ran=\"yes\""), "{}", r.dom);
        assert_eq!(r.screenshot, dir.join("page.png"));
        assert!(std::fs::metadata(&r.screenshot).unwrap().len() > 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
