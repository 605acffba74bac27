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
        let at = value.at;
        if at.line() == 0 {
            return 0..0;
        }
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

macro_rules! codes {
    ($($name:ident = $id:literal: $what:literal,)*) => {
        /// The kinds of problem the generator reports, each with a stable code (`S101`) shown in
        /// the report, so a message can change while what it means stays searchable.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $what] $name,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &[Code] = &[$(Code::$name,)*];

            /// `S101`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Code::$name => $id,)*
                }
            }

            /// What the code is about, in one line.
            pub fn what(self) -> &'static str {
                match self {
                    $(Code::$name => $what,)*
                }
            }
        }
    };
}

codes! {
    Yaml = "S001": "the file is not YAML the spec structs can read",
    UnknownKey = "S002": "a key the format does not know",
    DuplicateKey = "S003": "a key written twice in one mapping",
    MissingFile = "S004": "a file the spec needs is missing",
    MissingKey = "S010": "a required key is missing or empty",
    BadValue = "S011": "a key has a value it does not take",
    KeyOutOfPlace = "S012": "a key that does not apply where it is written",
    GroupName = "S020": "a group folder whose name is not a snake_case identifier",
    GroupHeader = "S021": "a group with no header, or a header in two files",
    EndpointName = "S022": "an endpoint name that is not a snake_case identifier",
    TypeNameCase = "S023": "a type or scalar name that is not PascalCase",
    FieldName = "S024": "a field or parameter with no usable Rust name",
    DuplicateName = "S025": "a name declared twice",
    ShadowsShared = "S026": "a group name that hides a name of spec/shared.yaml",
    UnknownType = "S030": "an unknown type name",
    CrossGroupType = "S031": "a type of another group",
    BadTypeSyntax = "S032": "a malformed type expression",
    TypeShape = "S033": "a type that is not exactly one of object, enum, union",
    EnumValue = "S034": "a bad enum value or value name",
    UnionShape = "S035": "a malformed union or variant",
    ScalarMisuse = "S036": "a scalar used or declared in a way scalars are not",
    UnknownParam = "S040": "an unknown named parameter",
    UseCycle = "S041": "a named parameter or scalar defined by itself",
    JsonWithoutReason = "S042": "a `json` field without a `json_reason`",
    FileOutsideRequest = "S043": "a `file` outside the parameters of a multipart upload",
    BadBound = "S050": "a limit that is not a well-formed bound",
    LimitMismatch = "S051": "a limit or default that does not fit the field's type",
    LimitShape = "S052": "a limit with nothing in it",
    BadPattern = "S053": "a pattern that is not a regular expression",
    BadPath = "S060": "a malformed endpoint path",
    BodyMismatch = "S061": "a parameter that cannot travel where the body kind sends it",
    ResponseShape = "S062": "a response that is neither fields, an object type nor binary",
    PaginationShape = "S063": "a malformed pagination",
    ConstraintShape = "S064": "a malformed constraint",
    UnknownCredential = "S065": "an unknown credential, or one calls cannot carry",
    FlattenClash = "S066": "a parameter colliding with a key of a flattened union",
    MissingExample = "S070": "an endpoint without its documented examples",
    BadExample = "S071": "an example that is not JSON",
    ExampleKeys = "S072": "an example holding keys the spec does not declare",
    ExampleFile = "S073": "an example side file with a bad name, for no endpoint, or twice",
    DuplicateEndpoint = "S080": "the same method and path twice",
    UnionInResponse = "S081": "a union reached from a response",
    RustNameClash = "S082": "two items that would have the same Rust name",
    ReservedName = "S083": "a generated name the hand-written runtime already uses",
    CredentialShape = "S090": "a malformed credential kind",
    ErrcodeOrder = "S091": "an error code out of order or listed twice",
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
