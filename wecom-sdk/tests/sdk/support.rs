//! The harness behind the generated endpoint tests and the sample tests: a local HTTP server
//! (wiremock on 127.0.0.1) that records what the client sends, and a check that a typed
//! response keeps every field of the body it was decoded from.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wecom_sdk::{Client, Endpoint};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CORP_ID: &str = "ww-test-corp";
pub const SECRET: &str = "test-secret-0123456789";
pub const TOKEN: &str = "test-access-token-abcdef";
pub const PROVIDER_CORP_ID: &str = "ww-test-provider";
pub const PROVIDER_SECRET: &str = "test-provider-secret-0123";
pub const PROVIDER_TOKEN: &str = "test-provider-token-abcdef";
pub const SUITE_ID: &str = "ww-test-suite";
pub const SUITE_SECRET: &str = "test-suite-secret-0123";
pub const SUITE_TICKET: &str = "test-suite-ticket-0123";
pub const SUITE_TOKEN: &str = "test-suite-token-abcdef";

/// One endpoint's documented exchange, as the spec gives it.
pub struct Case {
    pub id: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// The request example's keys that travel in the query; the rest form the JSON body.
    pub query_keys: &'static [&'static str],
    pub json_body: bool,
    /// The request example's keys that are files of a multipart body.
    pub files: &'static [&'static str],
    /// `access_token`, `provider_access_token`, `suite_access_token` or `none`.
    pub auth: &'static str,
    pub request: &'static str,
    pub response: &'static str,
}

/// A server that hands out [`TOKEN`] from `gettoken` (expecting `expected_fetches` calls).
pub async fn server_with_token(expected_fetches: impl Into<wiremock::Times>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .respond_with(json(&format!(
            r#"{{"errcode":0,"errmsg":"ok","access_token":"{TOKEN}","expires_in":7200}}"#
        )))
        .expect(expected_fetches)
        .named("gettoken")
        .mount(&server)
        .await;
    server
}

pub fn client(server: &MockServer) -> Client {
    Client::builder(CORP_ID, SECRET)
        .base_url(server.uri())
        .build()
        .expect("a client for the local server")
}

pub fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// Sends the documented request through the typed request and checks what reaches the server;
/// then checks the documented response decodes through the typed response with no field lost.
pub async fn check_endpoint<R>(case: Case)
where
    R: Endpoint + DeserializeOwned,
    R::Response: Serialize,
{
    let server = server_for(case.auth).await;
    Mock::given(method(case.method))
        .and(path(case.path))
        .respond_with(json(case.response))
        .expect(1)
        .named(case.id)
        .mount(&server)
        .await;

    let files = FileFixtures::new(&case);
    let request: R = serde_json::from_str(&files.request).unwrap_or_else(|e| {
        panic!(
            "{}: the request example does not fit the typed request: {e}",
            case.id
        )
    });
    let response = client_for(&server, case.auth)
        .execute(&request)
        .await
        .unwrap_or_else(|e| panic!("{}: the call failed: {e}", case.id));

    let received = server.received_requests().await.expect("recording is on");
    let call = received
        .iter()
        .find(|r| r.url.path() == case.path)
        .unwrap_or_else(|| panic!("{}: nothing reached {}", case.id, case.path));
    assert_eq!(call.method.as_str(), case.method, "{}: method", case.id);

    let example: Value = serde_json::from_str(case.request).expect("the spec checked it is JSON");
    let example = example.as_object().cloned().unwrap_or_default();
    let mut expected_query: BTreeMap<String, String> = example
        .iter()
        .filter(|(k, _)| case.query_keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), query_text(v)))
        .collect();
    if let Some((param, token)) = credential_for(case.auth) {
        expected_query.insert(param.into(), token.into());
    }
    let query: BTreeMap<String, String> = call
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(query, expected_query, "{}: query", case.id);

    if !case.files.is_empty() {
        files.assert_sent(&case, call);
    } else if case.json_body {
        let expected_body: serde_json::Map<String, Value> = example
            .into_iter()
            .filter(|(k, _)| !case.query_keys.contains(&k.as_str()))
            .collect();
        let body: Value = serde_json::from_slice(&call.body)
            .unwrap_or_else(|e| panic!("{}: the body is not JSON: {e}", case.id));
        assert_eq!(body, Value::Object(expected_body), "{}: JSON body", case.id);
        let content_type = call.headers.get("content-type").and_then(|v| v.to_str().ok());
        assert_eq!(
            content_type,
            Some("application/json"),
            "{}: content type",
            case.id
        );
    } else {
        assert!(
            call.body.is_empty(),
            "{}: a {} without a body sent one",
            case.id,
            case.method
        );
    }

    let original: Value = serde_json::from_str(case.response).expect("the spec checked it is JSON");
    let reencoded = serde_json::to_value(&response).expect("typed responses serialize");
    assert_lossless(case.id, &original, &reencoded);
}

