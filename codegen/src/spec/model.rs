//! The spec files as written: serde structs with the source location of every value a later
//! check may point at. Nothing here judges meaning; `ir` does. The same structs give the JSON
//! Schema editors check the files with (`schema.rs`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

/// A value and where it was written.
#[derive(Debug, Clone)]
pub struct Loc<T> {
    pub value: T,
    pub at: serde_saphyr::Location,
}

impl<T> Loc<T> {
    /// A value with no place in a file (defaults, synthesized entries).
    pub fn nowhere(value: T) -> Self {
        Loc {
            value,
            at: serde_saphyr::Location::UNKNOWN,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Loc<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Loc {
            value: spanned.value,
            at: spanned.referenced,
        })
    }
}

impl<T: JsonSchema> JsonSchema for Loc<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
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

impl<T> Entries<T> {
    pub fn iter(&self) -> impl Iterator<Item = (&Loc<String>, &T)> {
        self.0.iter().map(|(k, v)| (k, v))
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

/// The JSON Schema of a map whose keys follow `pattern`.
fn keyed<T: JsonSchema>(generator: &mut SchemaGenerator, pattern: &str, what: &str) -> Schema {
    let values = generator.subschema_for::<T>();
    json_schema!({
        "type": "object",
        "description": what,
        "propertyNames": { "pattern": pattern },
        "additionalProperties": values,
    })
}

macro_rules! keyed_entries {
    ($name:ident, $pattern:literal, $what:literal) => {
        /// A mapping whose keys follow a naming rule.
        #[derive(Debug)]
        pub struct $name<T>(pub Entries<T>);

        impl<T> Default for $name<T> {
            fn default() -> Self {
                $name(Entries::default())
            }
        }

        impl<'de, T: Deserialize<'de>> Deserialize<'de> for $name<T> {
            fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Entries::deserialize(deserializer).map($name)
            }
        }

        impl<T: JsonSchema> JsonSchema for $name<T> {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                keyed::<T>(generator, $pattern, $what)
            }
        }

        impl<T> std::ops::Deref for $name<T> {
            type Target = Entries<T>;
            fn deref(&self) -> &Entries<T> {
                &self.0
            }
        }
    };
}

keyed_entries!(
    TypeNames,
    "^[A-Z][A-Za-z0-9]*$",
    "named types, keyed by PascalCase name"
);
keyed_entries!(
    MethodNames,
    "^[a-z][a-z0-9_]*$",
    "endpoints, keyed by the snake_case Rust method name"
);
keyed_entries!(WireNames, "^.+$", "fields, keyed by wire name");
keyed_entries!(Labels, "^[a-z][a-z0-9_]*$", "entries, keyed by snake_case name");

// ---------------------------------------------------------------------------------------------
// Files.

/// `spec/<group>/*.yaml`: one file of a group. Exactly one file of the group carries the header
/// (`title`, `summary`, `doc`).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "wecom-rs spec: a file of an API group")]
pub struct GroupFile {
    /// The section title of the official docs, e.g. 标签管理.
    pub title: Option<Loc<String>>,
    /// One sentence for the module docs.
    pub summary: Option<Loc<String>>,
    /// The number of the section's official page: `https://developer.work.weixin.qq.com/document/path/NNNNN`.
    pub doc: Option<Loc<u64>>,
    /// Values every endpoint of the group takes unless it says otherwise.
    pub defaults: Option<Loc<Defaults>>,
    /// `true` for a group the runtime itself needs: compiled without a feature.
    pub core: Option<Loc<bool>>,
    /// Named object, enum and union types of the group.
    #[serde(default)]
    pub types: TypeNames<TypeDef>,
    /// Named scalar types with their limits.
    #[serde(default)]
    pub scalars: TypeNames<Loc<FieldEntry>>,
    /// Named parameters, used as `$name`.
    #[serde(default)]
    pub params: WireNames<Loc<FieldEntry>>,
    /// The endpoints, keyed by Rust method name.
    #[serde(default)]
    pub endpoints: MethodNames<Endpoint>,
    /// The callback events WeCom pushes for this group's area, keyed by snake_case name.
    #[serde(default)]
    pub events: Labels<Loc<EventDef>>,
}

