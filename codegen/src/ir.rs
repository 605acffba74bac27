//! Stage two: the validated model the emitters read. Every name is resolved, every limit checked
//! and every user error raised here, located in its spec file. Emitters never fail.

pub mod lower;
mod types;

pub use lower::lower;

use std::collections::BTreeMap;

/// The whole API as the spec describes it.
#[derive(Debug, Clone)]
pub struct Api {
    /// Types every group may use (`spec/shared.yaml` → `wecom_sdk::types`).
    pub shared: Vec<TypeDef>,
    /// The groups in file-name order.
    pub groups: Vec<Group>,
    /// The official error-code table, by ascending code.
    pub errcodes: Vec<ErrorCode>,
}

/// One row of the official global error-code table.
#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub code: i64,
    pub meaning: String,
    pub hint: String,
    pub class: ErrorClass,
}

/// What kind of trouble an error code means, and so what a caller can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Retryable,
    Token,
    Configuration,
    RateLimit,
    Permission,
    InvalidArgument,
    Other,
}

impl ErrorClass {
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "retryable" => ErrorClass::Retryable,
            "token" => ErrorClass::Token,
            "configuration" => ErrorClass::Configuration,
            "rate_limit" => ErrorClass::RateLimit,
            "permission" => ErrorClass::Permission,
            "invalid_argument" => ErrorClass::InvalidArgument,
            "other" => ErrorClass::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Retryable => "retryable",
            ErrorClass::Token => "token",
            ErrorClass::Configuration => "configuration",
            ErrorClass::RateLimit => "rate_limit",
            ErrorClass::Permission => "permission",
            ErrorClass::InvalidArgument => "invalid_argument",
            ErrorClass::Other => "other",
        }
    }

    /// The Rust variant of `wecom_sdk::ErrorClass`.
    pub fn variant(self) -> &'static str {
        match self {
            ErrorClass::Retryable => "Retryable",
            ErrorClass::Token => "Token",
            ErrorClass::Configuration => "Configuration",
            ErrorClass::RateLimit => "RateLimit",
            ErrorClass::Permission => "Permission",
            ErrorClass::InvalidArgument => "InvalidArgument",
            ErrorClass::Other => "Other",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    /// snake_case: module, feature and file name.
    pub name: String,
    pub title: String,
    pub summary: String,
    pub doc: String,
    /// Compiled without a feature because the runtime itself calls it.
    pub core: bool,
    /// `spec/<name>.yaml`, for the `@generated` header.
    pub source: String,
    pub types: Vec<TypeDef>,
    pub endpoints: Vec<Endpoint>,
}

/// Where a named type lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Module {
    Shared,
    Group(String),
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub description: String,
    pub kind: TypeKind,
    pub usage: Usage,
}

/// Whether a type is reached from request parameters, responses or both; it decides derives,
/// constructors and how strictly unknown keys are treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub request: bool,
    pub response: bool,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Object {
        fields: Vec<Field>,
    },
    IntEnum {
        repr: IntKind,
        values: Vec<EnumValue<i64>>,
    },
    StrEnum {
        values: Vec<EnumValue<String>>,
    },
    Union {
        tag: String,
        variants: Vec<Variant>,
    },
}

#[derive(Debug, Clone)]
pub struct EnumValue<T> {
    pub value: T,
    /// SCREAMING_SNAKE constant name.
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct Variant {
    /// The tag value and payload key on the wire (`text`).
    pub wire: String,
    /// The Rust variant name (`Text`).
    pub rust: String,
    pub ty: TypeRef,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    pub name: String,
    pub module: Module,
    pub kind: NamedKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Object,
    IntEnum,
    StrEnum,
    Union,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntKind {
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

impl IntKind {
    pub fn rust(self) -> &'static str {
        match self {
            IntKind::I32 => "i32",
            IntKind::I64 => "i64",
            IntKind::U8 => "u8",
            IntKind::U16 => "u16",
            IntKind::U32 => "u32",
            IntKind::U64 => "u64",
        }
    }

    /// The values the Rust type can hold, clamped to `i64` (enough for any limit WeCom states).
    pub fn bounds(self) -> (i128, i128) {
        match self {
            IntKind::I32 => (i32::MIN.into(), i32::MAX.into()),
            IntKind::I64 => (i64::MIN.into(), i64::MAX.into()),
            IntKind::U8 => (0, u8::MAX.into()),
            IntKind::U16 => (0, u16::MAX.into()),
            IntKind::U32 => (0, u32::MAX.into()),
            IntKind::U64 => (0, u64::MAX.into()),
        }
    }
}

/// A field's type as Rust and the wire see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    String,
    Int(IntKind),
    F64,
    Bool,
    /// `bool` in Rust, `0`/`1` on the wire.
    Flag,
    List(Box<Ty>),
    Map(Box<Ty>),
    /// `Vec<T>` in Rust, `"a|b"` on the wire.
    Piped(Box<Ty>),
    Json,
    /// A multipart file part: `crate::Upload`.
    File,
    Named(TypeRef),
}

impl Ty {
    /// The type limits on elements apply to: the element of a list or piped list, else itself.
    pub fn element(&self) -> &Ty {
        match self {
            Ty::List(inner) | Ty::Piped(inner) => inner.element(),
            other => other,
        }
    }