fn query_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Fails when `decoded` (a typed response re-encoded) lost or changed a value of `original`.
/// Equivalent spellings count as equal: `"1"` and `1`, `0`/`1` and booleans, `""` and absent.
pub fn assert_lossless(context: &str, original: &Value, decoded: &Value) {
    let mut problems = Vec::new();
    compare("$", original, decoded, &mut problems);
    assert!(
        problems.is_empty(),
        "{context}: the typed response does not hold the body:\n  {}\nbody: {original}\ndecoded: {decoded}",
        problems.join("\n  ")
    );
}

fn compare(at: &str, original: &Value, decoded: &Value, problems: &mut Vec<String>) {
    match (original, decoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                if at == "$" && (key == "errcode" || key == "errmsg") {
                    continue;
                }
                let here = format!("{at}.{key}");
                match b.get(key) {
                    Some(other) => compare(&here, value, other, problems),
                    None if is_empty(value) => {}
                    None => problems.push(format!("{here} is lost (was {value})")),
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) && !is_empty(value) {
                    problems.push(format!("{at}.{key} appeared ({value}) though the body has none"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{at}[{i}]"), x, y, problems);
            }
        }
        (a, b) if same_scalar(a, b) => {}
        (a, b) if is_empty(a) && is_empty(b) => {}
        (a, b) => problems.push(format!("{at} was {a}, decoded as {b}")),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Bool(b) => !b,
    }
}

fn same_scalar(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
}

/// Decodes a body through one endpoint's typed response and re-encodes it.
pub struct Decoder {
    pub id: &'static str,
    pub path: &'static str,
    pub decode: fn(&[u8]) -> Result<Value, String>,
}

impl Decoder {
    pub fn of<R>() -> Decoder
    where
        R: Endpoint,
        R::Response: Serialize,
    {
        Decoder {
            id: R::META.id,
            path: R::META.path,
            decode: |bytes| {
                let typed: R::Response = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
                serde_json::to_value(typed).map_err(|e| e.to_string())
            },
        }
    }
}

/// `../shared/wecom-samples` beside the checkout (or `WECOM_SAMPLES_DIR`), when it is there.
pub fn samples_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("WECOM_SAMPLES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/wecom-samples"),
    };
    dir.is_dir().then_some(dir)
}

