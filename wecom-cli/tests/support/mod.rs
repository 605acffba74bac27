//! What the CLI's process tests share: `wecom mock` as a process, and `wecom` run against it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// The `wecom` binary under test.
pub const WECOM: &str = env!("CARGO_BIN_EXE_wecom");

/// `wecom mock` on a free port; killed when dropped.
pub struct Mock {
    child: Child,
    pub base_url: String,
    credentials: &'static [(&'static str, &'static str)],
}

impl Mock {
    /// Starts the mock with `credentials` (environment variables of the credential inputs),
    /// which [`Mock::wecom`] passes to every call too.
    pub fn start(credentials: &'static [(&'static str, &'static str)]) -> Mock {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(WECOM)
            .args(["mock", "--port", &port.to_string()])
            .envs(credentials.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("wecom mock starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(first.contains("listening on"), "{first}");
        Mock {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            credentials,
        }
    }

    /// Replaces the mock's address book with the named fixture.
    pub fn fixture(&self, name: &str) {
        post(&format!("{}/__mock/fixture/{name}", self.base_url));
    }

    /// Runs `wecom` against the mock.
    pub fn wecom(&self, args: &[&str]) -> Output {
        Command::new(WECOM)
            .args(args)
            .env("WECOM_BASE_URL", &self.base_url)
            .envs(self.credentials.iter().copied())
            .env_remove("WECOM_REDIS_URL")
            .output()
            .expect("wecom runs")
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bare HTTP/1.1 POST with an empty body.
fn post(url: &str) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
