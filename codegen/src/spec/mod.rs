//! Stage one: the spec folder as written. [`read`] gathers the files (the YAML of every group
//! folder, the top-level files, the example side files); [`load`] parses one YAML file into the
//! structs of [`model`], keeping the location of every value a later check may point at.
//!
//! The YAML crate is used only here, so it can be swapped without touching the rest.

pub mod model;
pub mod schema;

pub use model::*;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::diagnostics::{Code, Diagnostic, FileId, Files, Label};

/// The top-level files that are not groups.
pub const SHARED: &str = "shared.yaml";
pub const CREDENTIALS: &str = "credentials.yaml";
pub const ERRCODES: &str = "errcodes.yaml";
/// The folder of a group that holds its example side files.
pub const EXAMPLES: &str = "examples";

/// One file of the spec, as read from disk (or given by a test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The name reports show: `spec/user/user.yaml`.
    pub name: String,
    pub text: String,
}

/// Reads every file of the spec folder `dir`, named `spec/…` in reports, in a stable order:
/// the top-level YAML files, then each group folder's YAML files and example files.
pub fn read(dir: &Path) -> Result<Vec<Source>, (PathBuf, std::io::Error)> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e| (path, e)
    };
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in &entries {
        if path.is_file() && path.extension().is_some_and(|e| e == "yaml") {
            out.push(source(path, &format!("spec/{}", file_name(path)))?);
        }
    }
    for folder in entries
        .iter()
        .filter(|p| p.is_dir() && !p.ends_with(schema::FOLDER))
    {
        let group = file_name(folder);
        let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
            .map_err(io(folder))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for path in files {
            out.push(source(&path, &format!("spec/{group}/{}", file_name(&path)))?);
        }
        let examples = folder.join(EXAMPLES);
        if examples.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&examples)
                .map_err(io(&examples))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for path in files {
                out.push(source(
                    &path,
                    &format!("spec/{group}/{EXAMPLES}/{}", file_name(&path)),
                )?);
            }
        }
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn source(path: &Path, name: &str) -> Result<Source, (PathBuf, std::io::Error)> {
    let text = std::fs::read_to_string(path).map_err(|e| (path.to_path_buf(), e))?;
    Ok(Source {
        name: name.to_string(),
        text,
    })
}

/// What a source is, from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Shared,
    Credentials,
    Errcodes,
    /// `spec/<group>/<file>.yaml`.
    GroupFile {
        group: String,
    },
    /// `spec/<group>/examples/<file>`.
    Example {
        group: String,
        file: String,
    },
    /// Anything else: a top-level YAML file that is not one of the three, a stray file.
    Unknown,
}

pub fn role(name: &str) -> Role {
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        ["spec", SHARED] => Role::Shared,
        ["spec", CREDENTIALS] => Role::Credentials,
        ["spec", ERRCODES] => Role::Errcodes,
        ["spec", group, file] if file.ends_with(".yaml") => Role::GroupFile {
            group: group.to_string(),
        },
        ["spec", group, EXAMPLES, file] => Role::Example {
            group: group.to_string(),
            file: file.to_string(),
        },
        _ => Role::Unknown,
    }
}

/// Parses one YAML file. Syntax and shape errors stop at the first one in the file (the YAML
/// deserializer cannot resume); meaning is checked later, by `ir`, exhaustively.
pub fn load<T: DeserializeOwned>(file: FileId, files: &Files) -> Result<T, Diagnostic> {
    let options = serde_saphyr::options! {
        // Keys are compared as written, so `1` and `01` are not silently merged.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    };
    serde_saphyr::from_str_with_options(files.source(file), options).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
        let (code, message) = yaml_message(&err.without_snippet().to_string());
        Diagnostic::error()
            .with_code(code.id())
            .with_message(message)
            .with_labels(vec![Label::primary(file, files.line_col(file, line, column))])
    })
}

/// The YAML crate appends its own location and advice to messages; keep the gist.
fn yaml_message(raw: &str) -> (Code, String) {
    let trimmed = match raw.rfind(" at line ") {
        Some(i) => &raw[..i],
        None => raw,
    };
    if let Some(rest) = trimmed.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return (
            Code::DuplicateKey,
            format!("duplicate key `{key}`: each endpoint, type and field is declared once"),
        );
    }
    if trimmed.contains("unknown field") {
        return (Code::UnknownKey, format!("invalid spec: {trimmed}"));
    }
    (Code::Yaml, format!("invalid spec: {trimmed}"))
}