/// A callback event: what WeCom POSTs (encrypted) to an app's or a suite's URL.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// The official heading (新增成员事件).
    pub title: Option<Loc<String>>,
    /// The number of the official page that defines it.
    pub doc: Option<Loc<u64>>,
    /// A callback shape of `shared.yaml` (`app`, the default, or `suite`).
    pub shape: Option<Loc<String>>,
    /// The wire keys and values that identify it: `{ MsgType: event, Event: change_contact }`.
    pub when: Option<Loc<WireNames<Loc<Scalar>>>>,
    /// When it is sent and to whom, as the page says.
    pub description: Option<Loc<String>>,
    /// Every element beyond the shape's header and the `when` keys, by wire name.
    #[serde(default)]
    pub fields: WireNames<Loc<FieldEntry>>,
    /// The documented example (the decrypted XML or JSON document), verbatim.
    pub example: Option<Loc<String>>,
}

/// A shape of callback documents: the header elements every event of the shape carries.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackShape {
    pub description: Option<Loc<String>>,
    /// The number of the official page that describes the shape.
    pub doc: Option<Loc<u64>>,
    /// The header elements, by wire name.
    #[serde(default)]
    pub header: WireNames<Loc<FieldEntry>>,
}

/// `spec/shared.yaml`: what every group may use.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "wecom-rs spec: the shared types, scalars and parameters")]
pub struct SharedFile {
    /// What the shared module holds.
    pub summary: Option<Loc<String>>,
    #[serde(default)]
    pub types: TypeNames<TypeDef>,
    #[serde(default)]
    pub scalars: TypeNames<Loc<FieldEntry>>,
    #[serde(default)]
    pub params: WireNames<Loc<FieldEntry>>,
    /// The shapes of callback documents (`app`, `suite`), keyed by snake_case name.
    #[serde(default)]
    pub callbacks: Labels<Loc<CallbackShape>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// The credential endpoints carry: a kind of credentials.yaml, or `none`.
    pub auth: Option<Loc<String>>,
    /// `json`, `multipart` or `none`.
    pub body: Option<Loc<String>>,
}

// ---------------------------------------------------------------------------------------------
// Types.

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    pub description: Option<Loc<String>>,
    /// The public Rust name when the spec name is taken by another group's type.
    pub rust_name: Option<Loc<String>>,
    /// An object: its fields by wire name.
    pub fields: Option<Loc<WireNames<Loc<FieldEntry>>>>,
    /// An open enum: integer or string values.
    #[serde(rename = "enum")]
    pub enumeration: Option<Loc<Vec<EnumValue>>>,
    /// The integer type of an integer enum (default i32).
    pub repr: Option<Loc<String>>,
    /// A tagged union.
    pub union: Option<Loc<Union>>,
    /// Rules across an object's fields (see an endpoint's `constraints`).
    #[serde(default)]
    pub constraints: Vec<Loc<Constraint>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: Loc<Scalar>,
    /// snake_case; the constant is its SCREAMING_SNAKE form.
    pub name: Loc<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Union {
    /// The key holding the variant's name, e.g. msgtype.
    pub tag: Loc<String>,
    pub variants: Labels<Variant>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The payload's object type.
    #[serde(rename = "type")]
    pub ty: Loc<String>,
    pub description: Option<String>,
    /// Payload fields the docs make mandatory for this variant only.
    #[serde(default)]
    pub requires: Vec<Loc<String>>,
}

// ---------------------------------------------------------------------------------------------
// Fields.

/// A field as written: a mapping, or `$name` for a named parameter as it is.
#[derive(Debug)]
pub enum FieldEntry {
    Named(Loc<String>),
    Full(Box<Field>),
}

impl<'de> Deserialize<'de> for FieldEntry {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = FieldEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field mapping, or `$name` for a named parameter")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<FieldEntry, E> {
                match text.strip_prefix('$') {
                    Some(name) if !name.is_empty() => Ok(FieldEntry::Named(Loc::nowhere(name.to_string()))),
                    _ => Err(E::custom(format!(
                        "`{text}`: a field is a mapping such as {{ type: string }}, or `$name` for a named parameter"
                    ))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FieldEntry, A::Error> {
                Field::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|f| FieldEntry::Full(Box::new(f)))
            }
        }
        deserializer.deserialize_any(EntryVisitor)
    }
}

impl JsonSchema for FieldEntry {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("FieldEntry")
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let field = generator.subschema_for::<Field>();
        json_schema!({
            "description": "A field: a mapping, or `$name` for a named parameter as it is declared.",
            "anyOf": [
                { "type": "string", "pattern": "^\\$[A-Za-z_][A-Za-z0-9_]*$" },
                field,
            ]
        })
    }
}

const BOUND: &str =
    "^(-?[0-9]+ to -?[0-9]+|at most -?[0-9]+|at least -?[0-9]+|exactly -?[0-9]+)( (bytes|chars))?$";

