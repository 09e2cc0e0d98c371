//! Throwaway PostgreSQL and Redis servers for the store tests: each in a
//! folder of its own under the system's temporary folder, listening on a
//! unix socket there and on a free port of 127.0.0.1, stopped and removed
//! when dropped. Debian's `postgresql` and `redis-server` packages provide
//! the programs (`.ci/run` installs them); when one is missing the test
//! fails saying so.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A folder removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(kind: &str) -> Folder {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "dt-{kind}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Folder(path)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start it ({e}); install Debian's postgresql and redis-server (.ci/run does)"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// A PostgreSQL cluster of its own.
pub struct Postgres {
    folder: Folder,
    /// Settings given to the server (`-c name=value` each).
    settings: Vec<String>,
    bin: PathBuf,
    port: u16,
    /// As root, the programs run as the `postgres` user (initdb refuses
    /// root).
    as_postgres: bool,
}

impl Postgres {
    /// Creates a cluster (trust authentication, user `postgres`, `fsync`
    /// off: the tests need no durability) and starts it.
    pub fn start() -> Postgres {
        Postgres::start_with(&["fsync=off"])
    }

    /// Creates a cluster with these settings (`name=value`) and starts it.
    pub fn start_with(settings: &[&str]) -> Postgres {
        let folder = Folder::new("pg");
        let as_postgres = is_root();
        if as_postgres {
            run(
                Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(&folder.0),
                "chown of the cluster's folder to postgres",
            );
        }
        let pg = Postgres {
            bin: postgres_bin(),
            port: free_port(),
            folder,
            as_postgres,
            settings: settings.iter().map(|s| format!("-c {s}")).collect(),
        };
        run(
            pg.command("initdb")
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "-D",
                ])
                .arg(pg.data()),
            "initdb",
        );
        pg.resume();
        pg
    }

    fn data(&self) -> PathBuf {
        self.folder.0.join("data")
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    /// Starts the server again after [`Postgres::stop`].
    pub fn resume(&self) {
        let options = format!(
            "-k {} -p {} -c listen_addresses=127.0.0.1 -c max_connections=200 {}",
            self.folder.0.display(),
            self.port,
            self.settings.join(" ")
        );
        run(
            self.command("pg_ctl")
                .args(["-w", "-t", "30", "-D"])
                .arg(self.data())
                .args(["-l"])
                .arg(self.folder.0.join("log"))
                .args(["-o", &options, "start"]),
            "pg_ctl start",
        );
    }

    /// Stops the server at once (connections are cut).
    pub fn stop(&self) {
        run(
            self.command("pg_ctl")
                .args(["-w", "-D"])
                .arg(self.data())
                .args(["-m", "immediate", "stop"]),
            "pg_ctl stop",
        );
    }

    /// Its unix socket, as a URL (the folder percent-encoded as the host).
    pub fn socket_url(&self) -> String {
        let host: String = self.folder.0.display().to_string().replace('/', "%2F");
        format!("postgres://postgres@{host}:{}/postgres", self.port)
    }

    /// Its TCP address on 127.0.0.1, as a URL.
    pub fn tcp_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-D"])
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The newest `/usr/lib/postgresql/N/bin`, or the folder of `initdb` on
/// the `PATH`.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_ctl").exists().then_some((n, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return bin;
    }
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).find(|p| p.join("pg_ctl").exists()))
        .expect(
            "no PostgreSQL server programs (pg_ctl): install Debian's postgresql (.ci/run does)",
        )
}

/// A Redis server of its own.
pub struct Redis {
    folder: Folder,
    /// Arguments given to the server after the addresses.
    settings: Vec<String>,
    port: u16,
    child: Option<Child>,
}

impl Redis {
    /// Starts a Redis that writes every change to its append-only file
    /// before answering (a Redis that forgot its "done" keys in a restart
    /// would let handled events run again).
    pub fn start() -> Redis {
        Redis::start_with(&["--appendonly", "yes", "--appendfsync", "always"])
    }

    /// Starts a Redis with these arguments.
    pub fn start_with(settings: &[&str]) -> Redis {
        let mut redis = Redis {
            settings: settings.iter().map(|s| (*s).to_owned()).collect(),
            folder: Folder::new("redis"),
            port: free_port(),
            child: None,
        };
        redis.resume();
        redis
    }

    fn socket(&self) -> PathBuf {
        self.folder.0.join("redis.sock")
    }

    /// Starts the server again after [`Redis::stop`], and waits until it
    /// takes connections.
    pub fn resume(&mut self) {
        let _ = std::fs::remove_file(self.socket());
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--unixsocket")
            .arg(self.socket())
            .args(["--unixsocketperm", "700", "--save", ""])
            .args(&self.settings)
            .arg("--dir")
            .arg(&self.folder.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("no redis-server: install Debian's redis-server (.ci/run does)");
        self.child = Some(child);
        wait_for(&self.socket(), self.port);
    }

    /// Stops the server (killed: connections are cut).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Its unix socket, as a URL.
    pub fn socket_url(&self) -> String {
        format!("redis+unix://{}", self.socket().display())
    }

    /// Its TCP address on 127.0.0.1, as a URL.
    pub fn tcp_url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits up to 10 s until the socket exists and the port takes a
/// connection.
fn wait_for(socket: &Path, port: u16) {
    let until = Instant::now() + Duration::from_secs(10);
    while Instant::now() < until {
        if socket.exists() && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("redis-server did not start within 10 s");
}
