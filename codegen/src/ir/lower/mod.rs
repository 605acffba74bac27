//! From the spec as written to the validated IR. Each check that fails adds a located, coded
//! diagnostic and lowering goes on, so one run reports every problem. By concern:
//!
//! - `scope`: which names exist where (types, scalars, named parameters), declared first so
//!   any file may refer to any of them;
//! - `types`: named types — objects, open enums, unions;
//! - `fields`: fields, named parameters and scalars, limits;
//! - `endpoints`: groups, endpoints, pagination, examples (inline and side files);
//! - `credentials`: the credential kinds;
//! - `api`: checks across the whole API — duplicates, usage, example keys, Rust names;
//! - `errcodes`: the official error-code table.

mod api;
mod constraints;
mod credentials;
mod endpoints;
mod errcodes;
mod events;
mod fields;
pub mod names;
mod scope;
mod types;

pub use errcodes::lower_error_codes;
pub use names::Reserved;

use std::collections::BTreeMap;

use super::*;
use crate::diagnostics::{Code, Diagnostic, FileId, Files, Label};
use crate::spec::{self, Loc};

/// The parsed spec, by role.
#[derive(Default)]
pub struct Parsed {
    pub shared: Option<(FileId, spec::SharedFile)>,
    pub credentials: Option<(FileId, spec::CredentialsFile)>,
    /// Group name → its files, in name order.
    pub groups: BTreeMap<String, Vec<(FileId, spec::GroupFile)>>,
    /// Example side files: `(file, group, file name)`.
    pub examples: Vec<(FileId, String, String)>,
}

pub fn lower(files: &Files, parsed: &Parsed, reserved: &Reserved) -> Result<Api, Vec<Diagnostic>> {
    let mut cx = Cx {
        files,
        diagnostics: Vec::new(),
    };
    let mut scopes = scope::declare(&mut cx, parsed);
    let credential_names = credentials::declare(&mut cx, parsed);
    let mut types = types::lower_all(&mut cx, parsed, &mut scopes);
    let mut groups = Vec::new();
    for (name, group_files) in &parsed.groups {
        if let Some(group) =
            endpoints::lower_group(&mut cx, &mut scopes, &credential_names, name, group_files)
        {
            groups.push(group);
        }
    }
    endpoints::attach_side_examples(&mut cx, parsed, &mut groups);
    let (credentials, default_credential) = credentials::lower(&mut cx, parsed, &credential_names, &groups);
    if credentials.len() != credential_names.names.len() {
        // Endpoints name kinds that did not lower (reported); the checks below would not find them.
        return Err(cx.diagnostics);
    }
    let callback_shapes = events::shapes(&mut cx, &mut scopes, parsed);
    events::lower_all(
        &mut cx,
        &mut scopes,
        parsed,
        &callback_shapes,
        &types,
        &mut groups,
    );
    api::mark_usage(&mut types, &groups);
    let api = Api {
        types,
        groups,
        credentials,
        default_credential,
        errcodes: Vec::new(),
        callback_shapes,
    };
    api::check(&mut cx, &api, reserved);
    if cx.diagnostics.is_empty() {
        Ok(api)
    } else {
        Err(cx.diagnostics)
    }
}

/// The lowering context: the files (for spans) and the problems found so far.
pub(crate) struct Cx<'a> {
    pub(crate) files: &'a Files,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Cx<'_> {
    /// Adds a problem, once: a named parameter used by many endpoints reports its own mistakes
    /// a single time.
    fn push(&mut self, diagnostic: Diagnostic) {
        let same = |d: &Diagnostic| {
            d.code == diagnostic.code
                && d.message == diagnostic.message
                && d.labels.first().map(|l| (l.file_id, l.range.clone()))
                    == diagnostic.labels.first().map(|l| (l.file_id, l.range.clone()))
        };
        if !self.diagnostics.iter().any(same) {
            self.diagnostics.push(diagnostic);
        }
    }

    pub(crate) fn error(&mut self, code: Code, at: &Span, message: impl Into<String>) {
        self.push(
            Diagnostic::error()
                .with_code(code.id())
                .with_message(message.into())
                .with_labels(vec![Label::primary(at.file, at.range.clone())]),
        );
    }

    pub(crate) fn error_note(
        &mut self,
        code: Code,
        at: &Span,
        message: impl Into<String>,
        note: impl Into<String>,
    ) {
        self.push(
            Diagnostic::error()
                .with_code(code.id())
                .with_message(message.into())
                .with_labels(vec![Label::primary(at.file, at.range.clone())])
                .with_notes(vec![note.into()]),
        );
    }

    /// An error at `at` that also points at an earlier declaration.
    pub(crate) fn error_twice(
        &mut self,
        code: Code,
        at: &Span,
        message: impl Into<String>,
        first: &Span,
        first_says: &str,
    ) {
        self.push(
            Diagnostic::error()
                .with_code(code.id())
                .with_message(message.into())
                .with_labels(vec![
                    Label::primary(at.file, at.range.clone()),
                    Label::secondary(first.file, first.range.clone()).with_message(first_says.to_string()),
                ]),
        );
    }

    pub(crate) fn span<T>(&self, file: FileId, loc: &Loc<T>) -> Span {
        Span {
            file,
            range: self.files.span_of(file, loc),
        }
    }

    /// The first character of a file, for problems of a whole file.
    pub(crate) fn file_start(&self, file: FileId) -> Span {
        Span { file, range: 0..1 }
    }

    /// A span within a written scalar: `offset` bytes into the text of `loc`, `len` long, when the
    /// YAML scalar is plain (its span starts at the text); else the whole scalar.
    pub(crate) fn within(&self, file: FileId, loc: &Loc<String>, offset: usize, len: usize) -> Span {
        let whole = self.span(file, loc);
        let source = self.files.source(file);
        let plain = source
            .get(whole.range.start..)
            .is_some_and(|rest| rest.starts_with(&loc.value));
        if plain {
            let start = whole.range.start + offset;
            Span {
                file,
                range: start..(start + len.max(1)).min(source.len()),
            }
        } else {
            whole
        }
    }
}

/// The candidate nearest to `name` by edit distance, when it is close enough to be a typo.
pub(crate) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The official page of doc number `n`.
pub(crate) fn doc_url(n: u64) -> String {
    format!("https://developer.work.weixin.qq.com/document/path/{n}")
}
