//! The harness behind the generated endpoint tests and the sample tests: a local HTTP server
//! (wiremock on 127.0.0.1) that records what the client sends, and a check that a typed
//! response keeps every field of the body it was decoded from.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wecom_sdk::schema::Placement;
use wecom_sdk::{BodyKind, Client, Credential, Endpoint, Slot};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CORP_ID: &str = "ww-test-corp";
pub const SECRET: &str = "test-secret-0123456789";
pub const TOKEN: &str = "test-access-token-abcdef";

/// What the test client holds for a kind of credential: id, secret, ticket, and the token the
/// local server hands out for it.
pub fn test_values(kind: Credential) -> (String, String, String, String) {
    if kind == Credential::DEFAULT {
        return (CORP_ID.into(), SECRET.into(), String::new(), TOKEN.into());
    }
    let name = kind.def().name.replace('_', "-");
    (
        format!("ww-test-{name}"),
        format!("test-{name}-secret-0123"),
        format!("test-{name}-ticket-0123"),
        format!("test-{name}-token-abcdef"),
    )
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

/// Sends the documented request through the typed request and checks what reaches the server
/// (the method, path, query and body the request's `META` says); then checks the documented
/// response decodes through the typed response with no field lost.
pub async fn check<R>(request_example: &str, response_example: &str)
where
    R: Endpoint + DeserializeOwned,
    R::Response: Serialize,
{
    check_with::<R>(request_example, response_example, true).await;
}

/// [`check`], with the documented limits checked before sending or not (a body transcribed
/// from an older revision of a page may break a limit the current page states).
pub async fn check_with<R>(request_example: &str, response_example: &str, validate: bool)
where
    R: Endpoint + DeserializeOwned,
    R::Response: Serialize,
{
    let meta = R::META;
    let id = meta.id;
    let server = server_for(meta.auth).await;
    Mock::given(method(meta.method.as_str()))
        .and(path(meta.path))
        .respond_with(json(response_example))
        .expect(1)
        .named(id)
        .mount(&server)
        .await;

    let files = FileFixtures::new::<R>(request_example);
    let request: R = serde_json::from_str(&files.request)
        .unwrap_or_else(|e| panic!("{id}: the request example does not fit the typed request: {e}"));
    let response = client_with(&server, validate)
        .execute(&request)
        .await
        .unwrap_or_else(|e| panic!("{id}: the call failed: {e}"));

    let received = server.received_requests().await.expect("recording is on");
    let call = received
        .iter()
        .find(|r| r.url.path() == meta.path)
        .unwrap_or_else(|| panic!("{id}: nothing reached {}", meta.path));
    assert_eq!(call.method.as_str(), meta.method.as_str(), "{id}: method");

    let example: Value = serde_json::from_str(request_example).expect("the spec checked it is JSON");
    let example = example.as_object().cloned().unwrap_or_default();
    let in_query = |key: &str| meta.param(key).is_some_and(|p| p.placement() == Placement::Query);
    let mut expected_query: BTreeMap<String, String> = example
        .iter()
        .filter(|(k, _)| in_query(k))
        .map(|(k, v)| (k.clone(), query_text(v)))
        .collect();
    if let Some((param, token)) = credential_for(meta.auth) {
        expected_query.insert(param.into(), token);
    }
    let query: BTreeMap<String, String> = call
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(query, expected_query, "{id}: query");

    if meta.body == BodyKind::Multipart {
        files.assert_sent(id, call);
    } else if meta.body == BodyKind::Json {
        let expected_body: serde_json::Map<String, Value> =
            example.into_iter().filter(|(k, _)| !in_query(k)).collect();
        let body: Value =
            serde_json::from_slice(&call.body).unwrap_or_else(|e| panic!("{id}: the body is not JSON: {e}"));
        let expected_body = Value::Object(expected_body);
        assert!(
            same_json(&body, &expected_body),
            "{id}: JSON body\n  sent: {body}\n  documented: {expected_body}"
        );
        let content_type = call.headers.get("content-type").and_then(|v| v.to_str().ok());
        assert_eq!(content_type, Some("application/json"), "{id}: content type");
    } else {
        assert!(
            call.body.is_empty(),
            "{id}: a {} without a body sent one",
            meta.method.as_str()
        );
    }

    let original: Value = serde_json::from_str(response_example).expect("the spec checked it is JSON");
    let reencoded = serde_json::to_value(&response).expect("typed responses serialize");
    assert_lossless(id, &original, &reencoded);
}

/// JSON equality where numbers are equal by value (`0` and `0.0`: a float field re-encodes a
/// documented integer with a fraction); everything else exactly.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn query_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Fails when `decoded` (a typed response re-encoded) lost or changed a value of `original`.
///
/// Every documented value must come back, `0`, `false`, `""`, `[]` and `{}` included. The
/// leniencies are these, and only these:
/// - a key whose value is `null` may be absent after decoding (the server sends `null` for
///   "none"), and the other way round;
/// - a list or map the body leaves out may come back empty (`[]`, `{}`): response types hold
///   them as plain collections, which decode an absent key as empty and always encode;
/// - a number the real server has been seen to send as `""` for "none" ([`EMPTY_MEANS_NONE`])
///   may be absent after decoding;
/// - a number may come back as the same number in a string, or the other way round (`"1"` and
///   `1`: the spec's lenient wire types), and `0`/`1` as `false`/`true`.
pub fn assert_lossless(context: &str, original: &Value, decoded: &Value) {
    compare_bodies(context, original, decoded, true);
}

/// [`assert_lossless`] in one direction: every value of `original` is in `decoded`, which may
/// hold more (the defaults of fields an error body leaves out).
pub fn assert_holds(context: &str, original: &Value, decoded: &Value) {
    compare_bodies(context, original, decoded, false);
}

fn compare_bodies(context: &str, original: &Value, decoded: &Value, both_ways: bool) {
    let mut problems = Vec::new();
    compare("$", original, decoded, both_ways, &mut problems);
    assert!(
        problems.is_empty(),
        "{context}: the typed response does not hold the body:\n  {}\nbody: {original}\ndecoded: {decoded}",
        problems.join("\n  ")
    );
}

fn compare(at: &str, original: &Value, decoded: &Value, both_ways: bool, problems: &mut Vec<String>) {
    match (original, decoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                if at == "$" && (key == "errcode" || key == "errmsg") {
                    continue;
                }
                let here = format!("{at}.{key}");
                match b.get(key) {
                    Some(other) => compare(&here, value, other, both_ways, problems),
                    None if value.is_null() => {}
                    None if value == "" && EMPTY_MEANS_NONE.contains(&key.as_str()) => {}
                    None => problems.push(format!("{here} is lost (was {value})")),
                }
            }
            for (key, value) in b.iter().filter(|_| both_ways) {
                if !a.contains_key(key) && !value.is_null() && !is_empty_collection(value) {
                    problems.push(format!("{at}.{key} appeared ({value}) though the body has none"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{at}[{i}]"), x, y, both_ways, problems);
            }
        }
        (a, b) if same_scalar(a, b) => {}
        (a, b) => problems.push(format!("{at} was {a}, decoded as {b}")),
    }
}

/// Numeric fields the real server has sent as `""` where it had no value (the quirks of
/// `../shared/wecom-samples/README.md`): they decode as `None`.
const EMPTY_MEANS_NONE: &[&str] = &["sptime"];

fn is_empty_collection(value: &Value) -> bool {
    match value {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
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

/// A running [`check_with`].
pub type Checking = Pin<Box<dyn Future<Output = ()>>>;

/// One endpoint's typed request and response, type-erased: decode a body through the typed
/// response and re-encode it, or run [`check`] on a documented request and response.
pub struct Decoder {
    pub id: &'static str,
    pub path: &'static str,
    pub params: &'static [wecom_sdk::schema::Param],
    pub decode: fn(&[u8]) -> Result<Value, String>,
    pub check: fn(String, String) -> Checking,
}

impl Decoder {
    pub fn of<R>() -> Decoder
    where
        R: Endpoint + DeserializeOwned + 'static,
        R::Response: Serialize,
    {
        Decoder {
            id: R::META.id,
            path: R::META.path,
            params: R::META.params,
            decode: |bytes| {
                let typed: R::Response = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
                serde_json::to_value(typed).map_err(|e| e.to_string())
            },
            check: |request, response| {
                Box::pin(async move { check_with::<R>(&request, &response, false).await })
            },
        }
    }
}

/// A folder of `../shared/` beside the checkout (or the directory in `env`), when it is there.
pub fn shared_dir(name: &str, env: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os(env) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared")
            .join(name),
    };
    dir.is_dir().then_some(dir)
}

/// `../shared/wecom-samples` beside the checkout (or `WECOM_SAMPLES_DIR`), when it is there.
pub fn samples_dir() -> Option<PathBuf> {
    shared_dir("wecom-samples", "WECOM_SAMPLES_DIR")
}

/// A server that hands out the token `auth` needs (once), and whatever that fetch needs in turn,
/// answering each fetch as `spec/credentials.yaml` describes it: it checks the inputs arrive
/// where the spec says, with the values the test client holds.
pub async fn server_for(auth: Option<Credential>) -> MockServer {
    let server = MockServer::start().await;
    let mut next = auth;
    while let Some(kind) = next {
        let def = kind.def();
        let (id, secret, ticket, _) = test_values(def.derived_from.unwrap_or(kind));
        let token = test_values(kind).3;
        let mut body = serde_json::Map::new();
        let mut mock = Mock::given(method(def.fetch.method.as_str())).and(path(def.fetch.path));
        for input in def.inputs {
            let value = match input.slot {
                Slot::Id => id.clone(),
                Slot::Secret => secret.clone(),
                _ => ticket.clone(),
            };
            match input.placement {
                Placement::Query => mock = mock.and(wiremock::matchers::query_param(input.param, value)),
                _ => {
                    body.insert(input.param.into(), Value::String(value));
                }
            }
        }
        for (param, value, placement) in def.fixed {
            match placement {
                Placement::Query => mock = mock.and(wiremock::matchers::query_param(*param, *value)),
                _ => {
                    body.insert((*param).into(), Value::String((*value).into()));
                }
            }
        }
        if def.fetch.body == BodyKind::Json {
            mock = mock.and(wiremock::matchers::body_json(Value::Object(body)));
        }
        let mut answer = serde_json::Map::new();
        answer.insert("errcode".into(), 0.into());
        answer.insert("errmsg".into(), "ok".into());
        answer.insert(def.token.into(), Value::String(token));
        answer.insert(def.expires_in.into(), 7200.into());
        mock.respond_with(json(&Value::Object(answer).to_string()))
            .expect(1)
            .named(def.fetch.id)
            .mount(&server)
            .await;
        next = def.fetch.auth;
    }
    server
}

/// A client holding every kind of credential the tests use.
pub fn client_for(server: &MockServer) -> Client {
    client_with(server, true)
}

/// [`client_for`], validating requests against the documented limits or not.
pub fn client_with(server: &MockServer, validate: bool) -> Client {
    let mut builder = Client::builder_without_credentials()
        .base_url(server.uri())
        .validate_requests(validate);
    let mut tickets = Vec::new();
    for kind in Credential::ALL {
        if kind.def().inputs.is_empty() {
            continue;
        }
        let (id, secret, ticket, _) = test_values(*kind);
        builder = builder.credential(*kind, id, secret);
        if kind.def().input(Slot::Ticket).is_some() {
            tickets.push((*kind, ticket));
        }
    }
    let client = builder.build().expect("a client for the local server");
    for (kind, ticket) in tickets {
        client.set_ticket(kind, ticket);
    }
    client
}

/// The query parameter and token a call with `auth` carries.
pub fn credential_for(auth: Option<Credential>) -> Option<(&'static str, String)> {
    let kind = auth?;
    Some((kind.def().param?, test_values(kind).3))
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
    fn new<R: Endpoint>(request: &str) -> Self {
        let keys: Vec<&str> = R::META
            .params
            .iter()
            .filter(|p| p.placement() == Placement::File)
            .map(|p| p.name())
            .collect();
        if keys.is_empty() {
            return FileFixtures {
                _dir: None,
                request: request.to_string(),
                files: Vec::new(),
            };
        }
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut example: Value = serde_json::from_str(request).expect("the spec checked it is JSON");
        let mut files = Vec::new();
        for key in keys {
            let Some(name) = example.get(key).and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            let content = format!("contents of {name} for {}\n", R::META.id).into_bytes();
            let path = dir.path().join(&name);
            std::fs::write(&path, &content).expect("a fixture file");
            example[key] = Value::String(path.to_string_lossy().into_owned());
            files.push((key.to_string(), name, content));
        }
        FileFixtures {
            _dir: Some(dir),
            request: example.to_string(),
            files,
        }
    }

    /// Each file arrived as a multipart part with its plain UTF-8 name and its bytes.
    fn assert_sent(&self, id: &str, call: &wiremock::Request) {
        let content_type = call
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            content_type.starts_with("multipart/form-data"),
            "{id}: content type {content_type}"
        );
        let body = String::from_utf8_lossy(&call.body);
        for (part, name, content) in &self.files {
            let disposition = format!(r#"Content-Disposition: form-data; name="{part}"; filename="{name}""#);
            assert!(
                body.contains(&disposition),
                "{id}: no part `{disposition}` in\n{body}"
            );
            assert!(
                !body.contains("filename*="),
                "{id}: RFC 2231 file names are refused by WeCom"
            );
            assert!(
                body.contains(&*String::from_utf8_lossy(content)),
                "{id}: the file's bytes are missing"
            );
        }
    }
}

/// A download endpoint: the documented request reaches the server as documented and the file
/// comes back streamed with its name; a JSON answer (the documented error) becomes an error.
pub async fn check_download<R>(request_example: &str, response_example: &str)
where
    R: wecom_sdk::DownloadEndpoint + DeserializeOwned,
{
    let meta = R::META;
    let id = meta.id;
    let server = server_for(meta.auth).await;
    let file = b"\x89PNG fake image bytes".to_vec();
    Mock::given(method(meta.method.as_str()))
        .and(path(meta.path))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-disposition", r#"attachment; filename="downloaded.png""#)
                .set_body_raw(file.clone(), "image/png"),
        )
        .expect(1)
        .named(id)
        .mount(&server)
        .await;
    let request: R = serde_json::from_str(request_example)
        .unwrap_or_else(|e| panic!("{id}: the request example does not fit the typed request: {e}"));
    let client = client_for(&server);
    let mut download = client
        .download(&request)
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    assert_eq!(download.file_name(), Some("downloaded.png"), "{id}");
    assert_eq!(download.content_type(), Some("image/png"), "{id}");
    let mut received = Vec::new();
    while let Some(chunk) = download.chunk().await.unwrap() {
        received.extend_from_slice(&chunk);
    }
    assert_eq!(received, file, "{id}: file bytes");

    let calls = server.received_requests().await.expect("recording is on");
    let call = calls
        .iter()
        .find(|r| r.url.path() == meta.path)
        .expect("the download was requested");
    let example: Value = serde_json::from_str(request_example).expect("the spec checked it is JSON");
    let mut expected: BTreeMap<String, String> = example
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), query_text(v)))
        .collect();
    if let Some((param, token)) = credential_for(meta.auth) {
        expected.insert(param.into(), token);
    }
    let query: BTreeMap<String, String> = call
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(query, expected, "{id}: query");

    let documented: Value = serde_json::from_str(response_example).expect("JSON");
    if documented["errcode"].as_i64().unwrap_or(0) != 0 {
        server.reset().await;
        Mock::given(method(meta.method.as_str()))
            .and(path(meta.path))
            .respond_with(json(response_example))
            .mount(&server)
            .await;
        let err = client
            .download(&request)
            .await
            .expect_err("a JSON answer to a download is a refusal");
        assert_eq!(err.code(), documented["errcode"].as_i64(), "{id}");
    }
}

