//! The Redis server of a test, shared by the test binaries that need one (included with
//! `#[path]`): the one at `WECOM_TEST_REDIS_URL` when set, else a private `redis-server` on a free
//! port, stopped when the test ends. Without either the test fails and says what to install,
//! unless `WECOM_TEST_REDIS=skip`, when it prints that it was skipped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Redis for one test.
pub struct Redis {
    /// `redis://127.0.0.1:PORT/`.
    pub url: String,
    server: Option<Child>,
}

impl Redis {
    /// The server, or `None` when there is none and `WECOM_TEST_REDIS=skip` allows that.
    pub fn start() -> Option<Redis> {
        if let Some(url) = std::env::var("WECOM_TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            return Some(Redis { url, server: None });
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let server = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let server = match server {
            Ok(server) => server,
            Err(e) if std::env::var("WECOM_TEST_REDIS").as_deref() == Ok("skip") => {
                eprintln!("skipped: no redis-server ({e}) and WECOM_TEST_REDIS=skip");
                return None;
            }
            Err(e) => panic!(
                "this test needs a redis-server ({e}): install one (apt install redis-server) \
                 or point WECOM_TEST_REDIS_URL at one"
            ),
        };
        let redis = Redis {
            url: format!("redis://127.0.0.1:{port}/"),
            server: Some(server),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(redis)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(server) = &mut self.server {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}
