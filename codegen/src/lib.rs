//! The wecom-rs code generator: spec → IR → Rust.
//!
//! - [`spec`] reads the spec folder as written, keeping every value's location;
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
pub use ir::lower::Reserved;

use diagnostics::{Code, Diagnostic, Files, Label};
use spec::{Role, Source};

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
    #[error("cannot read the runtime's names: {0}")]
    Reserved(String),
    #[error("{0}")]
    Spec(Report),
    #[error("{0}")]
    Internal(String),
}

/// Reads the spec folder `spec_dir` (named `spec/…` in reports) and generates from it. The names
/// the hand-written runtime uses are read from `wecom-sdk/src` beside it, when it is there.
pub fn generate(spec_dir: &Path) -> Result<Generated, Error> {
    let sdk = spec_dir.parent().map(|root| root.join("wecom-sdk/src"));
    let reserved = match sdk.filter(|p| p.is_dir()) {
        Some(src) => Reserved::scan(&src).map_err(Error::Reserved)?,
        None => Reserved::default(),
    };
    generate_with(spec_dir, &reserved)
}

/// [`generate`] with the runtime's names given.
pub fn generate_with(spec_dir: &Path, reserved: &Reserved) -> Result<Generated, Error> {
    let sources = spec::read(spec_dir).map_err(|(path, source)| Error::Io { path, source })?;
    generate_from_sources(sources, reserved)
}

/// Generates from in-memory sources (names such as `spec/user/user.yaml`).
pub fn generate_from_sources(sources: Vec<Source>, reserved: &Reserved) -> Result<Generated, Error> {
    let mut files = Files::default();
    let mut parsed = ir::lower::Parsed::default();
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut errcodes = Vec::new();
    for source in sources {
        let role = spec::role(&source.name);
        let id = files.add(source.name, source.text);
        match role {
            Role::Shared => match spec::load(id, &files) {
                Ok(file) => parsed.shared = Some((id, file)),
                Err(d) => problems.push(d),
            },
            Role::Credentials => match spec::load(id, &files) {
                Ok(file) => parsed.credentials = Some((id, file)),
                Err(d) => problems.push(d),
            },
            Role::Errcodes => {
                match spec::load::<spec::ErrorCodes>(id, &files)
                    .map_err(|d| vec![d])
                    .and_then(|table| ir::lower::lower_error_codes(&files, id, &table))
                {
                    Ok(codes) => errcodes = codes,
                    Err(mut more) => problems.append(&mut more),
                }
            }
            Role::GroupFile { group } => match spec::load(id, &files) {
                Ok(file) => parsed.groups.entry(group).or_default().push((id, file)),
                Err(d) => {
                    // Keep the group known, so its examples are not reported as orphans.
                    parsed.groups.entry(group).or_default();
                    problems.push(d);
                }
            },
            Role::Example { group, file } => parsed.examples.push((id, group, file)),
            Role::Unknown => problems.push(
                Diagnostic::error()
                    .with_code(Code::UnknownKey.id())
                    .with_message(format!(
                        "`{}` is not part of the format: the top level holds shared.yaml, credentials.yaml and errcodes.yaml, and a folder per group",
                        files.name(id)
                    ))
                    .with_labels(vec![Label::primary(id, 0..0)]),
            ),
        }
    }
    // A group whose files did not parse is left out of lowering; its problems are reported.
    parsed.groups.retain(|_, files| !files.is_empty());
    let lowered = ir::lower(&files, &parsed, reserved);
    let mut api = match lowered {
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
    api.errcodes = errcodes;
    let files = emit::emit(&api).map_err(Error::Internal)?;
    let features = emit::features(&api);
    Ok(Generated { files, features, api })
}
