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

/// The JSON Schemas `cargo xtask gen` writes accept every file of the spec, and refuse what the
/// generator refuses to read, so an editor's checks agree with the generator's.
#[test]
fn the_json_schemas_accept_the_spec_and_refuse_unknown_keys() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schemas: std::collections::BTreeMap<&str, jsonschema::Validator> = codegen::spec::schema::schemas()
        .into_iter()
        .map(|(name, text)| {
            let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
            (
                name,
                jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}")),
            )
        })
        .collect();
    let mut checked = 0;
    for source in codegen::spec::read(&root.join("spec")).unwrap() {
        let schema = match codegen::spec::role(&source.name) {
            codegen::spec::Role::GroupFile { .. } => "group.json",
            codegen::spec::Role::Shared => "shared.json",
            codegen::spec::Role::Credentials => "credentials.json",
            _ => continue,
        };
        let value: serde_json::Value = serde_saphyr::from_str(&source.text).unwrap();
        let errors: Vec<String> = schemas[schema]
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {}", source.name, errors.join("\n"));
        checked += 1;
    }
    assert!(checked > 20, "{checked} files");
    let broken: serde_json::Value =
        serde_json::json!({"title": "t", "summary": "s", "doc": 1, "colour": "blue"});
    assert!(!schemas["group.json"].is_valid(&broken));
    let bad_bound: serde_json::Value = serde_json::json!({"endpoints": {"get": {"request": {"a": {"type": "string", "length": "up to 5"}}}}});
    assert!(!schemas["group.json"].is_valid(&bad_bound));
}
