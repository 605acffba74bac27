//! The HTTP side: every path of the spec, answered the way WeCom answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use wecom_sdk::registry::{self, Operation, RequestError};
use wecom_sdk::{BodyKind, Credential};

use crate::callbacks::{Log, Pusher};
use crate::contacts::{Contacts, Handlers};
use crate::faults::{Fault, FaultKind, Faults};
use crate::media::{Media, MediaHandlers, Served, Uploaded};
use crate::reply::{Refusal, ok};
use crate::tokens::{Credentials, Tokens};

/// Everything the handlers share.
pub(crate) struct Shared {
    pub(crate) credentials: Credentials,
    pub(crate) tokens: Mutex<Tokens>,
    pub(crate) contacts: Mutex<Contacts>,
    pub(crate) handlers: Handlers,
    pub(crate) media: Mutex<Media>,
    pub(crate) media_handlers: MediaHandlers,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) requests: Mutex<HashMap<String, usize>>,
    /// Pushes the address book's changes to the app's callback URL, when one is set.
    pub(crate) pusher: Option<Pusher>,
    /// What was pushed and how it was answered.
    pub(crate) callbacks: Arc<Log>,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(credentials: Credentials, pusher: Option<Pusher>, callbacks: Arc<Log>) -> Self {
        Shared {
            credentials,
            tokens: Mutex::default(),
            contacts: Mutex::default(),
            handlers: Handlers::all(),
            media: Mutex::default(),
            media_handlers: MediaHandlers::all(),
            faults: Mutex::default(),
            requests: Mutex::default(),
            pusher,
            callbacks,
        }
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new()
        .route(
            "/__mock/faults",
            axum::routing::post(add_fault).delete(clear_faults),
        )
        .route("/__mock/expire_tokens", axum::routing::post(expire_tokens))
        .route("/__mock/requests", axum::routing::get(request_counts))
        .route("/__mock/callbacks", axum::routing::get(sent_callbacks))
        .route("/__mock/fixture/{name}", axum::routing::post(load_fixture))
        .fallback(handle)
        .with_state(shared)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

fn refused(refusal: Refusal) -> Response {
    json_response(StatusCode::OK, refusal.body())
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query: Map<String, Value> = request
        .uri()
        .query()
        .map(|q| {
            url_pairs(q)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect()
        })
        .unwrap_or_default();
    *lock(&shared.requests).entry(path.clone()).or_default() += 1;

    let Some(operation) = registry::find(&path) else {
        return json_response(
            StatusCode::NOT_FOUND,
            json!({"errcode": 404, "errmsg": format!("no such endpoint: {path}")}),
        );
    };
    let wanted = match operation.meta.method {
        wecom_sdk::Method::Get => Method::GET,
        _ => Method::POST,
    };
    if method != wanted {
        let code = if wanted == Method::GET { 43001 } else { 43002 };
        return refused(Refusal::new(code, format!("require {wanted} method")));
    }

    let fault = lock(&shared.faults).pick(&path);
    match fault {
        Some(FaultKind::Errcode(code)) => return refused(Refusal::new(code, "injected fault")),
        Some(FaultKind::Http(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            return (
                status,
                [(header::CONTENT_TYPE, "text/html")],
                "<html>injected fault</html>",
            )
                .into_response();
        }
        Some(FaultKind::Drop) => return dropped(),
        Some(FaultKind::DelayMs(ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
        None => {}
    }

    let headers = request.headers().clone();
    let (body, files) = match read_body(operation, &headers, request).await {
        Ok(read) => read,
        Err(refusal) => return refused(refusal),
    };
    match answer(&shared, operation, query, body, &files) {
        Ok(Answer::Json(value)) => json_response(StatusCode::OK, value),
        Ok(Answer::File(name, bytes)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(refusal) => refused(refusal),
    }
}

/// An answer that starts and then loses its connection.
fn dropped() -> Response {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"{\"errcode\":0,\"errm")),
        Err(std::io::Error::other("injected connection drop")),
    ];
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response()
}

/// The decoded `a=b&c=d` pairs of a query string.
fn url_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// What a request body holds: its parameters as JSON, and the files of a multipart form.
type Read = (Map<String, Value>, HashMap<String, Uploaded>);

/// The request body as JSON: the JSON body, or a multipart form's parts (a file part as its
/// file name, which the typed request reads as a path it never opens, and its bytes beside).
async fn read_body(operation: &Operation, headers: &HeaderMap, request: Request) -> Result<Read, Refusal> {
    match operation.meta.body {
        BodyKind::Json => {
            let bytes = axum::body::to_bytes(request.into_body(), 16 * 1024 * 1024)
                .await
                .map_err(|e| Refusal::new(44004, format!("cannot read the body: {e}")))?;
            if bytes.is_empty() {
                return Ok((Map::new(), HashMap::new()));
            }
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(map)) => Ok((map, HashMap::new())),
                Ok(_) => Err(Refusal::new(
                    47001,
                    "data format error: the body is not a JSON object",
                )),
                Err(e) => Err(Refusal::new(47001, format!("data format error: {e}"))),
            }
        }
        BodyKind::Multipart => {
            let is_form = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("multipart/form-data"));
            if !is_form {
                return Err(Refusal::new(
                    41005,
                    "media data missing: expected a multipart form",
                ));
            }
            let mut form = Multipart::from_request(request, &())
                .await
                .map_err(|e| Refusal::new(41005, format!("media data missing: {e}")))?;
            let mut parts = Map::new();
            let mut files = HashMap::new();
            while let Some(field) = form
                .next_field()
                .await
                .map_err(|e| Refusal::new(41005, format!("bad multipart form: {e}")))?
            {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().map(str::to_string);
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| Refusal::new(41005, format!("bad multipart form: {e}")))?;
                if bytes.len() <= 5 {
                    return Err(Refusal::new(
                        40006,
                        "invalid file size: a file must be more than 5 bytes",
                    ));
                }
                let file_name = file_name.unwrap_or_default();
                parts.insert(name.clone(), Value::String(file_name.clone()));
                files.insert(name, Uploaded { file_name, bytes });
            }
            Ok((parts, files))
        }
        _ => Ok((Map::new(), HashMap::new())),
    }
}