/// A server that hands out the credential `auth` needs (once).
pub async fn server_for(auth: &str) -> MockServer {
    let server = MockServer::start().await;
    match auth {
        "access_token" => {
            Mock::given(method("GET"))
                .and(path("/cgi-bin/gettoken"))
                .respond_with(json(&format!(r#"{{"errcode":0,"errmsg":"ok","access_token":"{TOKEN}","expires_in":7200}}"#)))
                .expect(1)
                .mount(&server)
                .await
        }
        "provider_access_token" => {
            Mock::given(method("POST"))
                .and(path("/cgi-bin/service/get_provider_token"))
                .and(wiremock::matchers::body_json(serde_json::json!({"corpid": PROVIDER_CORP_ID, "provider_secret": PROVIDER_SECRET})))
                .respond_with(json(&format!(r#"{{"provider_access_token":"{PROVIDER_TOKEN}","expires_in":7200}}"#)))
                .expect(1)
                .mount(&server)
                .await
        }
        "suite_access_token" => {
            Mock::given(method("POST"))
                .and(path("/cgi-bin/service/get_suite_token"))
                .and(wiremock::matchers::body_json(serde_json::json!({"suite_id": SUITE_ID, "suite_secret": SUITE_SECRET, "suite_ticket": SUITE_TICKET})))
                .respond_with(json(&format!(r#"{{"suite_access_token":"{SUITE_TOKEN}","expires_in":7200}}"#)))
                .expect(1)
                .mount(&server)
                .await
        }
        _ => {}
    }
    server
}

/// A client holding every kind of credential the tests use.
pub fn client_for(server: &MockServer, auth: &str) -> Client {
    let client = Client::builder(CORP_ID, SECRET)
        .provider(PROVIDER_CORP_ID, PROVIDER_SECRET)
        .suite(SUITE_ID, SUITE_SECRET)
        .base_url(server.uri())
        .build()
        .expect("a client for the local server");
    if auth == "suite_access_token" {
        client.set_suite_ticket(SUITE_TICKET);
    }
    client
}

/// The query parameter and token a call with `auth` carries.
pub fn credential_for(auth: &str) -> Option<(&'static str, &'static str)> {
    match auth {
        "access_token" => Some(("access_token", TOKEN)),
        "provider_access_token" => Some(("access_token", PROVIDER_TOKEN)),
        "suite_access_token" => Some(("suite_access_token", SUITE_TOKEN)),
        _ => None,
    }
}

/// Real files for the file parameters of a request example: the example names a file, the
/// fixture writes one of that name (with known content) and points the request at it.
struct FileFixtures {
    _dir: Option<tempfile::TempDir>,
    request: String,
    /// `(part name, file name, content)`.
    files: Vec<(String, String, Vec<u8>)>,
}

impl FileFixtures {
    fn new(case: &Case) -> Self {
        if case.files.is_empty() {
            return FileFixtures {
                _dir: None,
                request: case.request.to_string(),
                files: Vec::new(),
            };
        }
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut example: Value = serde_json::from_str(case.request).expect("the spec checked it is JSON");
        let mut files = Vec::new();
        for key in case.files {
            let Some(name) = example.get(*key).and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            let content = format!("contents of {name} for {}\n", case.id).into_bytes();
            let path = dir.path().join(&name);
            std::fs::write(&path, &content).expect("a fixture file");
            example[*key] = Value::String(path.to_string_lossy().into_owned());
            files.push((key.to_string(), name, content));
        }
        FileFixtures {
            _dir: Some(dir),
            request: example.to_string(),
            files,
        }
    }

    /// Each file arrived as a multipart part with its plain UTF-8 name and its bytes.
    fn assert_sent(&self, case: &Case, call: &wiremock::Request) {
        let content_type = call
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            content_type.starts_with("multipart/form-data"),
            "{}: content type {content_type}",
            case.id
        );
        let body = String::from_utf8_lossy(&call.body);
        for (part, name, content) in &self.files {
            let disposition = format!(r#"Content-Disposition: form-data; name="{part}"; filename="{name}""#);
            assert!(
                body.contains(&disposition),
                "{}: no part `{disposition}` in\n{body}",
                case.id
            );
            assert!(
                !body.contains("filename*="),
                "{}: RFC 2231 file names are refused by WeCom",
                case.id
            );
            assert!(
                body.contains(&*String::from_utf8_lossy(content)),
                "{}: the file's bytes are missing",
                case.id
            );
        }
    }
}

/// A download endpoint: the documented request reaches the server as documented and the file
/// comes back streamed with its name; a JSON answer (the documented error) becomes an error.
pub async fn check_download<R>(case: Case)
where
    R: wecom_sdk::DownloadEndpoint + DeserializeOwned,
{
    let server = server_for(case.auth).await;
    let file = b"\x89PNG fake image bytes".to_vec();
    Mock::given(method(case.method))
        .and(path(case.path))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-disposition", r#"attachment; filename="downloaded.png""#)
                .set_body_raw(file.clone(), "image/png"),
        )
        .expect(1)
        .named(case.id)
        .mount(&server)
        .await;
    let request: R = serde_json::from_str(case.request).unwrap_or_else(|e| {
        panic!(
            "{}: the request example does not fit the typed request: {e}",
            case.id
        )
    });
    let client = client_for(&server, case.auth);
    let mut download = client
        .download(&request)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", case.id));
    assert_eq!(download.file_name(), Some("downloaded.png"), "{}", case.id);
    assert_eq!(download.content_type(), Some("image/png"), "{}", case.id);
    let mut received = Vec::new();
    while let Some(chunk) = download.chunk().await.unwrap() {
        received.extend_from_slice(&chunk);
    }
    assert_eq!(received, file, "{}: file bytes", case.id);

    let calls = server.received_requests().await.expect("recording is on");
    let call = calls
        .iter()
        .find(|r| r.url.path() == case.path)
        .expect("the download was requested");
    let example: Value = serde_json::from_str(case.request).expect("the spec checked it is JSON");
    let mut expected: BTreeMap<String, String> = example
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), query_text(v)))
        .collect();
    if let Some((param, token)) = credential_for(case.auth) {
        expected.insert(param.into(), token.into());
    }
    let query: BTreeMap<String, String> = call
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(query, expected, "{}: query", case.id);

    let documented: Value = serde_json::from_str(case.response).expect("JSON");
    if documented["errcode"].as_i64().unwrap_or(0) != 0 {
        server.reset().await;
        Mock::given(method(case.method))
            .and(path(case.path))
            .respond_with(json(case.response))
            .mount(&server)
            .await;
        let err = client
            .download(&request)
            .await
            .expect_err("a JSON answer to a download is a refusal");
        assert_eq!(err.code(), documented["errcode"].as_i64(), "{}", case.id);
    }
}