/// A limit written in words: `1 to 64 bytes`, `at most 1000`.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Bound(pub String);

impl JsonSchema for Bound {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Bound")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "`N to M`, `at most M`, `at least N` or `exactly N`; lengths end in `bytes` or `chars`",
            "pattern": BOUND,
        })
    }
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// A type: `string`, `bool`, `flag`, `json`, `file`, `i32`, `i64`, `u8`, `u16`, `u32`, `u64`, `f64`, `list<T>`, `map<T>`, `piped<T>`, or a named type or scalar.
    #[serde(rename = "type")]
    pub ty: Option<Loc<String>>,
    /// Start from this named parameter; the keys given here replace its own.
    #[serde(rename = "use")]
    pub uses: Option<Loc<String>>,
    /// `true` when the docs mark it 必须.
    pub required: Option<Loc<bool>>,
    /// The official description.
    pub description: Option<String>,
    /// The default the server applies (documentation only).
    pub default: Option<Loc<Scalar>>,
    /// Strings: `1 to 64 bytes`, `at most 32 chars`.
    pub length: Option<Loc<Bound>>,
    /// Lists and maps: the number of entries.
    pub items: Option<Loc<Bound>>,
    /// Numbers: `0 to 100`.
    pub range: Option<Loc<Bound>>,
    /// Files: `at most 2097152 bytes`.
    pub size: Option<Loc<Bound>>,
    /// The allowed values.
    pub values: Option<Loc<Vec<Scalar>>>,
    /// Strings: a regular expression.
    pub pattern: Option<Loc<String>>,
    /// Requests: `query` or `body`.
    #[serde(rename = "in")]
    pub placement: Option<Loc<String>>,
    /// `string`: a number that travels as a JSON string.
    pub wire: Option<Loc<String>>,
    /// A credential: redacted from Debug and logs.
    pub secret: Option<Loc<bool>>,
    /// The Rust field name when the wire name is not one.
    pub rust_name: Option<Loc<String>>,
    /// Why the docs leave a `json` field free-form.
    pub json_reason: Option<String>,
    /// A union parameter whose tag and payload sit beside the other parameters.
    pub flatten: Option<Loc<bool>>,
    /// A name only an older revision of the docs or the reference client uses: what replaces it.
    pub deprecated: Option<Loc<String>>,
    /// With `deprecated`, on a request parameter: the required parameter this older name may be
    /// sent in place of. Exactly one of the two is then required; the Rust constructor still
    /// takes the current one.
    pub instead_of: Option<Loc<String>>,
}

/// A YAML scalar whose type the field decides later (enum values, defaults, allowed values).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
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

// ---------------------------------------------------------------------------------------------
// Endpoints.

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// `官方标题 — what it does`, one line.
    pub summary: Option<Loc<String>>,
    /// Longer Markdown: permissions, caveats.
    pub description: Option<String>,
    /// GET or POST.
    pub method: Option<Loc<String>>,
    /// The full path, starting /cgi-bin/.
    pub path: Option<Loc<String>>,
    /// The number of the official page.
    pub doc: Option<Loc<u64>>,
    /// The credential: a kind of credentials.yaml, or `none`.
    pub auth: Option<Loc<String>>,
    /// `json`, `multipart` or `none`.
    pub body: Option<Loc<String>>,
    /// Whether repeating the call changes nothing more.
    pub idempotent: Option<Loc<bool>>,
    #[serde(default)]
    pub request: WireNames<Loc<FieldEntry>>,
    #[serde(default)]
    pub constraints: Vec<Loc<Constraint>>,
    /// Fields; or the name of an object type; or `binary`.
    pub response: Option<Loc<ResponseEntry>>,
    pub pagination: Option<Loc<Pagination>>,
    pub example: Option<Loc<Example>>,
    /// What replaces an endpoint the current docs no longer list (an older path that the server,
    /// and wechatpy, still use): `use oauth.get_user_info`.
    pub deprecated: Option<Loc<String>>,
    /// Differences from wechatpy, quirks, where a name comes from.
    pub notes: Option<String>,
}

/// `response:` as written.
#[derive(Debug)]
pub enum ResponseEntry {
    /// A type name, or `binary`.
    Named(String),
    Fields(WireNames<Loc<FieldEntry>>),
}

