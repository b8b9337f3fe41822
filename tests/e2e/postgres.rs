//! A throwaway PostgreSQL server per test, for Terraform's `pg` backend: its own
//! cluster in a temporary directory (initdb), trust authentication on loopback only,
//! listening on 127.0.0.1 at a free port with its unix socket in that directory, fsync
//! off. Stopped and removed when dropped, also when the test panics.
//!
//! PostgreSQL refuses to run as root. When the tests run as root, initdb and the server
//! run as the unprivileged `postgres` user that Debian's package creates, in a directory
//! that user owns.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The database the tests' state lives in.
pub const DATABASE: &str = "terraform";
/// The cluster's superuser, whom loopback clients connect as without a password.
const SUPERUSER: &str = "postgres";

const MISSING: &str = "PostgreSQL's server programs (initdb, postgres, psql) are required by \
     the team-configuration tests (Terraform's pg backend) but were not found on PATH or \
     under /usr/lib/postgresql/*/bin: install Debian's `postgresql` package \
     (apt-get install postgresql) or put its bin directory on PATH";

/// A running throwaway server.
pub struct Postgres {
    server: Child,
    port: u16,
    bin: PathBuf,
    log: PathBuf,
    /// Removed last, after the server has stopped.
    dir: tempfile::TempDir,
}

/// The directory holding initdb, postgres and psql: initdb on PATH (through its
/// symlinks), else the newest /usr/lib/postgresql/*/bin.
fn bin_dir() -> PathBuf {
    let has_all = |dir: &Path| {
        ["initdb", "postgres", "psql"]
            .iter()
            .all(|p| dir.join(p).is_file())
    };
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("initdb"))
            .filter(|candidate| candidate.is_file())
            .filter_map(|candidate| std::fs::canonicalize(candidate).ok())
            .filter_map(|real| real.parent().map(Path::to_path_buf))
            .find(|dir| has_all(dir))
    });
    if let Some(dir) = on_path {
        return dir;
    }
    let mut installed: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let version = e.file_name().to_str()?.parse::<u32>().ok()?;
                    Some((version, e.path().join("bin")))
                })
                .filter(|(_, dir)| has_all(dir))
                .collect()
        })
        .unwrap_or_default();
    installed.sort();
    installed
        .pop()
        .map(|(_, dir)| dir)
        .unwrap_or_else(|| panic!("{MISSING}"))
}

/// The uid and gid to run PostgreSQL as: none when the tests do not run as root.
fn unprivileged_user() -> Option<(u32, u32)> {
    let me = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or_else(|e| panic!("cannot tell which user runs the tests (/proc/self): {e}"));
    if me != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let found = passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&"postgres") && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    });
    Some(found.unwrap_or_else(|| {
        panic!(
            "the tests run as root, which PostgreSQL refuses, and there is no `postgres` user \
             to run it as: install Debian's `postgresql` package (it creates that user) or \
             run the tests as an unprivileged user"
        )
    }))
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A command for one of PostgreSQL's programs, run as `user` when given, with no
/// PG* settings of the caller.
fn program(bin: &Path, name: &str, user: Option<(u32, u32)>, cwd: &Path) -> Command {
    let mut command = Command::new(bin.join(name));
    command.current_dir(cwd).stdin(Stdio::null());
    test_support::remove_env_starting_with(&mut command, &["PG"]);
    command.env("LC_ALL", "C");
    if let Some((uid, gid)) = user {
        command.uid(uid).gid(gid);
    }
    command
}

fn chown(path: &Path, user: Option<(u32, u32)>) {
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .unwrap_or_else(|e| panic!("chown {} to the postgres user: {e}", path.display()));
    }
}

/// Runs psql against the server on `port` as the superuser.
fn psql(bin: &Path, cwd: &Path, port: u16, database: &str, sql: &str) -> Command {
    let mut command = program(bin, "psql", None, cwd);
    command.args([
        "-X",
        "-q",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-U",
        SUPERUSER,
        "-d",
        database,
        "-c",
        sql,
    ]);
    command.env("PGCONNECT_TIMEOUT", "5");
    command
}

