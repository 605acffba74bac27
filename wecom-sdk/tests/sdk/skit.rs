//! The documented request and response bodies of `../shared/skit-samples/` (another SDK's
//! transcription of the official examples), for every endpoint the spec has: the typed request
//! accepts each documented request body and sends every field of it unchanged, and the typed
//! response decodes each documented response body with no field lost. Where `../shared` is
//! absent (a user's clone), the test says so and passes.

use futures_util::FutureExt;
use serde_json::Value;

use crate::generated;
use crate::support::{assert_lossless, shared_dir};

/// Samples that are not one request the docs print: SKIT's model of a message request holds
/// every message type's payload at once (`text`, `image`, `file`, … beside one `msgtype`), where
/// each page prints one example per type. Their responses are still checked.
const MERGED_REQUESTS: &[&str] = &[
    "/cgi-bin/message/send",
    "/cgi-bin/appchat/send",
    "/cgi-bin/kf/send_msg",
    "/cgi-bin/kf/send_msg_on_event",
    "/cgi-bin/linkedcorp/message/send",
];

/// A SKIT request sample is the JSON body only; the query parameters a POST also takes are not
/// in it. Required ones get a stand-in value of their kind, so that the typed request can be
/// built and its body compared.
fn with_query_stand_ins(decoder_params: &'static [wecom_sdk::schema::Param], request: &mut Value) {
    use wecom_sdk::schema::{Kind, Placement};
    for p in decoder_params {
        if p.placement() != Placement::Query || !p.required() || request.get(p.name()).is_some() {
            continue;
        }
        let stand_in = match p.kind() {
            Kind::Int | Kind::IntEnum(_) | Kind::Flag => Value::from(1),
            _ => Value::from("x"),
        };
        request[p.name()] = stand_in;
    }
}

/// What a sample checks, and how it failed.
fn failure(file: &str, what: &str, panic: Box<dyn std::any::Any + Send>) -> String {
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    format!("{file} ({what}): {message}")
}

#[tokio::test]
async fn documented_request_and_response_bodies_go_through_the_typed_api() {
    let Some(dir) = shared_dir("skit-samples", "WECOM_SKIT_SAMPLES_DIR") else {
        eprintln!(
            "note: ../shared/skit-samples is not here (set WECOM_SKIT_SAMPLES_DIR to run this test); skipped"
        );
        return;
    };
    let decoders = generated::decoders();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the samples folder is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut requests, mut responses, mut problems) = (0, 0, Vec::new());
    for file in files {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let sample: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("readable sample"))
            .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        let (Some(path), Some(http)) = (sample["path"].as_str(), sample["method"].as_str()) else {
            continue;
        };
        let Some(decoder) = decoders.iter().find(|d| d.path == path) else {
            continue;
        };
        let response = &sample["response"];
        if sample["request"].is_object() && http == "POST" && !MERGED_REQUESTS.contains(&path) {
            requests += 1;
            let mut request = sample["request"].clone();
            with_query_stand_ins(decoder.params, &mut request);
            let body = if response.is_object() {
                response.to_string()
            } else {
                r#"{"errcode":0,"errmsg":"ok"}"#.to_string()
            };
            let run = (decoder.check)(request.to_string(), body);
            if let Err(panic) = std::panic::AssertUnwindSafe(run).catch_unwind().await {
                problems.push(failure(&name, decoder.id, panic));
            }
        } else if response.is_object() {
            responses += 1;
            let decoded = match (decoder.decode)(response.to_string().as_bytes()) {
                Ok(decoded) => decoded,
                Err(e) => {
                    problems.push(format!("{name} ({}): does not decode: {e}", decoder.id));
                    continue;
                }
            };
            let context = format!("{name} ({})", decoder.id);
            if let Err(panic) = std::panic::catch_unwind(|| assert_lossless(&context, response, &decoded)) {
                problems.push(failure(&name, decoder.id, panic));
            }
        }
    }
    println!("checked {requests} documented requests and {responses} further responses");
    assert!(
        requests + responses > 0,
        "no sample matched an endpoint of the spec"
    );
    assert!(
        problems.is_empty(),
        "{} samples do not go through:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
