//! The generator against small purpose-built specs: the generated Rust for good ones, the
//! rendered report (with its file:line:col locations) for broken ones.

use std::path::Path;

fn spec(case: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/specs")
        .join(case)
}

/// Every generated file of a good spec, one snapshot per file.
fn assert_generates(case: &str) {
    let generated = codegen::generate(&spec(case)).unwrap_or_else(|e| panic!("{case} should generate:\n{e}"));
    for file in generated.files {
        let name = format!("{case}__{}", file.path.replace('/', "__"));
        insta::assert_snapshot!(name, file.contents);
    }
    let features: Vec<String> = generated
        .features
        .iter()
        .map(|(name, members)| format!("{name} = {members:?}"))
        .collect();
    insta::assert_snapshot!(format!("{case}__features"), features.join("\n"));
}

/// The report a broken spec gets.
fn report(case: &str) -> String {
    match codegen::generate(&spec(case)) {
        Err(codegen::Error::Spec(report)) => report.render(),
        Err(other) => panic!("{case}: expected a spec report, got {other}"),
        Ok(_) => panic!("{case}: a broken spec generated"),
    }
}

#[test]
fn basic_group() {
    assert_generates("basic");
}

#[test]
fn every_kind_of_type() {
    assert_generates("kinds");
}

#[test]
fn yaml_syntax_error() {
    insta::assert_snapshot!(report("err_yaml"));
}

#[test]
fn many_problems_in_one_run() {
    let report = report("err_many");
    for expected in [
        "unknown type `strnig`",
        "did you mean `string`?",
        "unknown type `Itme`",
        "a `length` limit applies to strings",
        "min 5 is above its max 2",
        "unknown length unit `words`",
        "not a valid regular expression",
        "missing doc link",
        "malformed doc link",
        "`method: FETCH`",
        "malformed path `cgi-bin/thing/list`",
        "example is not valid JSON",
        "spec/thing.yaml:10:",
    ] {
        assert!(report.contains(expected), "missing `{expected}` in:\n{report}");
    }
    insta::assert_snapshot!(report);
}

#[test]
fn duplicate_endpoints_and_fields() {
    let report = report("err_duplicate_endpoint");
    assert!(
        report.contains("duplicate endpoint: GET /cgi-bin/shared/get is already `alpha.get`"),
        "{report}"
    );
    assert!(report.contains("duplicate key `id`"), "{report}");
    insta::assert_snapshot!(report);
}

#[test]
fn types_stay_in_their_group() {
    let report = report("err_cross_group");
    assert!(
        report.contains("type `Owned` belongs to group `owner`"),
        "{report}"
    );
    insta::assert_snapshot!(report);
}

#[test]
fn examples_must_match_the_declared_fields() {
    insta::assert_snapshot!(report("err_examples"));
}
