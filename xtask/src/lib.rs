//! `cargo xtask gen`: keeps everything derived from `spec/` in step with it.
//!
//! The generator decides what the files should say; this crate compares that with the disk,
//! writes what differs (or, with `--check`, only reports it) and removes generated files that
//! the spec no longer produces.

pub mod bench;
pub mod test;

use std::fs;
use std::path::{Path, PathBuf};

use codegen::emit::{DOCS_DIR, GENERATED_MARKER, SCHEMA_DIR, SDK_DIR, TESTS_DIR};

/// Folders whose every file comes from the generator.
pub const GENERATED_DIRS: &[&str] = &[SDK_DIR, TESTS_DIR, DOCS_DIR, SCHEMA_DIR];
/// The manifest whose `[features]` follow the groups.
pub const SDK_MANIFEST: &str = "wecom-sdk/Cargo.toml";

/// One difference between the disk and the spec's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file to create or rewrite.
    Write { path: String, contents: String },
    /// A generated file the spec no longer produces.
    Remove { path: String },
    /// A file in a generated folder that does not say it is generated: left alone, reported.
    Foreign { path: String },
}

impl Change {
    pub fn describe(&self) -> String {
        match self {
            Change::Write { path, .. } => format!("stale: {path}"),
            Change::Remove { path } => format!("orphaned: {path}"),
            Change::Foreign { path } => format!("not generated, in a generated folder: {path}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Generate(#[from] codegen::Error),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{0}")]
    Bench(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// What `gen` would change, without changing anything.
pub fn plan(root: &Path) -> Result<Vec<Change>, Error> {
    plan_from(root, &root.join("spec"))
}

/// [`plan`] with the spec read from `spec_dir` instead of `root/spec`.
pub fn plan_from(root: &Path, spec_dir: &Path) -> Result<Vec<Change>, Error> {
    let generated = codegen::generate(spec_dir)?;
    let mut changes = Vec::new();
    let mut expected: Vec<String> = Vec::new();
    for file in &generated.files {
        expected.push(file.path.clone());
        let on_disk = fs::read_to_string(root.join(&file.path)).ok();
        if on_disk.as_deref() != Some(file.contents.as_str()) {
            changes.push(Change::Write {
                path: file.path.clone(),
                contents: file.contents.clone(),
            });
        }
    }
    for dir in GENERATED_DIRS {
        for path in files_under(&root.join(dir))? {
            let relative = relative(root, &path);
            if expected.contains(&relative) {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap_or_default();
            // The marker is on the first line (the second of a JSON schema, after its `{`).
            if text.lines().take(2).any(|line| line.contains(GENERATED_MARKER)) {
                changes.push(Change::Remove { path: relative });
            } else {
                changes.push(Change::Foreign { path: relative });
            }
        }
    }
    let manifest_path = root.join(SDK_MANIFEST);
    let manifest = fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
    let updated = with_features(&manifest, &generated.features).map_err(|message| Error::Manifest {
        path: manifest_path.clone(),
        message,
    })?;
    if updated != manifest {
        changes.push(Change::Write {
            path: SDK_MANIFEST.to_string(),
            contents: updated,
        });
    }
    changes.sort_by_key(Change::describe);
    Ok(changes)
}

/// Carries out a plan. Nothing is written unless generation succeeded as a whole.
pub fn apply(root: &Path, changes: &[Change]) -> Result<(), Error> {
    for change in changes {
        match change {
            Change::Write { path, contents } => {
                let target = root.join(path);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(io(parent))?;
                }
                fs::write(&target, contents).map_err(io(&target))?;
            }
            Change::Remove { path } => {
                let target = root.join(path);
                fs::remove_file(&target).map_err(io(&target))?;
            }
            Change::Foreign { .. } => {}
        }
    }
    Ok(())
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io(dir)(e)),
    };
    for entry in entries {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            out.extend(files_under(&path)?);
        } else {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The manifest with `full` and one feature per group as the spec says; the features that the
/// old `full` listed and the spec no longer has are removed, every other line is kept.
fn with_features(manifest: &str, features: &[(String, Vec<String>)]) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = manifest.parse().map_err(|e| format!("not valid TOML: {e}"))?;
    let table = doc
        .entry("features")
        .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()))
        .as_table_mut()
        .ok_or("`features` is not a table")?;
    let previous: Vec<String> = table
        .get("full")
        .and_then(|f| f.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let wanted: Vec<&str> = features.iter().map(|(name, _)| name.as_str()).collect();
    for old in previous {
        if !wanted.contains(&old.as_str()) {
            table.remove(&old);
        }
    }
    for (name, members) in features {
        let array: toml_edit::Array = members.iter().map(String::as_str).collect();
        let unchanged = table.get(name).and_then(|v| v.as_array()).is_some_and(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .eq(members.iter().map(String::as_str))
        });
        if !unchanged {
            table.insert(name, toml_edit::value(array));
        }
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_follow_the_groups_and_keep_the_rest() {
        let manifest = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"full\"]\nfull = [\"old\", \"user\"]\nold = []\nuser = []\nnative-tls = [\"reqwest/native-tls\"]\n";
        let out = with_features(
            manifest,
            &[
                ("full".into(), vec!["user".into(), "tag".into()]),
                ("user".into(), vec![]),
                ("tag".into(), vec![]),
            ],
        )
        .unwrap();
        assert!(out.contains("full = [\"user\", \"tag\"]"), "{out}");
        assert!(!out.contains("old = []"), "{out}");
        assert!(out.contains("tag = []"), "{out}");
        assert!(out.contains("native-tls = [\"reqwest/native-tls\"]"), "{out}");
        assert!(out.contains("default = [\"full\"]"), "{out}");
        // Already right: byte for byte the same.
        assert_eq!(
            with_features(
                &out,
                &[
                    ("full".into(), vec!["user".into(), "tag".into()]),
                    ("user".into(), vec![]),
                    ("tag".into(), vec![])
                ]
            )
            .unwrap(),
            out
        );
    }
}