impl<'de> Deserialize<'de> for ResponseEntry {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ResponseVisitor;
        impl<'de> Visitor<'de> for ResponseVisitor {
            type Value = ResponseEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field mapping, an object type's name, or `binary`")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<ResponseEntry, E> {
                Ok(ResponseEntry::Named(text.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ResponseEntry, A::Error> {
                WireNames::deserialize(de::value::MapAccessDeserializer::new(map)).map(ResponseEntry::Fields)
            }
        }
        deserializer.deserialize_any(ResponseVisitor)
    }
}

impl JsonSchema for ResponseEntry {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("Response")
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let fields = generator.subschema_for::<WireNames<Loc<FieldEntry>>>();
        json_schema!({
            "description": "The answer's fields; or the name of an object type; or `binary` for a file.",
            "anyOf": [{ "type": "string", "pattern": "^([A-Z][A-Za-z0-9]*|binary)$" }, fields]
        })
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Cursor paging: the request parameter carrying the position.
    pub cursor: Option<Loc<String>>,
    /// Cursor paging: the response field with the next position.
    pub next: Option<Loc<String>>,
    /// Cursor paging: a response flag that ends the walk.
    pub last: Option<Loc<String>>,
    /// Offset paging: the request parameter with the index of the first item.
    pub offset: Option<Loc<String>>,
    /// Offset paging: the page-size parameter.
    pub limit: Option<Loc<String>>,
    /// The response list the stream yields.
    pub items: Option<Loc<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The documented request: one JSON object of every parameter.
    pub request: Option<Loc<String>>,
    /// The documented response body.
    pub response: Option<Loc<String>>,
    /// Further documented requests by label.
    #[serde(default)]
    pub more_requests: Labels<Loc<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Constraint {
    /// Not all of these may be empty or absent.
    pub at_least_one_of: Option<Vec<Loc<String>>>,
    /// No two of these may be present together.
    pub at_most_one_of: Option<Vec<Loc<String>>>,
    /// Each of these must be given (with `when` or `if_given`: the fields a case makes mandatory).
    pub requires: Option<Vec<Loc<String>>>,
    /// The rule holds only when this field has one of these values: `{ card_type: news_notice }`.
    pub when: Option<Loc<BTreeMap<String, OneOrMany>>>,
    /// The rule holds only when this field is given: `if_given: action_menu`.
    pub if_given: Option<Loc<String>>,
}

/// One value, or a list of them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    One(Scalar),
    Many(Vec<Scalar>),
}

impl OneOrMany {
    pub fn values(&self) -> &[Scalar] {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v),
            OneOrMany::Many(v) => v,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Credentials and error codes.

/// `spec/credentials.yaml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "wecom-rs spec: the credential kinds")]
pub struct CredentialsFile {
    pub credentials: Labels<Loc<CredentialDef>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialDef {
    /// What the credential is, one sentence.
    pub summary: Option<Loc<String>>,
    /// The kind endpoints carry when they name none.
    pub default: Option<Loc<bool>>,
    /// The query parameter a call carries it in; absent for tickets handed to pages.
    pub param: Option<Loc<String>>,
    /// The endpoint that fetches it: `group.method`.
    pub fetch: Option<Loc<String>>,
    /// What the client fills the fetch's parameters with, by parameter.
    #[serde(default)]
    pub inputs: WireNames<Loc<CredentialInput>>,
    /// Fixed values of the fetch's parameters.
    #[serde(default)]
    pub with: WireNames<Loc<String>>,
    /// The answer's field holding the token.
    pub token: Option<Loc<String>>,
    /// The answer's field holding its lifetime in seconds.
    pub expires_in: Option<Loc<String>>,
    /// The prefix of its key in a token store.
    pub cache: Option<Loc<String>>,
    /// errcode: the call carried none.
    pub missing: Option<Loc<i64>>,
    /// errcode: the call carried one WeCom does not know.
    pub invalid: Option<Loc<i64>>,
    /// errcode: the call carried one that expired.
    pub expired: Option<Loc<i64>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialInput {
    /// `id`, `secret` or `ticket` (a value WeCom pushes to the app, set on the client later).
    pub slot: Loc<String>,
    /// The CLI flag, without `--`.
    pub flag: Loc<String>,
    /// The environment variable the CLI reads.
    pub env: Loc<String>,
    /// One line for the CLI's help.
    pub help: Loc<String>,
    /// errcode WeCom answers when the value is missing.
    pub missing: Option<Loc<i64>>,
    /// errcode WeCom answers when the value is wrong.
    pub refused: Option<Loc<i64>>,
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
    /// A name callers match on (`USER_NOT_FOUND`), SCREAMING_SNAKE_CASE: it becomes the
    /// constant `ErrorCode::USER_NOT_FOUND`. Given to the codes callers commonly handle.
    pub name: Option<Loc<String>>,
}