impl Postgres {
    /// Creates a cluster, starts it, waits until it answers and creates [`DATABASE`].
    pub fn start() -> Postgres {
        let bin = bin_dir();
        let user = unprivileged_user();
        let dir = test_support::scratch_dir();
        // The postgres user must reach its cluster inside the test's directory.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("open the temporary directory to the postgres user");
        let cluster = dir.path().join("cluster");
        let socket = cluster.join("socket");
        std::fs::create_dir_all(&socket).expect("create the cluster directory");
        std::fs::set_permissions(&cluster, std::fs::Permissions::from_mode(0o700))
            .expect("cluster directory mode");
        chown(&cluster, user);
        chown(&socket, user);
        let data = cluster.join("data");

        let initdb = program(&bin, "initdb", user, &cluster)
            .arg("--pgdata")
            .arg(&data)
            .args([
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ])
            .output()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", bin.join("initdb").display()));
        assert!(
            initdb.status.success(),
            "initdb failed ({}):\n{}{}",
            initdb.status,
            String::from_utf8_lossy(&initdb.stdout),
            String::from_utf8_lossy(&initdb.stderr)
        );
        // Loopback only, no password: the unix socket and 127.0.0.1, nothing else.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        )
        .expect("write pg_hba.conf");

        let log = dir.path().join("postgres.log");
        // A port can be taken between the probe and the bind: a few tries.
        for _ in 0..3 {
            let port = free_port();
            let log_file = std::fs::File::create(&log).expect("create the server log");
            let mut server = program(&bin, "postgres", user, &cluster)
                .arg("-D")
                .arg(&data)
                .args(["-p", &port.to_string()])
                .arg("-c")
                .arg("listen_addresses=127.0.0.1")
                .arg("-c")
                .arg(format!("unix_socket_directories={}", socket.display()))
                .args([
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "shared_buffers=16MB",
                    "-c",
                    "max_connections=60",
                ])
                .stdout(log_file.try_clone().expect("log handle"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("could not start {}: {e}", bin.join("postgres").display())
                });
            let deadline = Instant::now() + Duration::from_secs(30);
            let ready = loop {
                if let Ok(Some(_)) = server.try_wait() {
                    break false;
                }
                let probe = psql(&bin, dir.path(), port, "postgres", "SELECT 1").output();
                if probe.is_ok_and(|o| o.status.success()) {
                    break true;
                }
                if Instant::now() > deadline {
                    let _ = server.kill();
                    let _ = server.wait();
                    panic!(
                        "PostgreSQL did not accept connections within 30 s:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            };
            if ready {
                let pg = Postgres {
                    server,
                    port,
                    bin,
                    log,
                    dir,
                };
                pg.psql_in("postgres", &format!("CREATE DATABASE {DATABASE}"));
                return pg;
            }
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            if !said.contains("could not bind") {
                panic!("PostgreSQL did not start:\n{said}");
            }
        }
        panic!("PostgreSQL found no free port in three tries");
    }

    /// The connection string for Terraform's `pg` backend (`PG_CONN_STR`).
    pub fn conn_str(&self) -> String {
        format!(
            "postgres://{SUPERUSER}@127.0.0.1:{}/{DATABASE}?sslmode=disable",
            self.port
        )
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn psql_in(&self, database: &str, sql: &str) -> String {
        let output = psql(&self.bin, self.dir.path(), self.port, database, sql)
            .output()
            .unwrap_or_else(|e| panic!("could not run psql: {e}"));
        assert!(
            output.status.success(),
            "psql {sql:?} failed: {}\n--- server log ---\n{}",
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Runs `sql` in [`DATABASE`] and returns its rows, one a line, fields split by `|`.
    pub fn query(&self, sql: &str) -> String {
        self.psql_in(DATABASE, sql)
    }

    /// Advisory locks held in the server now, as `objid granted pid` lines.
    pub fn advisory_locks(&self) -> Vec<String> {
        let rows = self.query(
            "SELECT objid, granted, pid FROM pg_locks WHERE locktype = 'advisory' ORDER BY objid",
        );
        rows.lines().map(str::to_string).collect()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Immediate shutdown: the data is thrown away anyway. The server runs as
        // another user, so it is signalled with kill(1), which root may do.
        if let Ok(None) = self.server.try_wait() {
            let _ = Command::new("kill")
                .args(["-s", "QUIT", "--", &self.server.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while let Ok(None) = self.server.try_wait() {
                if Instant::now() > deadline {
                    let _ = self.server.kill();
                    let _ = self.server.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // The temporary directory goes after this, with the cluster in it.
    }
}

#[test]
fn a_throwaway_server_answers_on_loopback_and_is_removed_when_dropped() {
    let pg = Postgres::start();
    assert!(
        pg.conn_str().starts_with("postgres://postgres@127.0.0.1:"),
        "{}",
        pg.conn_str()
    );
    assert_eq!(pg.query("SELECT current_database()"), DATABASE);
    assert_eq!(pg.query("SHOW fsync"), "off");
    assert_eq!(pg.query("SHOW listen_addresses"), "127.0.0.1");
    let version = pg.query("SHOW server_version_num");
    assert!(
        version.parse::<u32>().is_ok_and(|v| v >= 100_000),
        "{version}"
    );
    // Terraform's pg backend locks with session-level advisory locks: held while the
    // connection lives, gone when it closes.
    assert_eq!(
        pg.query("SELECT pg_try_advisory_lock(42); SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
        "t\n1"
    );
    assert_eq!(
        pg.advisory_locks(),
        Vec::<String>::new(),
        "released with its session"
    );
    let dir = pg.dir.path().to_path_buf();
    let pid = pg.server.id();
    drop(pg);
    assert!(!dir.exists(), "{} was not removed", dir.display());
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "the server {pid} still runs"
    );
}