enum Answer {
    Json(Value),
    File(String, Bytes),
}

impl From<Served> for Answer {
    fn from(served: Served) -> Self {
        match served {
            Served::Json(value) => Answer::Json(value),
            Served::File(name, bytes) => Answer::File(name, bytes),
        }
    }
}

/// Credentials first, then the request's shape and limits, then state or the example.
fn answer(
    shared: &Shared,
    operation: &Operation,
    mut query: Map<String, Value>,
    body: Map<String, Value>,
    files: &HashMap<String, Uploaded>,
) -> Result<Answer, Refusal> {
    let meta = operation.meta;
    if let Some(kind) = meta.auth {
        let param = kind.def().param.unwrap_or(kind.def().name);
        let token = query.remove(param);
        lock(&shared.tokens).check(kind, token.as_ref().and_then(Value::as_str))?;
    }
    let fetched = crate::tokens::fetched_at(meta.path);
    if let Some(kind) = fetched {
        crate::tokens::check_inputs(&shared.credentials, kind, &query, &body)?;
    }
    let mut input = query;
    input.extend(body);
    match operation.check(Value::Object(input.clone())) {
        Ok(()) => {}
        Err(RequestError::Shape(message)) => {
            return Err(Refusal::new(40058, format!("invalid parameter: {message}")));
        }
        Err(RequestError::Limit(violation)) => {
            return Err(Refusal::new(40058, format!("invalid parameter: {violation}")));
        }
        Err(other) => return Err(Refusal::new(40058, format!("invalid parameter: {other}"))),
    }
    if let Some(kind) = fetched {
        return issue_token(shared, kind, &input).map(Answer::Json);
    }
    if let Some(handler) = shared.handlers.get(meta.path) {
        let mut contacts = lock(&shared.contacts);
        let answer = handler(&mut contacts, Value::Object(input));
        let changes = contacts.take_changes();
        // Queued under the lock, so callbacks go out in the order the changes were made.
        if answer.is_ok()
            && let Some(pusher) = &shared.pusher
        {
            pusher.push(changes);
        }
        return answer.map(Answer::Json);
    }
    if let Some(handler) = shared.media_handlers.get(meta.path) {
        return handler(&mut lock(&shared.media), Value::Object(input), files).map(Answer::from);
    }
    if operation.is_download() {
        // A file the mock does not keep: what the real server answers for an unknown id.
        return Err(Refusal::new(
            40007,
            "invalid media_id: the mock keeps no such file",
        ));
    }
    let example: Value =
        serde_json::from_str(operation.example_response).unwrap_or_else(|_| ok("ok", json!({})));
    Ok(Answer::Json(crate::pages::page(meta, &input, example)))
}

