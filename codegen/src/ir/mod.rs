//! Stage two: the validated model the emitters read. Every name is resolved (types to their
//! [`TypeId`], credentials to their [`CredId`]), every limit checked and every user error raised
//! here, located in its spec file. Items keep their [`Span`], so no later stage searches the
//! parsed spec again. Emitters never fail.

pub mod lower;
mod types;

pub use lower::lower;

use std::ops::Range;

use crate::diagnostics::FileId;

/// Where an item was declared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

/// The whole API as the spec describes it.
#[derive(Debug, Clone)]
pub struct Api {
    /// Every named type: the shared ones first, then each group's, in spec order.
    pub types: Vec<TypeDef>,
    /// The groups in name order.
    pub groups: Vec<Group>,
    /// The credential kinds, in `credentials.yaml` order.
    pub credentials: Vec<Credential>,
    /// The kind endpoints carry when they name none.
    pub default_credential: CredId,
    /// The official error-code table, by ascending code.
    pub errcodes: Vec<ErrorCode>,
    /// The shapes of callback documents, in `shared.yaml` order.
    pub callback_shapes: Vec<CallbackShape>,
}

/// An index into [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// An index into [`Api::credentials`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CredId(pub usize);

impl Api {
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    pub fn credential(&self, id: CredId) -> &Credential {
        &self.credentials[id.0]
    }

    /// The shared types, in spec order.
    pub fn shared_types(&self) -> impl Iterator<Item = (TypeId, &TypeDef)> {
        self.types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.module == Module::Shared)
            .map(|(i, t)| (TypeId(i), t))
    }

    /// How many endpoints the spec has.
    pub fn endpoint_count(&self) -> usize {
        self.groups.iter().map(|g| g.endpoints.len()).sum()
    }
}

/// One row of the official global error-code table.
#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub code: i64,
    pub meaning: String,
    pub hint: String,
    pub class: ErrorClass,
    /// The constant's name, for the codes the table names.
    pub name: Option<String>,
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
    pub const ALL: &[(&str, ErrorClass)] = &[
        ("retryable", ErrorClass::Retryable),
        ("token", ErrorClass::Token),
        ("configuration", ErrorClass::Configuration),
        ("rate_limit", ErrorClass::RateLimit),
        ("permission", ErrorClass::Permission),
        ("invalid_argument", ErrorClass::InvalidArgument),
        ("other", ErrorClass::Other),
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().find(|(name, _)| *name == text).map(|(_, c)| *c)
    }

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("other", |(n, _)| n)
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

// ---------------------------------------------------------------------------------------------
// Credentials.

/// One kind of token, as `credentials.yaml` describes it.
#[derive(Debug, Clone)]
pub struct Credential {
    /// snake_case, as endpoints name it in `auth:` (`access_token`).
    pub name: String,
    /// The Rust variant of `wecom_sdk::Credential` (`AccessToken`).
    pub variant: String,
    pub summary: String,
    /// The query parameter calls carry it in; `None` for tickets handed to pages.
    pub param: Option<String>,
    pub fetch: Fetch,
    /// What the client fills the fetch's parameters with.
    pub inputs: Vec<Input>,
    /// Fixed values of the fetch's parameters.
    pub fixed: Vec<(String, String, Placement)>,
    /// The answer's field holding the token, and the one holding its lifetime.
    pub token_field: String,
    pub expires_field: String,
    pub cache: String,
    pub missing: i64,
    pub invalid: i64,
    pub expired: i64,
    /// For a kind with no inputs of its own: the kind whose configuration it lives under (the
    /// credential its fetch carries).
    pub derived_from: Option<CredId>,
    pub span: Span,
}

/// The endpoint that fetches a credential.
#[derive(Debug, Clone)]
pub struct Fetch {
    /// `group.method`.
    pub id: String,
    pub group: String,
    pub method: Method,
    pub path: String,
    pub doc: String,
    pub auth: Option<CredId>,
    pub body: BodyKind,
}

#[derive(Debug, Clone)]
pub struct Input {
    /// The fetch parameter it fills.
    pub param: String,
    pub placement: Placement,
    pub slot: Slot,
    pub flag: String,
    pub env: String,
    pub help: String,
    pub missing: Option<i64>,
    pub refused: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Id,
    Secret,
    /// A value WeCom pushes to the app (the suite ticket), set on the client later.
    Ticket,
}

