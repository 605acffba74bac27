//! The client against a server that misbehaves on purpose, fault after fault in a scripted
//! order: busy codes, rate limits, HTTP errors, dropped connections, truncated and non-JSON
//! bodies, slow answers. Each test asserts what the caller sees and exactly how many requests
//! reached the server.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wecom_sdk::{Client, Error, RetryPolicy};

use crate::support::{CORP_ID, SECRET};

/// What the server does with one request.
#[derive(Clone)]
enum Fault {
    /// Answer with this status and JSON body.
    Answer(u16, &'static str),
    /// Close the connection without answering.
    Reset,
    /// Promise a body, send half of it, close.
    Truncate(&'static str),
    /// Wait, then answer.
    Slow(Duration, &'static str),
}

const OK_MEMBER: &str = r#"{"errcode":0,"errmsg":"ok","userid":"zhangsan","name":"张三"}"#;
const OK_CREATED: &str = r#"{"errcode":0,"errmsg":"created"}"#;
const TOKEN: &str = r#"{"errcode":0,"errmsg":"ok","access_token":"fault-token","expires_in":7200}"#;

/// A hand-rolled HTTP/1.1 server on 127.0.0.1: each path has a script of faults, consumed in
/// order; when a script runs out, its last step repeats. It counts requests by path.
struct FaultServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    scripts: HashMap<String, VecDeque<Fault>>,
    counts: HashMap<String, usize>,
}

impl FaultServer {
    async fn start(scripts: &[(&str, Vec<Fault>)]) -> Self {
        let mut state = State::default();
        state.scripts.insert(
            "/cgi-bin/gettoken".into(),
            VecDeque::from([Fault::Answer(200, TOKEN)]),
        );
        for (path, steps) in scripts {
            state
                .scripts
                .insert(path.to_string(), steps.iter().cloned().collect());
        }
        let state = Arc::new(Mutex::new(state));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, shared.clone()));
            }
        });
        FaultServer { addr, state }
    }

    fn client(&self, policy: RetryPolicy) -> Client {
        Client::builder(CORP_ID, SECRET)
            .base_url(format!("http://{}", self.addr))
            .timeout(Duration::from_millis(500))
            .retry_policy(RetryPolicy::new(
                policy.max_attempts,
                Duration::from_millis(5),
                policy.max_delay,
            ))
            .build()
            .unwrap()
    }

    fn count(&self, path: &str) -> usize {
        self.state.lock().unwrap().counts.get(path).copied().unwrap_or(0)
    }
}

