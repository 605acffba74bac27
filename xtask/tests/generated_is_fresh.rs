//! `cargo test` fails when a generated file no longer matches the spec, as `cargo xtask gen
//! --check` does.

#[test]
fn generated_files_match_the_spec() {
    let root = xtask::workspace_root();
    let changes = xtask::plan(&root).unwrap_or_else(|err| panic!("the spec does not generate:\n{err}"));
    let stale: Vec<String> = changes.iter().map(xtask::Change::describe).collect();
    assert!(stale.is_empty(), "run `cargo xtask gen`:\n{}", stale.join("\n"));
}