/// A credential's fetch endpoint: check what is presented, hand out a token of that kind.
fn issue_token(shared: &Shared, kind: Credential, input: &Map<String, Value>) -> Result<Value, Refusal> {
    let def = kind.def();
    for (param, value, _) in def.fixed {
        if input.get(*param).and_then(Value::as_str) != Some(*value) {
            return Err(Refusal::new(
                40058,
                format!("invalid parameter: `{param}` must be `{value}`"),
            ));
        }
    }
    let lifetime = shared.credentials.token_lifetime;
    let token = lock(&shared.tokens).issue(kind, lifetime);
    let mut fields = Map::new();
    fields.insert(def.token.to_string(), json!(token));
    fields.insert(def.expires_in.to_string(), json!(lifetime.as_secs()));
    Ok(ok("ok", Value::Object(fields)))
}

// ------------------------------------------------------------------------------ admin routes

/// A fault as the admin API takes it: one of `errcode`, `delay_ms`, `drop`, `http`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultSpec {
    errcode: Option<i64>,
    delay_ms: Option<u64>,
    #[serde(default)]
    drop: bool,
    http: Option<u16>,
    path: Option<String>,
    share: Option<f64>,
    times: Option<u32>,
}

impl FaultSpec {
    pub(crate) fn into_fault(self) -> Result<Fault, String> {
        let kind = match (self.errcode, self.delay_ms, self.drop, self.http) {
            (Some(code), None, false, None) => FaultKind::Errcode(code),
            (None, Some(ms), false, None) => FaultKind::DelayMs(ms),
            (None, None, true, None) => FaultKind::Drop,
            (None, None, false, Some(status)) => FaultKind::Http(status),
            _ => return Err("give exactly one of errcode, delay_ms, drop, http".into()),
        };
        let mut fault = Fault::new(kind);
        fault.path = self.path;
        if let Some(share) = self.share {
            fault = fault.share(share);
        }
        fault.times = self.times;
        Ok(fault)
    }
}

async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec = serde_json::from_slice::<FaultSpec>(&body)
        .map_err(|e| e.to_string())
        .and_then(FaultSpec::into_fault);
    match spec {
        Ok(fault) => {
            lock(&shared.faults).add(fault);
            json_response(StatusCode::OK, json!({"ok": true}))
        }
        Err(message) => json_response(StatusCode::BAD_REQUEST, json!({"error": message})),
    }
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.faults).clear();
    json_response(StatusCode::OK, json!({"ok": true}))
}

async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.tokens).expire_all();
    json_response(StatusCode::OK, json!({"ok": true}))
}

async fn load_fixture(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    match name.parse::<crate::Fixture>() {
        Ok(fixture) => {
            *lock(&shared.contacts) = Contacts::from_fixture(fixture);
            json_response(StatusCode::OK, json!({"ok": true}))
        }
        Err(message) => json_response(StatusCode::BAD_REQUEST, json!({"error": message})),
    }
}

async fn request_counts(State(shared): State<Arc<Shared>>) -> Response {
    let counts = lock(&shared.requests).clone();
    json_response(StatusCode::OK, json!(counts))
}

async fn sent_callbacks(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, json!(shared.callbacks.sent()))
}