async fn serve(mut socket: TcpStream, state: Arc<Mutex<State>>) {
    let mut buffer = Vec::new();
    loop {
        // Read one request: headers, then as many body bytes as Content-Length says.
        let header_end = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..header_end]).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        while buffer.len() < header_end + length {
            let mut chunk = [0u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..header_end + length);
        let path = head
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .split('?')
            .next()
            .unwrap_or("/")
            .to_string();
        let fault = {
            let mut state = state.lock().unwrap();
            *state.counts.entry(path.clone()).or_default() += 1;
            match state.scripts.get_mut(&path) {
                Some(script) if script.len() > 1 => script.pop_front(),
                Some(script) => script.front().cloned(),
                None => Some(Fault::Answer(404, r#"{"errcode":404}"#)),
            }
        };
        let (status, body) = match fault {
            Some(Fault::Answer(status, body)) => (status, body),
            Some(Fault::Slow(delay, body)) => {
                tokio::time::sleep(delay).await;
                (200, body)
            }
            Some(Fault::Reset) | None => return,
            Some(Fault::Truncate(body)) => {
                let half = &body[..body.len() / 2];
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{half}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                return;
            }
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if socket.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

const GET: &str = "/cgi-bin/user/get";
const CREATE: &str = "/cgi-bin/user/create";

fn busy(code: i64) -> &'static str {
    match code {
        -1 => r#"{"errcode":-1,"errmsg":"system busy"}"#,
        6000 => r#"{"errcode":6000,"errmsg":"data version conflict"}"#,
        45009 => r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
        45033 => r#"{"errcode":45033,"errmsg":"api concurrent out of limit"}"#,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn system_busy_is_retried_with_backoff_and_then_succeeds() {
    let server = FaultServer::start(&[(
        GET,
        vec![
            Fault::Answer(200, busy(-1)),
            Fault::Answer(200, busy(6000)),
            Fault::Answer(200, OK_MEMBER),
        ],
    )])
    .await;
    let member = server
        .client(RetryPolicy::default())
        .user()
        .get("zhangsan")
        .await
        .unwrap();
    assert_eq!(member.userid, "zhangsan");
    assert_eq!((server.count("/cgi-bin/gettoken"), server.count(GET)), (1, 3));
}

#[tokio::test]
async fn busy_answers_stop_after_three_attempts_in_all() {
    let server = FaultServer::start(&[(CREATE, vec![Fault::Answer(200, busy(-1))])]).await;
    let err = server
        .client(RetryPolicy::default())
        .user()
        .create("zhangsan", "张三")
        .mobile("13800000000")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(-1));
    assert!(
        err.api().is_some_and(|e| e.is_retryable() || e.info().is_none()),
        "{err:?}"
    );
    assert_eq!(server.count(CREATE), 3);
    // With retries off, one attempt.
    let server = FaultServer::start(&[(CREATE, vec![Fault::Answer(200, busy(6000))])]).await;
    let err = server
        .client(RetryPolicy::none())
        .user()
        .create("zhangsan", "张三")
        .mobile("13800000000")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(6000));
    assert_eq!(server.count(CREATE), 1);
}

#[tokio::test]
async fn rate_limits_come_back_typed_and_are_never_retried() {
    for code in [45009, 45033] {
        let server = FaultServer::start(&[(GET, vec![Fault::Answer(200, busy(code))])]).await;
        let err = server
            .client(RetryPolicy::default())
            .user()
            .get("zhangsan")
            .await
            .unwrap_err();
        assert!(matches!(&err, Error::RateLimited(e) if e.code == code), "{err:?}");
        assert_eq!(err.endpoint(), Some("user.get"));
        assert_eq!(server.count(GET), 1, "{code}");
    }
}

#[tokio::test]
async fn http_5xx_is_retried_for_reads_only() {
    let server = FaultServer::start(&[(
        GET,
        vec![
            Fault::Answer(503, "<html>busy</html>"),
            Fault::Answer(200, OK_MEMBER),
        ],
    )])
    .await;
    server
        .client(RetryPolicy::default())
        .user()
        .get("zhangsan")
        .await
        .unwrap();
    assert_eq!(server.count(GET), 2);

    let server = FaultServer::start(&[(
        CREATE,
        vec![
            Fault::Answer(503, "<html>busy</html>"),
            Fault::Answer(200, OK_CREATED),
        ],
    )])
    .await;
    let err = server
        .client(RetryPolicy::default())
        .user()
        .create("zhangsan", "张三")
        .mobile("13800000000")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Http {
                endpoint: "user.create",
                status: 503,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(CREATE), 1, "a POST is not blindly repeated");
}

#[tokio::test]
async fn dropped_connections_are_retried_for_reads_only() {
    let server = FaultServer::start(&[(
        GET,
        vec![
            Fault::Reset,
            Fault::Truncate(OK_MEMBER),
            Fault::Answer(200, OK_MEMBER),
        ],
    )])
    .await;
    let member = server
        .client(RetryPolicy::default())
        .user()
        .get("zhangsan")
        .await
        .unwrap();
    assert_eq!(member.name, "张三");
    assert_eq!(server.count(GET), 3);

    let server = FaultServer::start(&[(CREATE, vec![Fault::Reset, Fault::Answer(200, OK_CREATED)])]).await;
    let err = server
        .client(RetryPolicy::default())
        .user()
        .create("zhangsan", "张三")
        .mobile("13800000000")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                endpoint: "user.create",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(CREATE), 1);

    let server = FaultServer::start(&[(
        CREATE,
        vec![Fault::Truncate(OK_CREATED), Fault::Answer(200, OK_CREATED)],
    )])
    .await;
    let err = server
        .client(RetryPolicy::default())
        .user()
        .create("zhangsan", "张三")
        .mobile("13800000000")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                endpoint: "user.create",
                ..
            } | Error::Decode { .. }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(CREATE), 1);
}

#[tokio::test]
async fn answers_that_are_not_json_and_slow_answers_are_not_retried() {
    let server = FaultServer::start(&[(GET, vec![Fault::Answer(200, "<html>portal</html>")])]).await;
    let err = server
        .client(RetryPolicy::default())
        .user()
        .get("zhangsan")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Decode {
                endpoint: "user.get",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(GET), 1);

    let server = FaultServer::start(&[(GET, vec![Fault::Slow(Duration::from_secs(2), OK_MEMBER)])]).await;
    let err = server
        .client(RetryPolicy::default())
        .user()
        .get("zhangsan")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                endpoint: "user.get",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(GET), 1);
}

#[tokio::test]
async fn token_fetches_are_retried_like_reads() {
    let server = FaultServer::start(&[(GET, vec![Fault::Answer(200, OK_MEMBER)])]).await;
    server.state.lock().unwrap().scripts.insert(
        "/cgi-bin/gettoken".into(),
        VecDeque::from([
            Fault::Reset,
            Fault::Answer(200, busy(-1)),
            Fault::Answer(200, TOKEN),
        ]),
    );
    server
        .client(RetryPolicy::default())
        .user()
        .get("zhangsan")
        .await
        .unwrap();
    assert_eq!((server.count("/cgi-bin/gettoken"), server.count(GET)), (3, 1));
}
