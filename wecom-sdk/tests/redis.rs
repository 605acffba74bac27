//! A fleet of separate OS processes sharing one Redis fetch each token once between them, and a
//! refresh-lock holder that dies does not wedge the others. Runs against a real Redis: the one at
//! `WECOM_TEST_REDIS_URL`, else a private `redis-server` each test starts. Without either the
//! tests fail and say what to install, unless `WECOM_TEST_REDIS=skip` (what `cargo xtask test`
//! sets on a machine without Redis, and says so): then they print that they were skipped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wecom_sdk::{Client, RedisStore};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "fleet-secret";

#[path = "common/redis_server.rs"]
mod redis_server;
use redis_server::Redis;

/// A corp id of its own per test, so tests sharing a server do not share tokens.
fn corp() -> String {
    format!("fleet-{:016x}", fastrand::u64(..))
}

/// A worker: this test binary again, running [`worker`] in a process of its own.
fn spawn_worker(redis: &Redis, base_url: &str, corp: &str, lock_ttl_ms: u64) -> Child {
    Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "worker",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FLEET_BASE_URL", base_url)
        .env("FLEET_CORP", corp)
        .env("FLEET_REDIS_URL", &redis.url)
        .stdin(Stdio::null())
        .env("FLEET_LOCK_TTL_MS", lock_ttl_ms.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a worker process")
}

/// The token a finished worker printed.
fn token_of(child: Child) -> String {
    let output = child.wait_with_output().expect("the worker ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "worker failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // libtest prints the test's name on the same line, before the worker's output.
    stdout
        .split_whitespace()
        .find_map(|word| word.strip_prefix("FLEET_TOKEN="))
        .unwrap_or_else(|| panic!("no token in:\n{stdout}"))
        .to_string()
}

#[test]
#[ignore = "a worker process that the fleet tests start; not a test of its own"]
fn worker() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by the fleet test"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = RedisStore::connect(&var("FLEET_REDIS_URL"))
            .await
            .expect("Redis is up")
            .with_lock_ttl(Duration::from_millis(var("FLEET_LOCK_TTL_MS").parse().unwrap()));
        let client = Client::builder(var("FLEET_CORP"), SECRET)
            .base_url(var("FLEET_BASE_URL"))
            .timeout(Duration::from_secs(20))
            .token_store(store)
            .build()
            .unwrap();
        let token = client.access_token().await.expect("a token");
        println!("FLEET_TOKEN={}", token.expose());
    });
}

async fn token_server(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(
                    br#"{"errcode":0,"errmsg":"ok","access_token":"fleet-token","expires_in":7200}"#.to_vec(),
                    "application/json",
                )
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

async fn gettoken_count(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/cgi-bin/gettoken")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_processes_fetch_the_token_once_between_them() {
    let Some(redis) = Redis::start() else {
        return;
    };
    let server = token_server(Duration::from_millis(800)).await;
    let corp = corp();
    let workers: Vec<Child> = (0..5)
        .map(|_| spawn_worker(&redis, &server.uri(), &corp, 5_000))
        .collect();
    let tokens: Vec<String> =
        tokio::task::spawn_blocking(move || workers.into_iter().map(token_of).collect())
            .await
            .unwrap();
    assert!(tokens.iter().all(|t| t == "fleet-token"), "{tokens:?}");
    assert_eq!(gettoken_count(&server).await, 1, "one fetch for the whole fleet");

    // A process that starts later finds the token in Redis and asks WeCom nothing.
    let late = spawn_worker(&redis, &server.uri(), &corp, 5_000);
    let token = tokio::task::spawn_blocking(move || token_of(late)).await.unwrap();
    assert_eq!(token, "fleet-token");
    assert_eq!(gettoken_count(&server).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_holder_that_dies_does_not_wedge_the_others() {
    let Some(redis) = Redis::start() else {
        return;
    };
    // The holder's fetch hangs; its lock lasts one second.
    let server = token_server(Duration::from_secs(3)).await;
    let corp = corp();
    let mut holder = spawn_worker(&redis, &server.uri(), &corp, 1_000);

    // Wait until the holder has taken the lock (its gettoken request has arrived), then kill it.
    let started = Instant::now();
    while gettoken_count(&server).await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the holder never asked for a token"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    holder.kill().expect("the holder can be killed");
    let _ = holder.wait();

    let started = Instant::now();
    let survivors: Vec<Child> = (0..2)
        .map(|_| spawn_worker(&redis, &server.uri(), &corp, 1_000))
        .collect();
    let tokens: Vec<String> =
        tokio::task::spawn_blocking(move || survivors.into_iter().map(token_of).collect())
            .await
            .unwrap();
    assert!(tokens.iter().all(|t| t == "fleet-token"), "{tokens:?}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took over in {:?}",
        started.elapsed()
    );
    assert_eq!(
        gettoken_count(&server).await,
        2,
        "the dead holder's fetch, then one by a survivor"
    );
}
