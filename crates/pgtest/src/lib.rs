//! A real PostgreSQL for tests: a cluster of its own made with Debian's `postgresql` package
//! (`initdb`) in a temporary folder, listening only on a Unix socket in that folder, stopped
//! and removed when the [`PgServer`] is dropped. PostgreSQL refuses to run as root: as root the
//! cluster is made and run as the package's `postgres` user. A missing PostgreSQL fails the
//! test with the reason (`cargo xtask setup` installs it); it never skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Where Debian installs PostgreSQL's server programs: `/usr/lib/postgresql/<version>/bin`.
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// A running PostgreSQL cluster of one test.
pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    stopped: bool,
}

/// How a cluster is started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep `fsync` on: for tests of durability and for benchmarks. Off by default: the
    /// correctness tests need no disk flushes.
    pub durable: bool,
}

impl PgServer {
    /// Makes and starts a fresh cluster (fsync off).
    pub fn start() -> Self {
        Self::start_with(Options::default())
    }

    /// Makes and starts a fresh cluster as `options` say.
    pub fn start_with(options: Options) -> Self {
        let bin = server_bin().unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::Builder::new()
            .prefix("image-scorer-pg-")
            .tempdir()
            .expect("a temporary folder for PostgreSQL");
        give_to_postgres(dir.path());
        let data = dir.path().join("data");
        run(
            &bin.join("initdb"),
            &[
                "-D",
                path_str(&data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            "initdb",
        );
        let mut settings = format!("-k {} -h '' -c max_connections=200", path_str(dir.path()));
        if !options.durable {
            settings.push_str(" -F");
        }
        let mut server = Self {
            dir,
            bin,
            stopped: true,
        };
        server.pg_ctl(&[
            "-o",
            &settings,
            "-l",
            path_str(&server.log()),
            "-w",
            "start",
        ]);
        server.stopped = false;
        server
    }

    /// The address of the database `postgres` (the cluster's own), on the Unix socket.
    pub fn url(&self) -> String {
        self.database_url("postgres")
    }

    /// The address of the database `name`.
    pub fn database_url(&self, name: &str) -> String {
        format!(
            "postgres://postgres@localhost/{name}?host={}",
            path_str(self.dir.path())
        )
    }

    /// Creates the database `name` and returns its address.
    pub fn create_database(&self, name: &str) -> String {
        let createdb = self.bin.join("createdb");
        run(
            &createdb,
            &["-h", path_str(self.dir.path()), "-U", "postgres", name],
            "createdb",
        );
        self.database_url(name)
    }

    /// Stops the server (fast: sessions are ended, what was committed stays).
    pub fn stop(&mut self) {
        if !self.stopped {
            self.pg_ctl(&["-m", "fast", "-w", "stop"]);
            self.stopped = true;
        }
    }

    /// Stops the server and starts it again on the same cluster.
    pub fn restart(&mut self) {
        self.pg_ctl(&["-m", "fast", "-w", "restart"]);
        self.stopped = false;
    }

    /// The server's log, for a failing test's message.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log()).unwrap_or_default()
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    /// Runs pg_ctl on the cluster. Its output goes nowhere: the server it starts inherits
    /// pg_ctl's standard streams and would keep a pipe open; the log says what happened.
    fn pg_ctl(&self, args: &[&str]) {
        let data = self.dir.path().join("data");
        let mut all = vec!["-D", path_str(&data)];
        all.extend_from_slice(args);
        let ok = postgres_command(&self.bin.join("pg_ctl"), &all)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            panic!("pg_ctl {args:?} failed:\n{}", self.log_text());
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if !self.stopped {
            let data = self.dir.path().join("data");
            let _ = postgres_command(
                &self.bin.join("pg_ctl"),
                &["-D", path_str(&data), "-m", "immediate", "-w", "stop"],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        }
    }
}

/// The cluster shared by the tests of one test binary: started on first use, stopped when the
/// process exits.
static SHARED: std::sync::Mutex<Option<PgServer>> = std::sync::Mutex::new(None);

/// Numbers the databases [`fresh_database`] makes.
static NEXT_DATABASE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A new, empty database of its own for one test, on a cluster shared by the test binary (one
/// cluster per binary rather than per test: starting one is the slow part). Returns its address.
pub fn fresh_database() -> String {
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if shared.is_none() {
        *shared = Some(PgServer::start());
        // SAFETY: registers a plain function that takes no arguments; it runs once at exit.
        unsafe { libc::atexit(stop_shared) };
    }
    let n = NEXT_DATABASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    shared
        .as_ref()
        .expect("started above")
        .create_database(&format!("test_{n}"))
}

/// Stops the shared cluster (registered with `atexit`: statics are never dropped).
extern "C" fn stop_shared() {
    if let Ok(mut shared) = SHARED.lock() {
        drop(shared.take());
    }
}

/// The folder of PostgreSQL's server programs (the newest version installed), or why not.
fn server_bin() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("IMAGE_SCORER_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(DEBIAN_ROOT)
        .map_err(|e| missing(&e.to_string()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| missing("no initdb below it"))
}

fn missing(why: &str) -> String {
    format!(
        "PostgreSQL's server is not installed ({DEBIAN_ROOT}: {why}); `cargo xtask setup` \
         installs Debian's postgresql package (or set IMAGE_SCORER_PG_BIN to its bin folder)"
    )
}

/// Whether this process runs as root, whom PostgreSQL refuses.
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// As root, gives `dir` to the `postgres` user, who will run the cluster.
fn give_to_postgres(dir: &Path) {
    if is_root() {
        run(
            Path::new("chown"),
            &["postgres:postgres", path_str(dir)],
            "chown",
        );
    }
}

/// `program` with `args`, to run as the `postgres` user when this is root, else as this user.
fn postgres_command(program: &Path, args: &[&str]) -> Command {
    let mut command = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    command.args(args);
    command
}

/// Runs `program` with `args` (see [`postgres_command`]) and waits for its output.
fn as_postgres(program: &Path, args: &[&str]) -> Output {
    postgres_command(program, args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

fn run(program: &Path, args: &[&str], what: &str) {
    let out = if program == Path::new("chown") {
        Command::new(program).args(args).output().expect("chown")
    } else {
        as_postgres(program, args)
    };
    if !out.status.success() {
        panic!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary folders have UTF-8 names")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_answers_and_stops() {
        let mut server = PgServer::start();
        let psql = |url: &str| {
            Command::new("psql")
                .args([url, "-tAc", "SELECT 40 + 2"])
                .output()
                .expect("psql")
        };
        let out = psql(&server.url());
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "42",
            "{}",
            server.log_text()
        );
        let other = server.create_database("other");
        assert_eq!(String::from_utf8_lossy(&psql(&other).stdout).trim(), "42");
        server.restart();
        assert_eq!(String::from_utf8_lossy(&psql(&other).stdout).trim(), "42");
        server.stop();
        assert!(
            !psql(&server.url()).status.success(),
            "stopped means stopped"
        );
    }
}
