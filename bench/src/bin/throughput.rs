//! Throughput of the SDK beside a hand-written `reqwest` + `serde` loop sharing its connection
//! pool, sequential and with 64 concurrent tasks, for `user/get` and `message/send`; wechatpy
//! sequentially against the same server when a Python with it is given; and the token path
//! (1,000 concurrent calls on a cold client). The server is an axum server on 127.0.0.1 that
//! answers fixed bodies: the documented example answers.
//!
//! ```sh
//! cargo run --release -p wecom-bench --bin throughput -- [--requests N] [--python PATH]
//! ```
//!
//! `--only raw|sdk [--bench user/get|message/send] [--concurrency N]` runs one client's loop
//! alone (for a profiler).
//!
//! Prints one JSON object per measurement on stdout.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use futures_util::StreamExt;
use serde_json::json;
use wecom_bench::{MEMBER, RawMember, RawSent, SENT, TOKEN, raw_send_body};
use wecom_sdk::message::{Message, TextContent};
use wecom_sdk::{Client, RetryPolicy};

struct Server {
    base: String,
    gettoken: Arc<AtomicUsize>,
}

async fn serve(token_delay: Duration) -> Server {
    let gettoken = Arc::new(AtomicUsize::new(0));
    let count = gettoken.clone();
    let json = |body: &'static str| ([("content-type", "application/json")], body);
    let app = axum::Router::new()
        .route(
            "/cgi-bin/gettoken",
            get(move || {
                let count = count.clone();
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(token_delay).await;
                    json(TOKEN)
                }
            }),
        )
        .route("/cgi-bin/user/get", get(move || async move { json(MEMBER) }))
        .route("/cgi-bin/message/send", post(move || async move { json(SENT) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Server { base, gettoken }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()
        .unwrap()
}

fn sdk(base: &str, http: &reqwest::Client) -> Client {
    Client::builder("ww-bench", "bench-secret")
        .base_url(base)
        .http_client(http.clone())
        .retry_policy(RetryPolicy::none())
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

/// Rounds of each measurement.
const ROUNDS: usize = 9;

/// The per-request timeout of both clients: the SDK's default, which a careful raw client sets
/// too (it costs each request a timer).
const TIMEOUT: Duration = Duration::from_secs(30);

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn report(name: &str, mode: &str, client: &str, requests: usize, elapsed: Duration) {
    let per_second = requests as f64 / elapsed.as_secs_f64();
    println!(
        "{}",
        json!({"bench": name, "mode": mode, "client": client, "requests": requests,
               "seconds": elapsed.as_secs_f64(), "per_second": per_second})
    );
}

/// Runs `call` `requests` times, one after the other or `concurrency` at a time.
async fn drive<F, Fut>(requests: usize, concurrency: usize, call: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    futures_util::stream::iter(0..requests)
        .for_each_concurrent(concurrency, |_| call())
        .await;
    started.elapsed()
}

async fn raw_member(http: &reqwest::Client, base: &str) {
    let bytes = http
        .get(format!("{base}/cgi-bin/user/get"))
        .query(&[("access_token", "bench-token"), ("userid", "zhangsan")])
        .timeout(TIMEOUT)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let member: RawMember = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(member.errcode, 0);
}

async fn raw_send(http: &reqwest::Client, base: &str) {
    let body = raw_send_body();
    let bytes = http
        .post(format!("{base}/cgi-bin/message/send"))
        .query(&[("access_token", "bench-token")])
        .timeout(TIMEOUT)
        .json(&body)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let sent: RawSent = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(sent.errcode, 0);
}

async fn sdk_member(client: &Client) {
    client.user().get("zhangsan").await.unwrap();
}

async fn sdk_send(client: &Client) {
    client
        .message()
        .send(1000002, Message::Text(TextContent::new("hello")))
        .touser(["zhangsan", "lisi"])
        .await
        .unwrap();
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let requests: usize = value("--requests").and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let python = value("--python");

    let server = serve(Duration::ZERO).await;
    let base = server.base.clone();
    let pool = http();
    let client = sdk(&base, &pool);
    client.access_token().await.unwrap();
    // Warm the pool and the code paths.
    for _ in 0..500 {
        raw_member(&pool, &base).await;
        sdk_member(&client).await;
    }

    // `--only raw|sdk`: one client's concurrent user/get loop alone, for a profiler.
    // `--only raw|sdk [--bench user/get|message/send] [--concurrency N]`: one loop alone, for
    // a profiler.
    if let Some(only) = value("--only") {
        let bench = value("--bench").unwrap_or_else(|| "user/get".into());
        let concurrency: usize = value("--concurrency").and_then(|n| n.parse().ok()).unwrap_or(64);
        let t = match (only.as_str(), bench.as_str()) {
            ("raw", "message/send") => drive(requests, concurrency, || raw_send(&pool, &base)).await,
            ("raw", _) => drive(requests, concurrency, || raw_member(&pool, &base)).await,
            (_, "message/send") => drive(requests, concurrency, || sdk_send(&client)).await,
            _ => drive(requests, concurrency, || sdk_member(&client)).await,
        };
        report(&bench, &format!("concurrency-{concurrency}"), &only, requests, t);
        return;
    }

    for (mode, concurrency) in [("sequential", 1), ("concurrent-64", 64)] {
        let n = if concurrency == 1 { requests / 4 } else { requests };
        // Rounds interleave the clients so that a noisy moment of this shared machine hits both;
        // each figure is the median of its rounds.
        let mut times: [[Vec<Duration>; 2]; 2] = Default::default();
        for _ in 0..ROUNDS {
            times[0][0].push(drive(n, concurrency, || raw_member(&pool, &base)).await);
            times[0][1].push(drive(n, concurrency, || sdk_member(&client)).await);
            times[1][0].push(drive(n, concurrency, || raw_send(&pool, &base)).await);
            times[1][1].push(drive(n, concurrency, || sdk_send(&client)).await);
        }
        for (i, bench) in ["user/get", "message/send"].into_iter().enumerate() {
            report(bench, mode, "raw", n, median(&mut times[i][0]));
            report(bench, mode, "sdk", n, median(&mut times[i][1]));
        }
    }

    if let Some(python) = python {
        let n = (requests / 10).max(100);
        let script = format!(
            r#"
import time, json
from wechatpy.work import WeChatClient
c = WeChatClient("ww-bench", "bench-secret")
c.API_BASE_URL = "{base}/cgi-bin/"
c._access_token = "bench-token"
c.session.set(c.access_token_key, "bench-token", 7200)
for name, call in [("user/get", lambda: c.user.get("zhangsan")),
                   ("message/send", lambda: c.message.send_text(1000002, ["zhangsan", "lisi"], "hello"))]:
    for _ in range(50): call()
    start = time.perf_counter()
    for _ in range({n}): call()
    elapsed = time.perf_counter() - start
    print(json.dumps({{"bench": name, "mode": "sequential", "client": "wechatpy", "requests": {n},
                      "seconds": elapsed, "per_second": {n} / elapsed}}))
"#
        );
        let output = tokio::process::Command::new(&python)
            .arg("-c")
            .arg(script)
            .output()
            .await
            .unwrap();
        print!("{}", String::from_utf8_lossy(&output.stdout));
        if !output.status.success() {
            eprintln!("wechatpy failed: {}", String::from_utf8_lossy(&output.stderr));
        }
    }

    // The token path: 1,000 concurrent calls on a cold client, gettoken answering in 20 ms.
    let slow = serve(Duration::from_millis(20)).await;
    let cold = sdk(&slow.base, &http());
    let started = Instant::now();
    futures_util::stream::iter(0..1000)
        .for_each_concurrent(1000, |_| async {
            cold.user().get("zhangsan").await.unwrap();
        })
        .await;
    println!(
        "{}",
        json!({"bench": "cold-token", "calls": 1000, "seconds": started.elapsed().as_secs_f64(),
               "gettoken": slow.gettoken.load(Ordering::SeqCst)})
    );
    assert_eq!(
        server.gettoken.load(Ordering::SeqCst),
        1,
        "the warm client fetched its token once"
    );
    assert_eq!(
        slow.gettoken.load(Ordering::SeqCst),
        1,
        "1,000 cold calls share one gettoken"
    );
}
