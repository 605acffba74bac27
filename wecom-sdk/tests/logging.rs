//! Everything the SDK and its HTTP stack log at TRACE level, through a whole call that fetches a
//! token, is refused and retries, holds neither the secret nor the token. A binary of its own:
//! the subscriber must be the process-wide default to see every thread.

use std::io::Write;
use std::sync::{Arc, Mutex};

use wecom_sdk::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "logging-test-secret-5d8a1c";
const TOKEN: &str = "logging-test-token-93be77";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

#[tokio::test]
async fn trace_logs_hold_no_secret_and_no_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish(),
    )
    .expect("the only subscriber of this process");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .respond_with(json(&format!(
            r#"{{"errcode":0,"errmsg":"ok","access_token":"{TOKEN}","expires_in":7200}}"#
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/user/get"))
        .respond_with(json(r#"{"errcode":42001,"errmsg":"access_token expired"}"#))
        .mount(&server)
        .await;
    let client = Client::builder("logging-corp", SECRET)
        .base_url(server.uri())
        .build()
        .unwrap();
    let err = client.user().get("zhangsan").await.unwrap_err();
    assert_eq!(err.code(), Some(42001));
    tracing::error!(error = %err, debug = ?err, client = ?client, "what a caller might log");

    let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("user.get"), "the call was logged:\n{logged}");
    assert!(
        logged.contains("token rejected"),
        "the refresh was logged:\n{logged}"
    );
    assert!(!logged.contains(SECRET), "the secret leaked:\n{logged}");
    assert!(!logged.contains(TOKEN), "the token leaked:\n{logged}");
}