    pub fn is_list(&self) -> bool {
        matches!(self, Ty::List(_) | Ty::Piped(_))
    }

    pub fn is_collection(&self) -> bool {
        matches!(self, Ty::List(_) | Ty::Piped(_) | Ty::Map(_))
    }

    pub fn is_textual(&self) -> bool {
        matches!(self, Ty::String) || matches!(self, Ty::Named(r) if r.kind == NamedKind::StrEnum)
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, Ty::Int(_)) || matches!(self, Ty::Named(r) if r.kind == NamedKind::IntEnum)
    }

    pub fn is_numeric(&self) -> bool {
        self.is_integer() || matches!(self, Ty::F64)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Query,
    Body,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The name on the wire.
    pub wire: String,
    /// The Rust field and setter name.
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    pub description: String,
    /// The documented server-side default, as the spec writes it.
    pub default: Option<String>,
    pub limits: Limits,
    pub placement: Placement,
    /// A number that travels as a JSON string.
    pub as_string: bool,
    pub secret: bool,
    pub flatten: bool,
    pub json_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthUnit {
    Bytes,
    Chars,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Limits {
    pub length: Option<(Option<u64>, Option<u64>, LengthUnit)>,
    pub items: Option<(Option<u64>, Option<u64>)>,
    pub range: Option<(Option<i64>, Option<i64>)>,
    /// File size in bytes.
    pub size: Option<(Option<u64>, Option<u64>)>,
    pub values: Vec<LimitValue>,
    pub pattern: Option<String>,
}

impl Limits {
    pub fn is_empty(&self) -> bool {
        self == &Limits::default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LimitValue {
    Int(i64),
    Str(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    AccessToken,
    ProviderAccessToken,
    SuiteAccessToken,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    None,
    Json,
    Multipart,
}

#[derive(Debug, Clone)]
pub enum Constraint {
    AtLeastOneOf(Vec<String>),
    AtMostOneOf(Vec<String>),
}

#[derive(Debug, Clone)]
pub enum Response {
    Fields(Vec<Field>),
    Named(TypeRef),
    /// The answer is a file.
    Binary,
}

/// How to walk the pages of a list endpoint. Names are wire names of the request parameters
/// and response fields involved.
#[derive(Debug, Clone)]
pub enum Pagination {
    Cursor {
        cursor: String,
        next: String,
        items: String,
        last: Option<String>,
    },
    Offset {
        offset: String,
        limit: String,
        items: String,
    },
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    /// snake_case method name.
    pub name: String,
    pub summary: String,
    pub description: Option<String>,
    pub method: Method,
    pub path: String,
    pub doc: String,
    pub auth: Auth,
    pub body: BodyKind,
    /// Repeating it changes nothing (default: true for GET, false for POST).
    pub idempotent: bool,
    pub params: Vec<Field>,
    pub constraints: Vec<Constraint>,
    pub response: Response,
    pub pagination: Option<Pagination>,
    pub example_request: Option<String>,
    /// Further documented requests: `(label, JSON)`.
    pub more_requests: Vec<(String, String)>,
    pub example_response: String,
    pub notes: Option<String>,
}

impl Endpoint {
    pub fn request_type(&self) -> String {
        format!("{}Request", pascal(&self.name))
    }

    pub fn response_type(&self) -> String {
        format!("{}Response", pascal(&self.name))
    }

    /// `user.get`: how errors and logs name the endpoint.
    pub fn id(&self, group: &str) -> String {
        format!("{group}.{}", self.name)
    }
}

impl Group {
    pub fn api_type(&self) -> String {
        format!("{}Api", pascal(&self.name))
    }
}

impl Api {
    /// Every named type by name, for emitters that follow references.
    pub fn types(&self) -> BTreeMap<&str, &TypeDef> {
        self.shared
            .iter()
            .chain(self.groups.iter().flat_map(|g| g.types.iter()))
            .map(|t| (t.name.as_str(), t))
            .collect()
    }
}

pub fn pascal(snake: &str) -> String {
    heck::AsUpperCamelCase(snake).to_string()
}
