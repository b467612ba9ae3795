//! A throwaway PostgreSQL cluster for tests: Debian's `postgresql` binaries, `initdb` into a
//! temporary folder, the server listening on a Unix socket in that folder only (no TCP, no
//! system service), stopped and removed on drop.
//!
//! `initdb` refuses to run as root: as root the cluster belongs to the `postgres` user, and the
//! folder is opened for it (a temporary folder is 0700).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The role the tests connect as (trust authentication: the socket is in a private folder).
pub const PG_USER: &str = "hotline";

#[derive(Debug)]
pub struct PgCluster {
    bin: PathBuf,
    data: PathBuf,
    socket: PathBuf,
    as_postgres: bool,
    // Kept last: removed after the server has stopped.
    _dir: TempDir,
}

/// Debian's versioned binaries (`/usr/lib/postgresql/N/bin`), the newest first.
fn find_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// One argument for `sh -c`, single-quoted.
fn quoted(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', "'\\''"))
}

impl PgCluster {
    /// Starts a fresh cluster; panics with what to install when PostgreSQL is missing.
    pub fn start() -> PgCluster {
        let bin = find_bin().expect(
            "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin: \
             install Debian's postgresql (scripts/test-all does)",
        );
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = is_root();
        let data = dir.path().join("data");
        let socket = dir.path().join("socket");
        for d in [&data, &socket] {
            std::fs::create_dir(d).unwrap();
        }
        if as_postgres {
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&data)
                .arg(&socket)
                .status()
                .unwrap();
            assert!(status.success(), "chown to postgres failed");
        }
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
        let cluster = PgCluster {
            bin,
            data,
            socket,
            as_postgres,
            _dir: dir,
        };
        let data = cluster.data.display().to_string();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                PG_USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.restart();
        cluster
    }

    /// A libpq connection string for `dbname` (e.g. `postgres`).
    pub fn conn_str(&self, dbname: &str) -> String {
        format!(
            "host={} user={PG_USER} dbname={dbname}",
            self.socket.display()
        )
    }

    /// Creates an empty database `name` and returns its connection string.
    pub fn create_database(&self, name: &str) -> String {
        let socket = self.socket.display().to_string();
        self.run("createdb", &["-h", &socket, "-U", PG_USER, name]);
        self.conn_str(name)
    }

    /// Stops the server (fast: connections are cut, as when a database host goes away).
    pub fn stop(&self) {
        let data = self.data.display().to_string();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }

    /// Starts the stopped server again on the same socket.
    pub fn restart(&self) {
        let data = self.data.display().to_string();
        let options = format!(
            "-k {} -c listen_addresses= -c fsync=off -c full_page_writes=off",
            self.socket.display()
        );
        let log = self.data.join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &options, "-w", "start"],
        );
    }

    /// The folder of the server's socket.
    pub fn socket_dir(&self) -> &Path {
        &self.socket
    }

    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(tool).display().to_string();
        if self.as_postgres {
            let line = std::iter::once(exe.as_str())
                .chain(args.iter().copied())
                .map(quoted)
                .collect::<Vec<_>>()
                .join(" ");
            let mut c = Command::new("su");
            c.args(["postgres", "-s", "/bin/sh", "-c", &line]);
            c
        } else {
            let mut c = Command::new(exe);
            c.args(args);
            c
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let out = self.command(tool, args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        // Immediate: a test's cluster holds nothing worth a clean shutdown.
        let _ = self
            .command("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
    }
}
