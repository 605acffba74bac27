//! The wecom-rs code generator: spec → IR → Rust.
//!
//! - [`spec`] reads the YAML files as written, keeping every value's location;
//! - [`ir`] resolves names and checks everything, reporting problems at `spec/FILE.yaml:LINE:COL`;
//! - [`emit`] turns the IR into Rust with `quote` and formats it with `prettyplease`.
//!
//! [`generate`] runs all three; `cargo xtask gen` writes what it returns.

pub mod diagnostics;
pub mod emit;
pub mod ir;
pub mod spec;

use std::path::{Path, PathBuf};

pub use diagnostics::Report;
pub use emit::GeneratedFile;

/// The file stem of the error-code table (`spec/errcodes.yaml`), which is not a group.
const ERRCODES: &str = "errcodes";

/// Everything derived from the spec.
#[derive(Debug)]
pub struct Generated {
    /// Files to write, paths relative to the workspace root, sorted.
    pub files: Vec<GeneratedFile>,
    /// The cargo features of `wecom-sdk`: `(name, members)`.
    pub features: Vec<(String, Vec<String>)>,
    /// The validated API, for callers that derive more from it.
    pub api: ir::Api,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Spec(Report),
    #[error("{0}")]
    Internal(String),
}

/// Reads every `*.yaml` in `spec_dir` (named `spec/<file>` in reports) and generates from them.
pub fn generate(spec_dir: &Path) -> Result<Generated, Error> {
    let io = |source| Error::Io {
        path: spec_dir.to_path_buf(),
        source,
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(spec_dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    names.sort();
    let mut sources = Vec::new();
    for path in names {
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let file_name = path.file_name().unwrap_or_default().to_string_lossy();
        sources.push((format!("spec/{file_name}"), text));
    }
    generate_from_sources(sources)
}

/// Generates from in-memory sources: `(display name such as spec/user.yaml, YAML text)`.
pub fn generate_from_sources(sources: Vec<(String, String)>) -> Result<Generated, Error> {
    let mut files = diagnostics::Files::default();
    let mut parsed = Vec::new();
    let mut problems = Vec::new();
    let mut errcodes = Vec::new();
    for (name, text) in sources {
        let stem = Path::new(&name)
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let id = files.add(name, text);
        if stem == ERRCODES {
            match spec::load_error_codes(id, &files)
                .map_err(|d| vec![d])
                .and_then(|table| ir::lower::lower_error_codes(&files, id, &table))
            {
                Ok(codes) => errcodes = codes,
                Err(mut more) => problems.append(&mut more),
            }
            continue;
        }
        match spec::load(id, &files) {
            Ok(spec) => parsed.push(ir::lower::Parsed { file: id, stem, spec }),
            Err(diagnostic) => problems.push(diagnostic),
        }
    }
    let lowered = ir::lower(&files, parsed).map(|mut api| {
        api.errcodes = errcodes;
        api
    });
    let api = match lowered {
        Ok(api) if problems.is_empty() => api,
        Ok(_) => {
            return Err(Error::Spec(Report {
                files,
                diagnostics: problems,
            }));
        }
        Err(mut more) => {
            problems.append(&mut more);
            return Err(Error::Spec(Report {
                files,
                diagnostics: problems,
            }));
        }
    };
    let files = emit::emit(&api).map_err(Error::Internal)?;
    let features = emit::features(&api);
    Ok(Generated { files, features, api })
}