#[cfg(test)]
mod lossless {
    use serde_json::json;

    use super::{assert_holds, assert_lossless};

    /// A documented zero, false, empty string or empty list that the decoder drops fails.
    #[test]
    fn a_dropped_zero_false_or_empty_value_fails() {
        for value in [
            json!(0),
            json!(false),
            json!(""),
            json!([]),
            json!({}),
            json!(0.0),
        ] {
            let body = json!({"errcode": 0, "errmsg": "ok", "count": value});
            let dropped = std::panic::catch_unwind(|| assert_lossless("t", &body, &json!({})));
            assert!(dropped.is_err(), "dropping {value} passed");
            let nested = json!({"list": [{"count": value}]});
            let dropped = std::panic::catch_unwind(|| assert_lossless("t", &nested, &json!({"list": [{}]})));
            assert!(dropped.is_err(), "dropping a nested {value} passed");
        }
        // A zero that became another value fails too.
        let changed = std::panic::catch_unwind(|| assert_lossless("t", &json!({"n": 0}), &json!({"n": ""})));
        assert!(changed.is_err());
    }

    /// The leniencies are the documented ones.
    #[test]
    fn the_leniencies_are_explicit() {
        // null and absent.
        assert_lossless("t", &json!({"a": null}), &json!({}));
        assert_lossless("t", &json!({}), &json!({"a": null}));
        // A number and the same number as text; 0/1 and booleans.
        assert_lossless(
            "t",
            &json!({"a": "1", "b": 2, "c": 1}),
            &json!({"a": 1, "b": "2", "c": true}),
        );
        // A response list the body leaves out comes back empty.
        assert_lossless("t", &json!({}), &json!({"list": []}));
        // The real server's "" for a missing `sptime`.
        assert_lossless("t", &json!({"sptime": ""}), &json!({}));
        // errcode and errmsg are the envelope's.
        assert_lossless("t", &json!({"errcode": 0, "errmsg": "ok"}), &json!({}));
    }

    #[test]
    fn a_value_that_appears_fails_unless_only_one_way_is_checked() {
        let appeared = std::panic::catch_unwind(|| assert_lossless("t", &json!({}), &json!({"n": 0})));
        assert!(appeared.is_err());
        assert_holds("t", &json!({}), &json!({"n": 0}));
        let lost = std::panic::catch_unwind(|| assert_holds("t", &json!({"n": 0}), &json!({})));
        assert!(lost.is_err());
    }
}
