//! Every documented response body in `../shared/wecom-samples/` for an endpoint the spec has,
//! main and alternative bodies alike, decodes through its typed response with no field lost.
//! Where `../shared` is absent (a user's clone), the test says so and passes.

use serde_json::Value;

use crate::generated;
use crate::support::{assert_holds, assert_lossless, samples_dir};

#[test]
fn documented_samples_decode_without_loss() {
    let Some(dir) = samples_dir() else {
        eprintln!(
            "note: ../shared/wecom-samples is not here (set WECOM_SAMPLES_DIR to run this test); skipped"
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
    let mut checked = 0;
    for file in files {
        let sample: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("readable sample"))
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()));
        let Some(path) = sample["path"].as_str() else {
            continue;
        };
        let Some(decoder) = decoders.iter().find(|d| d.path == path) else {
            continue;
        };
        let mut bodies = vec![("response".to_string(), sample["response"].clone())];
        if let Some(alternatives) = sample["alt_responses"].as_array() {
            for (i, alt) in alternatives.iter().enumerate() {
                bodies.push((format!("alt_responses[{i}]"), alt["body"].clone()));
            }
        }
        for (label, body) in bodies {
            let context = format!(
                "{} {label} ({})",
                file.file_name().unwrap_or_default().to_string_lossy(),
                decoder.id
            );
            let bytes = serde_json::to_vec(&body).expect("re-encodable");
            let decoded =
                (decoder.decode)(&bytes).unwrap_or_else(|e| panic!("{context}: does not decode: {e}"));
            if body.get("errcode").and_then(Value::as_i64).unwrap_or(0) == 0 {
                assert_lossless(&context, &body, &decoded);
            } else {
                // An error body carries what it carries (`"external_contact": {}`): its
                // business keys must survive, but the success fields it lacks decode as their
                // defaults.
                assert_holds(&context, &body, &decoded);
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no sample matched an endpoint of the spec");
    eprintln!("checked {checked} documented bodies");
}
