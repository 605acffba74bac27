//! Problems found in the spec, each pointing into its file, rendered all together.

use std::fmt;
use std::ops::Range;

use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

pub use codespan_reporting::diagnostic::Label;

pub type FileId = usize;
pub type Diagnostic = codespan_reporting::diagnostic::Diagnostic<FileId>;

/// The spec sources by name (`spec/user.yaml`), so that labels can show lines and columns.
#[derive(Default)]
pub struct Files {
    files: SimpleFiles<String, String>,
}

impl Files {
    pub fn add(&mut self, name: impl Into<String>, source: impl Into<String>) -> FileId {
        self.files.add(name.into(), source.into())
    }

    pub fn name(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map(|f| f.name().as_str())
            .unwrap_or("<unknown>")
    }

    pub fn source(&self, file: FileId) -> &str {
        self.files.get(file).map(|f| f.source().as_str()).unwrap_or("")
    }

    /// The byte range of the character at 1-based `line` and `column` (columns count characters).
    pub fn line_col(&self, file: FileId, line: u64, column: u64) -> Range<usize> {
        let source = self.source(file);
        let mut offset = 0;
        for (i, text) in source.split_inclusive('\n').enumerate() {
            if i + 1 == line as usize {
                let within = text
                    .char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(text.trim_end_matches('\n').len(), |(at, _)| at);
                let start = offset + within;
                let end = source[start..]
                    .chars()
                    .next()
                    .filter(|c| *c != '\n')
                    .map_or(start, |c| start + c.len_utf8());
                return start..end;
            }
            offset += text.len();
        }
        source.len()..source.len()
    }

    /// The range a spanned YAML value covers: its first character when the YAML crate cannot say
    /// more, the whole scalar when it can.
    pub fn span_of<T>(&self, file: FileId, value: &crate::spec::Loc<T>) -> Range<usize> {
        let at = value.referenced;
        let mut range = self.line_col(file, at.line().max(1), at.column().max(1));
        let span = at.span();
        if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
            let (offset, len) = (offset as usize, len as usize);
            let source = self.source(file);
            if offset == range.start && len > 0 && offset + len <= source.len() {
                range = offset..offset + len;
            }
        }
        range
    }

    pub(crate) fn inner(&self) -> &SimpleFiles<String, String> {
        &self.files
    }
}

/// Every problem of one run, in the order found.
pub struct Report {
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// The report as plain text: `error: …` then `┌─ spec/user.yaml:12:7` and the source lines.
    pub fn render(&self) -> String {
        let config = term::Config::default();
        let mut out = String::new();
        for diagnostic in &self.diagnostics {
            match term::emit_into_string(&config, self.files.inner(), diagnostic) {
                Ok(text) => out.push_str(&text),
                Err(err) => out.push_str(&format!("error: {} ({err})\n", diagnostic.message)),
            }
        }
        let count = self.diagnostics.len();
        out.push_str(&format!(
            "{count} problem{} in the spec; nothing was generated\n",
            if count == 1 { "" } else { "s" }
        ));
        out
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Report {}
