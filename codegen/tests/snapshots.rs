//! The generator against small purpose-built specs: the generated output of good ones, and the
//! rendered report (with its `file:line:col` locations and codes) of broken ones — one broken spec
//! at least per kind of problem the validator reports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::Reserved;
use codegen::diagnostics::Code;
use codegen::spec::Source;

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The names of the real runtime, so clashes with it are checked as `cargo xtask gen` checks them.
fn reserved() -> Reserved {
    Reserved::scan(&here().join("../wecom-sdk/src")).expect("the runtime's sources parse")
}

/// Every generated file of a good spec, one snapshot per file.
fn assert_generates(case: &str) {
    let generated = codegen::generate_with(&here().join("tests/specs").join(case), &reserved())
        .unwrap_or_else(|e| panic!("{case} should generate:\n{e}"));
    for file in generated.files {
        if file.path.starts_with("spec/schema/")
            || file.path.ends_with("errcodes.rs")
            || file.path.ends_with("errcodes.md")
        {
            continue;
        }
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

#[test]
fn basic_group() {
    assert_generates("basic");
}

#[test]
fn every_kind_of_type() {
    assert_generates("kinds");
}

/// A broken spec: the files of `tests/errors/base/` with the case's own laid over them.
struct Case {
    name: String,
    sources: Vec<Source>,
}

/// `tests/errors/*.txt`: each holds files as `--- spec/path` sections; a section named like a
/// base file replaces it, `--- spec/path (removed)` drops it.
fn cases() -> Vec<Case> {
    let dir = here().join("tests/errors");
    let base = read_tree(&dir.join("base"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut files = base.clone();
            let mut current: Option<(String, String)> = None;
            let mut sections = Vec::new();
            for line in text.split_inclusive('\n') {
                if let Some(header) = line.strip_prefix("--- ") {
                    if let Some(done) = current.take() {
                        sections.push(done);
                    }
                    current = Some((header.trim().to_string(), String::new()));
                } else if let Some((_, body)) = current.as_mut() {
                    body.push_str(line);
                }
            }
            sections.extend(current);
            for (header, body) in sections {
                match header.strip_suffix(" (removed)") {
                    Some(name) => {
                        files.remove(name);
                    }
                    None => {
                        files.insert(header, body);
                    }
                }
            }
            Case {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                sources: files
                    .into_iter()
                    .map(|(name, text)| Source { name, text })
                    .collect(),
            }
        })
        .collect()
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(
                    format!("spec/{relative}"),
                    std::fs::read_to_string(&path).unwrap(),
                );
            }
        }
    }
    out
}

fn report(case: &Case) -> String {
    match codegen::generate_from_sources(case.sources.clone(), &reserved()) {
        Err(codegen::Error::Spec(report)) => report.render(),
        Err(other) => panic!("{}: expected a spec report, got {other}", case.name),
        Ok(_) => panic!("{}: a broken spec generated", case.name),
    }
}

#[test]
fn the_base_of_the_broken_specs_generates() {
    let base = read_tree(&here().join("tests/errors/base"));
    let sources = base
        .into_iter()
        .map(|(name, text)| Source { name, text })
        .collect();
    codegen::generate_from_sources(sources, &reserved()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn each_broken_spec_gets_its_report() {
    for case in cases() {
        let report = report(&case);
        let code = case.name.split('-').next().unwrap();
        assert!(
            report.contains(&format!("error[{code}]")),
            "{}: the report has no {code}:\n{report}",
            case.name
        );
        insta::assert_snapshot!(format!("error__{}", case.name), report);
    }
}

#[test]
fn every_kind_of_problem_has_a_broken_spec() {
    let covered: Vec<String> = cases()
        .iter()
        .map(|c| c.name.split('-').next().unwrap().to_string())
        .collect();
    let missing: Vec<String> = Code::ALL
        .iter()
        .filter(|c| !covered.iter().any(|id| id == c.id()))
        .map(|c| format!("{} ({})", c.id(), c.what()))
        .collect();
    assert!(
        missing.is_empty(),
        "no broken spec in tests/errors/ for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn one_run_reports_every_problem() {
    let all = cases();
    let case = all
        .iter()
        .find(|c| c.name.starts_with("S030"))
        .expect("a case with several problems");
    let report = report(case);
    assert!(report.matches("error[").count() >= 2, "{report}");
}
