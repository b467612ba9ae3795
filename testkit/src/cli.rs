//! The `hotline` binary run in a folder of its own, as a user at a terminal would: commands
//! with `--json`, their typed errors, a hub served in the background.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// A folder to run `hotline` in (removed at the end), optionally at a fixed `--now`.
#[derive(Debug)]
pub struct Terminal {
    pub dir: tempfile::TempDir,
    exe: PathBuf,
    now: Option<String>,
}

impl Terminal {
    /// `exe` is the binary under test: `env!("CARGO_BIN_EXE_hotline")` in the CLI's tests.
    pub fn new(exe: &str) -> Terminal {
        Terminal {
            dir: tempfile::tempdir().unwrap(),
            exe: PathBuf::from(exe),
            now: None,
        }
    }

    /// Every command runs at this instant (`--now`), unless it gives its own.
    pub fn at(mut self, now: &str) -> Terminal {
        self.now = Some(now.to_string());
        self
    }

    /// `hotline hub init --data city --preset turpan`: the city's authority in `city/`, of
    /// the tests' suite ([`crate::test_suite`]).
    pub fn with_city(self) -> Terminal {
        let suite = crate::test_suite();
        self.ok(&[
            "hub",
            "init",
            "--data",
            "city",
            "--preset",
            "turpan",
            "--crypto",
            suite.as_str(),
        ]);
        self
    }

    /// Enrols a person at the city and adds them to `store`; returns the certificate id.
    pub fn enrol(&self, store: &str, role: &str, unit: Option<&str>, person: &str) -> String {
        self.enrol_at(None, store, role, unit, person)
    }

    /// [`Terminal::enrol`] at `now` (both the enrolment and the device's set-up) rather than
    /// the terminal's time.
    pub fn enrol_at(
        &self,
        now: Option<&str>,
        store: &str,
        role: &str,
        unit: Option<&str>,
        person: &str,
    ) -> String {
        let out = format!("{person}.json");
        let mut enroll = vec![
            "hub", "enroll", "--data", "city", "--role", role, "--person", person, "--out", &out,
        ];
        let mut init = vec!["device", "init", "--store", store, "--credential", &out];
        if let Some(u) = unit {
            enroll.extend(["--unit", u]);
        }
        if let Some(now) = now {
            enroll.extend(["--now", now]);
            init.extend(["--now", now]);
        }
        let issued = self.ok(&enroll);
        let device = self.ok(&init);
        assert_eq!(device["person"], person);
        assert_eq!(device["can_sign"], true);
        issued["certificate_id"].as_str().unwrap().to_string()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.exe);
        c.args(args)
            .current_dir(self.dir.path())
            .env_remove("HOTLINE_STORE");
        if let Some(now) = &self.now
            && !args.iter().any(|a| a.starts_with("--now"))
        {
            c.args(["--now", now]);
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs with `--json`, expects success and one JSON value on stdout.
    pub fn ok(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e})"))
    }

    /// Runs with `--json`, expects exit status 1, nothing on stdout and a typed, bilingual
    /// error as the last line on stderr (progress lines may come before it); returns its code.
    pub fn fails(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout");
        let stderr = String::from_utf8(out.stderr).unwrap();
        let last = stderr.lines().last().unwrap_or_default();
        let err: Value = serde_json::from_str(last)
            .unwrap_or_else(|e| panic!("{args:?}: last stderr line is not JSON ({e}): {stderr}"));
        assert!(err["error"]["message_zh"].is_string() && err["error"]["message_en"].is_string());
        err["error"]["code"].as_str().unwrap().to_string()
    }

    /// Runs as text, expects success, returns stdout.
    pub fn text(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `hotline hub serve --data DATA` on a free loopback port, in the background; the address
    /// comes from its first line. Stopped (SIGKILL) when dropped.
    pub fn serve_hub(&self, data: &Path) -> HubProcess {
        self.serve_hub_on(data, None)
    }

    /// [`Terminal::serve_hub`] with its data in PostgreSQL at `database` (passed as
    /// `HOTLINE_DATABASE_URL`, as an operator would).
    pub fn serve_hub_on(&self, data: &Path, database: Option<&str>) -> HubProcess {
        let data = data.to_string_lossy();
        let mut command = self.command(&[
            "hub",
            "serve",
            "--data",
            &data,
            "--listen",
            "127.0.0.1:0",
            "--quiet",
            "--json",
        ]);
        command.env_remove("HOTLINE_DATABASE_URL");
        if let Some(url) = database {
            command.env("HOTLINE_DATABASE_URL", url);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("first line is not JSON ({e}): {line:?}"));
        HubProcess {
            child,
            url: v["url"].as_str().unwrap().to_string(),
            node_id: v["node_id"].as_str().unwrap().to_string(),
        }
    }
}

/// `hotline hub serve` as a child process, killed when dropped.
#[derive(Debug)]
pub struct HubProcess {
    pub child: Child,
    pub url: String,
    pub node_id: String,
}

impl HubProcess {
    /// SIGKILL: no shutdown, no flush, nothing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