impl Slot {
    pub fn variant(self) -> &'static str {
        match self {
            Slot::Id => "Id",
            Slot::Secret => "Secret",
            Slot::Ticket => "Ticket",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Groups and types.

#[derive(Debug, Clone)]
pub struct Group {
    /// snake_case: module, feature and folder name.
    pub name: String,
    pub title: String,
    pub summary: String,
    pub doc: String,
    /// Compiled without a feature because the runtime itself calls it.
    pub core: bool,
    /// `spec/<name>/`, for the `@generated` header.
    pub source: String,
    /// The group's own named types, in spec order.
    pub types: Vec<TypeId>,
    pub endpoints: Vec<Endpoint>,
    /// The callback events of the group's area, in spec order.
    pub events: Vec<Event>,
    pub span: Span,
}

/// A callback event WeCom pushes.
#[derive(Debug, Clone)]
pub struct Event {
    /// snake_case, unique in the crate: `create_user`.
    pub name: String,
    /// The struct: `CreateUserEvent`.
    pub rust: String,
    /// The variant of `callback::Event`: `CreateUser`.
    pub variant: String,
    pub title: String,
    pub doc: String,
    /// The name of its callback shape (`app`, `suite`).
    pub shape: String,
    /// The wire keys and values that identify it.
    pub when: Vec<(String, String)>,
    pub description: Option<String>,
    /// Its elements beyond the shape's header and the `when` keys.
    pub fields: Vec<Field>,
    pub example: Option<Example>,
    pub span: Span,
}

/// A shape of callback documents: the header elements its events carry.
#[derive(Debug, Clone)]
pub struct CallbackShape {
    pub name: String,
    pub description: String,
    pub doc: String,
    pub header: Vec<Field>,
}

/// Where a named type lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Module {
    Shared,
    Group(String),
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The name the spec uses.
    pub name: String,
    /// The public Rust name, unique across the crate.
    pub rust: String,
    pub module: Module,
    pub description: String,
    pub kind: TypeKind,
    /// Rules across an object's fields.
    pub constraints: Vec<Constraint>,
    pub usage: Usage,
    pub span: Span,
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
    /// snake_case name as written.
    pub name: String,
    /// SCREAMING_SNAKE constant name.
    pub constant: String,
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
    /// Wire names of payload fields required for this variant.
    pub requires: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    pub id: TypeId,
    /// The Rust name of the type (copied from its definition for the emitters' convenience).
    pub rust: String,
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
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "i32" => IntKind::I32,
            "i64" => IntKind::I64,
            "u8" => IntKind::U8,
            "u16" => IntKind::U16,
            "u32" => IntKind::U32,
            "u64" => IntKind::U64,
            _ => return None,
        })
    }

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

    pub fn unsigned(self) -> bool {
        matches!(self, IntKind::U8 | IntKind::U16 | IntKind::U32 | IntKind::U64)
    }

    /// The values the Rust type can hold.
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
    /// `Vec<T>` in Rust, `"a,b"` on the wire (callback documents).
    Commas(Box<Ty>),
    Json,
    /// A multipart file part: `crate::Upload`.
    File,
    Named(TypeRef),
}

impl Ty {
    /// The type limits on elements apply to: the element of a list or piped list, else itself.
    pub fn element(&self) -> &Ty {
        match self {
            Ty::List(inner) | Ty::Piped(inner) | Ty::Commas(inner) => inner.element(),
            other => other,
        }
    }

    pub fn is_list(&self) -> bool {
        matches!(self, Ty::List(_) | Ty::Piped(_) | Ty::Commas(_))
    }

