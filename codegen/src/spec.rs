//! Stage one: the spec files as written, with the source location of every value that a later
//! check may need to point at. Nothing here judges meaning; `ir` does.
//!
//! The YAML crate is used only in [`load`], so it can be swapped without touching the rest.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

use crate::diagnostics::{Diagnostic, FileId, Files, Label};

/// Parses one spec file. Syntax and shape errors stop at the first one in the file (the YAML
/// deserializer cannot resume); meaning is checked later, by `ir`, exhaustively.
pub fn load(file: FileId, files: &Files) -> Result<SpecFile, Diagnostic> {
    let options = serde_saphyr::options! {
        // Keys are compared as written, so `1` and `01` are not silently merged.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    };
    serde_saphyr::from_str_with_options(files.source(file), options).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
        let message = yaml_message(&err.without_snippet().to_string());
        Diagnostic::error()
            .with_message(message)
            .with_labels(vec![Label::primary(file, files.line_col(file, line, column))])
    })
}

/// The YAML crate appends its own location and advice to messages; keep the gist.
fn yaml_message(raw: &str) -> String {
    let trimmed = match raw.rfind(" at line ") {
        Some(i) => &raw[..i],
        None => raw,
    };
    if let Some(rest) = trimmed.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!("duplicate key `{key}`: each endpoint, type and field is declared once");
    }
    format!("invalid spec: {trimmed}")
}

// ---------------------------------------------------------------------------------------------
// The file shapes. Everything that a later check reports on is `Loc<T>` (a YAML location, turned
// into a `Span` once the file id is known).

pub type Loc<T> = serde_saphyr::Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    pub group: Option<Loc<String>>,
    pub title: Option<Loc<String>>,
    pub summary: Option<Loc<String>>,
    pub doc: Option<Loc<String>>,
    #[serde(default)]
    pub core: Option<Loc<bool>>,
    #[serde(default)]
    pub types: Entries<TypeDef>,
    #[serde(default)]
    pub endpoints: Option<Loc<Entries<Endpoint>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    pub description: Option<Loc<String>>,
    pub fields: Option<Loc<Entries<Field>>>,
    #[serde(rename = "enum")]
    pub enumeration: Option<Loc<Vec<EnumValue>>>,
    pub repr: Option<Loc<String>>,
    pub union: Option<Loc<Union>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: Loc<Scalar>,
    pub name: Loc<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Union {
    pub tag: Loc<String>,
    pub variants: Entries<Variant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    #[serde(rename = "type")]
    pub ty: Loc<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub summary: Option<Loc<String>>,
    pub description: Option<String>,
    pub method: Option<Loc<String>>,
    pub path: Option<Loc<String>>,
    pub doc: Option<Loc<String>>,
    pub auth: Option<Loc<String>>,
    pub body: Option<Loc<String>>,
    pub idempotent: Option<bool>,
    #[serde(default)]
    pub request: Entries<Field>,
    #[serde(default)]
    pub constraints: Vec<Loc<Constraint>>,
    pub response: Option<Loc<Response>>,
    pub pagination: Option<Loc<Pagination>>,
    pub example: Option<Loc<Example>>,
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub fields: Option<Entries<Field>>,
    #[serde(rename = "type")]
    pub ty: Option<Loc<String>>,
    pub binary: Option<Loc<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    pub cursor: Option<Loc<String>>,
    pub next: Option<Loc<String>>,
    pub last: Option<Loc<String>>,
    pub offset: Option<Loc<String>>,
    pub limit: Option<Loc<String>>,
    pub items: Option<Loc<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub request: Option<Loc<String>>,
    pub response: Option<Loc<String>>,
    /// Further documented requests by label (one per message type, say), each tested too.
    #[serde(default)]
    pub more_requests: Entries<Loc<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constraint {
    pub at_least_one_of: Option<Vec<Loc<String>>>,
    pub at_most_one_of: Option<Vec<Loc<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    #[serde(rename = "type")]
    pub ty: Option<Loc<String>>,
    pub required: Option<bool>,
    pub description: Option<String>,
    pub default: Option<Loc<Scalar>>,
    pub limits: Option<Loc<Limits>>,
    #[serde(rename = "in")]
    pub placement: Option<Loc<String>>,
    pub wire: Option<Loc<String>>,
    pub secret: Option<bool>,
    pub rust_name: Option<Loc<String>>,
    pub json_reason: Option<String>,
    pub flatten: Option<Loc<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub length: Option<Loc<Length>>,
    pub items: Option<Loc<Bounds>>,
    pub range: Option<Loc<Bounds>>,
    pub size: Option<Loc<Bounds>>,
    pub values: Option<Loc<Vec<Scalar>>>,
    pub pattern: Option<Loc<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Length {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub unit: Option<Loc<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// A YAML scalar whose type the field decides later (enum values, defaults, allowed values).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
            Scalar::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// A YAML mapping kept in written order, each key with its location. Duplicate keys never get
/// here: the loader rejects them with their location.
#[derive(Debug)]
pub struct Entries<T>(pub Vec<(Loc<String>, T)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Entries(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry()? {
                    entries.push((key, value));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// `spec/errcodes.yaml`: the official global error-code table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodes {
    pub source: Option<Loc<String>>,
    pub codes: Vec<Loc<ErrorCode>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    pub code: Loc<i64>,
    pub meaning: Loc<String>,
    #[serde(default)]
    pub hint: Option<String>,
    pub class: Loc<String>,
}

/// Parses `spec/errcodes.yaml`.
pub fn load_error_codes(file: FileId, files: &Files) -> Result<ErrorCodes, Diagnostic> {
    serde_saphyr::from_str(files.source(file)).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((1, 1), |l| (l.line().max(1), l.column().max(1)));
        Diagnostic::error()
            .with_message(yaml_message(&err.without_snippet().to_string()))
            .with_labels(vec![Label::primary(file, files.line_col(file, line, column))])
    })
}
