//! The project's own spec: it generates, and every endpoint carries what the issue tracker and
//! the users rely on (a documented example answer and an official doc link).

use std::path::Path;

#[test]
fn every_endpoint_has_an_example_response_and_an_official_doc_link() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let generated = codegen::generate(&spec).unwrap_or_else(|e| panic!("the spec does not generate:\n{e}"));
    let mut missing = Vec::new();
    let mut endpoints = 0;
    for group in &generated.api.groups {
        for e in &group.endpoints {
            endpoints += 1;
            if serde_json::from_str::<serde_json::Value>(&e.example_response.text).is_err() {
                missing.push(format!(
                    "{}.{}: no documented example response",
                    group.name, e.name
                ));
            }
            if !e
                .doc
                .starts_with("https://developer.work.weixin.qq.com/document/path/")
            {
                missing.push(format!(
                    "{}.{}: no official doc link ({:?})",
                    group.name, e.name, e.doc
                ));
            }
            if !e.params.is_empty() && e.example_request.is_none() {
                missing.push(format!(
                    "{}.{}: no documented example request",
                    group.name, e.name
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(
        endpoints >= 119,
        "the seed's groups have at least 119 endpoints; the spec has {endpoints}"
    );
}

#[test]
fn the_error_code_table_is_the_official_one() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let generated = codegen::generate(&spec).expect("the spec generates");
    let codes: Vec<i64> = generated.api.errcodes.iter().map(|e| e.code).collect();
    assert!(codes.len() > 1000, "{} codes", codes.len());
    for known in [-1, 0, 40001, 40014, 42001, 45009, 60011, 81013] {
        assert!(codes.contains(&known), "{known} is missing");
    }
}