    pub fn is_collection(&self) -> bool {
        matches!(self, Ty::List(_) | Ty::Piped(_) | Ty::Commas(_) | Ty::Map(_))
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

    /// The spec's spelling, for docs.
    pub fn spelling(&self, api: &Api) -> String {
        match self {
            Ty::String => "string".into(),
            Ty::Int(k) => k.rust().into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Flag => "flag".into(),
            Ty::List(inner) => format!("list<{}>", inner.spelling(api)),
            Ty::Map(inner) => format!("map<{}>", inner.spelling(api)),
            Ty::Piped(inner) => format!("piped<{}>", inner.spelling(api)),
            Ty::Commas(inner) => format!("commas<{}>", inner.spelling(api)),
            Ty::Json => "json".into(),
            Ty::File => "file".into(),
            Ty::Named(r) => api.ty(r.id).rust.clone(),
        }
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
    /// Whether the spec says where it travels (else the endpoint's body kind decides).
    pub placement_written: bool,
    /// A number that travels as a JSON string.
    pub as_string: bool,
    pub secret: bool,
    pub flatten: bool,
    /// What replaces a name the current docs no longer list.
    pub deprecated: Option<String>,
    /// A deprecated request parameter that may be sent in place of this required one: its wire
    /// name, and where `instead_of` says so (checked by the endpoint's lowering).
    pub instead_of: Option<(String, Span)>,
    /// The deprecated parameters that may stand in for this one, which the constructor still
    /// takes (it is optional on the wire: exactly one of it and them is given).
    pub alternates: Vec<String>,
    /// The field had problems, reported already; checks that look at it again skip it.
    pub poisoned: bool,
    pub span: Span,
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

    /// These limits, with each kind `over` states replaced by `over`'s.
    pub fn overridden_by(&self, over: &Limits) -> Limits {
        Limits {
            length: over.length.or(self.length),
            items: over.items.or(self.items),
            range: over.range.or(self.range),
            size: over.size.or(self.size),
            values: if over.values.is_empty() {
                self.values.clone()
            } else {
                over.values.clone()
            },
            pattern: over.pattern.clone().or_else(|| self.pattern.clone()),
        }
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
pub enum BodyKind {
    None,
    Json,
    Multipart,
}

#[derive(Debug, Clone)]
pub enum Constraint {
    AtLeastOneOf(Vec<String>),
    AtMostOneOf(Vec<String>),
    /// Each of these is given.
    Requires(Vec<String>),
    /// `then` holds when `field` has one of `values`.
    When {
        field: String,
        values: Vec<ConstraintValue>,
        then: Box<Constraint>,
    },
    /// `then` holds when `field` is given.
    IfGiven {
        field: String,
        then: Box<Constraint>,
    },
}

impl Constraint {
    /// The rule in words, lower-case, with field names in backticks: "at least one of `a`, `b`
    /// is given", "when `card_type` is `news_notice`: `card_action` is given".
    pub fn sentence(&self) -> String {
        let list = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Constraint::AtLeastOneOf(names) => format!("at least one of {} is given", list(names)),
            Constraint::AtMostOneOf(names) => format!("at most one of {} is given", list(names)),
            Constraint::Requires(names) if names.len() == 1 => format!("{} is given", list(names)),
            Constraint::Requires(names) => format!("{} are given", list(names)),
            Constraint::When { field, values, then } => {
                let values = values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                format!("when `{field}` is {values}, {}", then.sentence())
            }
            Constraint::IfGiven { field, then } => format!("when `{field}` is given, {}", then.sentence()),
        }
    }
}

/// A value a `when` compares a field with.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstraintValue {
    Int(i64),
    Str(String),
}

impl std::fmt::Display for ConstraintValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConstraintValue::Int(i) => write!(f, "{i}"),
            ConstraintValue::Str(s) => f.write_str(s),
        }
    }
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

/// A documented body and where it was written.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    /// snake_case method name.
    pub name: String,
    /// `group.method`: how errors and logs name the endpoint.
    pub id: String,
    /// The Rust names of its request and response types.
    pub request_type: String,
    pub response_type: String,
    pub summary: String,
    pub description: Option<String>,
    pub method: Method,
    pub path: String,
    pub doc: String,
    pub auth: Option<CredId>,
    pub body: BodyKind,
    /// Repeating it changes nothing (default: true for GET, false for POST).
    pub idempotent: bool,
    pub params: Vec<Field>,
    pub constraints: Vec<Constraint>,
    pub response: Response,
    pub pagination: Option<Pagination>,
    pub example_request: Option<Example>,
    /// Further documented requests: `(label, JSON)`.
    pub more_requests: Vec<(String, Example)>,
    pub example_response: Example,
    /// What replaces it, for an endpoint only an older revision of the docs lists.
    pub deprecated: Option<String>,
    pub notes: Option<String>,
    pub span: Span,
}

impl Group {
    pub fn api_type(&self) -> String {
        format!("{}Api", pascal(&self.name))
    }
}

pub fn pascal(snake: &str) -> String {
    heck::AsUpperCamelCase(snake).to_string()
}
