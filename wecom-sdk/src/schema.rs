//! What each endpoint takes, as data: its parameters with their kinds, places and documented
//! limits, the rules across them, and the shape of every type a request reaches. Generated from the
//! spec into each endpoint's [`EndpointMeta`](crate::EndpointMeta); the client validates requests
//! with it and splits them into query and body, and tools (the `wecom` CLI, the mock) read it to
//! describe and check parameters.

use std::fmt;

/// One parameter of an endpoint, or one field of an object a request carries: its wire name,
/// what it holds, whether it is required, where it travels and its documented limits.
#[derive(Clone, Copy)]
pub struct Param(
    pub(crate) &'static str,
    pub(crate) Kind,
    pub(crate) u8,
    pub(crate) Limits,
    pub(crate) Option<&'static str>,
);

/// Flag bits of a [`Param`], as generated code writes them.
pub(crate) const REQUIRED: u8 = 1;
pub(crate) const QUERY: u8 = 2;
pub(crate) const SECRET: u8 = 4;
pub(crate) const FLATTEN: u8 = 8;
pub(crate) const FILE: u8 = 16;

impl Param {
    /// The wire name.
    pub fn name(&self) -> &'static str {
        self.0
    }

    /// What it holds.
    pub fn kind(&self) -> &Kind {
        &self.1
    }

    /// Whether the docs mark it required.
    pub fn required(&self) -> bool {
        self.2 & REQUIRED != 0
    }

    /// Where it travels (fields of objects travel in the `Body` of their parameter).
    pub fn placement(&self) -> Placement {
        if self.2 & QUERY != 0 {
            Placement::Query
        } else if self.2 & FILE != 0 {
            Placement::File
        } else {
            Placement::Body
        }
    }

    /// A credential: never logged or quoted in errors.
    pub fn secret(&self) -> bool {
        self.2 & SECRET != 0
    }

    /// A union whose tag and payload sit beside the other parameters.
    pub fn flatten(&self) -> bool {
        self.2 & FLATTEN != 0
    }

    /// For a name only an earlier revision of the docs (or the reference client) uses: what
    /// replaces it.
    pub fn deprecated(&self) -> Option<&'static str> {
        self.4
    }

    /// The documented limits.
    pub fn limits(&self) -> &Limits {
        &self.3
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Param")
            .field("name", &self.name())
            .field("kind", self.kind())
            .field("required", &self.required())
            .field("placement", &self.placement())
            .finish_non_exhaustive()
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placement {
    /// In the URL query.
    Query,
    /// In the JSON body.
    Body,
    /// As a file part of a multipart body.
    File,
}

/// What a parameter or field holds.
#[derive(Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Kind {
    /// Text.
    String,
    /// An integer.
    Int,
    /// A floating-point number.
    Float,
    /// `true`/`false`.
    Bool,
    /// `1`/`0`, WeCom's usual boolean.
    Flag,
    /// Free-form JSON.
    Json,
    /// A file (multipart uploads).
    File,
    /// A list.
    List(&'static Kind),
    /// A list sent as one `|`-joined string.
    Piped(&'static Kind),
    /// An object with free keys.
    Map(&'static Kind),
    /// An object of the spec.
    Object(&'static Object),
    /// A tagged union of the spec.
    Union(&'static Union),
    /// An open integer enum of the spec.
    IntEnum(&'static Enum),
    /// An open string enum of the spec.
    StrEnum(&'static Enum),
}

impl Kind {
    /// A plain scalar (text, number, boolean, enum), as opposed to a list, an object or a file.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Kind::String
                | Kind::Int
                | Kind::Float
                | Kind::Bool
                | Kind::Flag
                | Kind::IntEnum(_)
                | Kind::StrEnum(_)
        )
    }

    /// A list, `|`-joined or not.
    pub fn is_list(&self) -> bool {
        matches!(self, Kind::List(_) | Kind::Piped(_))
    }

    /// The element kind of a list (itself otherwise).
    pub fn element(&self) -> &Kind {
        match self {
            Kind::List(inner) | Kind::Piped(inner) => inner.element(),
            other => other,
        }
    }
}

/// The spec's spelling: `string`, `list<u32>` (integers are `int`), `Member`.
impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::String => f.write_str("string"),
            Kind::Int => f.write_str("int"),
            Kind::Float => f.write_str("f64"),
            Kind::Bool => f.write_str("bool"),
            Kind::Flag => f.write_str("flag"),
            Kind::Json => f.write_str("json"),
            Kind::File => f.write_str("file"),
            Kind::List(inner) => write!(f, "list<{inner}>"),
            Kind::Piped(inner) => write!(f, "piped<{inner}>"),
            Kind::Map(inner) => write!(f, "map<{inner}>"),
            Kind::Object(o) => f.write_str(o.0),
            Kind::Union(u) => f.write_str(u.0),
            Kind::IntEnum(e) | Kind::StrEnum(e) => f.write_str(e.0),
        }
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An object type a request carries: its Rust name, its fields and the rules across them.
pub struct Object(
    pub(crate) &'static str,
    pub(crate) &'static [Param],
    pub(crate) &'static [Rule],
);

impl Object {
    /// Its Rust name.
    pub fn name(&self) -> &'static str {
        self.0
    }

    /// Its fields.
    pub fn fields(&self) -> &'static [Param] {
        self.1
    }

    /// Rules across its fields.
    pub fn rules(&self) -> &'static [Rule] {
        self.2
    }
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Object({})", self.0)
    }
}

/// A tagged union a request carries, `{"<tag>": "<variant>", "<variant>": {…}}`: its Rust
/// name, its tag and its variants.
pub struct Union(
    pub(crate) &'static str,
    pub(crate) &'static str,
    pub(crate) &'static [Variant],
);

impl Union {
    /// Its Rust name.
    pub fn name(&self) -> &'static str {
        self.0
    }

    /// The key holding the variant's name.
    pub fn tag(&self) -> &'static str {
        self.1
    }

    /// The variants.
    pub fn variants(&self) -> &'static [Variant] {
        self.2
    }
}

impl PartialEq for Union {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl fmt::Debug for Union {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Union({})", self.0)
    }
}

/// One variant of a [`Union`]: its name (the tag's value and the payload's key), its payload,
/// and the payload fields the docs require for it.
pub struct Variant(
    pub(crate) &'static str,
    pub(crate) &'static Object,
    pub(crate) &'static [&'static str],
);

impl Variant {
    /// The tag value and the payload's key.
    pub fn name(&self) -> &'static str {
        self.0
    }

    /// The payload.
    pub fn object(&self) -> &'static Object {
        self.1
    }

    /// Payload fields the docs require for this variant.
    pub fn requires(&self) -> &'static [&'static str] {
        self.2
    }
}

/// An open enum: its Rust name and the values the spec names (others are allowed too).
pub struct Enum(pub(crate) &'static str, pub(crate) &'static [(&'static str, Lit)]);

impl Enum {
    /// Its Rust name.
    pub fn name(&self) -> &'static str {
        self.0
    }

    /// `(snake_case name, value)` of each value the spec names.
    pub fn values(&self) -> &'static [(&'static str, Lit)] {
        self.1
    }
}

impl PartialEq for Enum {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl fmt::Debug for Enum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Enum({})", self.0)
    }
}

/// A literal value of a limit or an enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lit {
    /// An integer.
    Int(i64),
    /// A string.
    Str(&'static str),
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Int(i) => write!(f, "{i}"),
            Lit::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// A string's length bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Len {
    /// At least this long.
    pub min: Option<u64>,
    /// At most this long.
    pub max: Option<u64>,
    /// Counted in UTF-8 bytes (`true`) or characters.
    pub bytes: bool,
}

/// The documented limits of a value. On a list, all but `items` apply to each element.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Limits {
    /// Text length.
    pub length: Option<Len>,
    /// The number of items of a list or entries of a map.
    pub items: Option<(Option<u64>, Option<u64>)>,
    /// A number's inclusive range.
    pub range: Option<(Option<i64>, Option<i64>)>,
    /// A file's size in bytes.
    pub size: Option<(Option<u64>, Option<u64>)>,
    /// The allowed values.
    pub values: &'static [Lit],
    /// A regular expression text must match.
    pub pattern: Option<&'static str>,
}

impl Limits {
    /// No limit at all.
    pub const NONE: Limits = Limits {
        length: None,
        items: None,
        range: None,
        size: None,
        values: &[],
        pattern: None,
    };

    /// With a length in UTF-8 bytes (`bytes`) or characters.
    pub const fn length(mut self, min: Option<u64>, max: Option<u64>, bytes: bool) -> Self {
        self.length = Some(Len { min, max, bytes });
        self
    }

    /// With an item count.
    pub const fn items(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.items = Some((min, max));
        self
    }

    /// With a range.
    pub const fn range(mut self, min: Option<i64>, max: Option<i64>) -> Self {
        self.range = Some((min, max));
        self
    }

    /// With a file size in bytes.
    pub const fn size(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.size = Some((min, max));
        self
    }

    /// With allowed values.
    pub const fn values(mut self, values: &'static [Lit]) -> Self {
        self.values = values;
        self
    }

    /// With a pattern.
    pub const fn pattern(mut self, pattern: &'static str) -> Self {
        self.pattern = Some(pattern);
        self
    }

    /// Whether there is no limit.
    pub fn is_empty(&self) -> bool {
        *self == Limits::NONE
    }

    /// The limits in words: `length 1 to 64 bytes (UTF-8); matches ^[a-z]+$`.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(len) = self.length {
            let unit = if len.bytes { "bytes (UTF-8)" } else { "characters" };
            out.push(format!("length {} {unit}", bounds(len.min, len.max)));
        }
        if let Some((min, max)) = self.items {
            let noun = if min.max(max) == Some(1) { "item" } else { "items" };
            out.push(format!("{} {noun}", bounds(min, max)));
        }
        if let Some((min, max)) = self.range {
            out.push(format!("value {}", bounds(min, max)));
        }
        if let Some((min, max)) = self.size {
            out.push(format!("size {} bytes", bounds(min, max)));
        }
        if !self.values.is_empty() {
            let values: Vec<String> = self.values.iter().map(ToString::to_string).collect();
            out.push(format!("one of {}", values.join(", ")));
        }
        if let Some(pattern) = self.pattern {
            out.push(format!("matches `{pattern}`"));
        }
        out
    }
}

/// `1 to 64`, `at most 3`, …
pub(crate) fn bounds<T: fmt::Display + PartialEq>(min: Option<T>, max: Option<T>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) if lo == hi => format!("exactly {lo}"),
        (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
        (Some(lo), None) => format!("at least {lo}"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => "anything".to_string(),
    }
}

/// A rule across parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Not all of these may be empty or absent.
    AtLeastOne(&'static [&'static str]),
    /// No two of these may be present together.
    AtMostOne(&'static [&'static str]),
    /// Each of these is given (under a condition: the fields a case makes mandatory).
    Requires(&'static [&'static str]),
    /// The rule holds when the field has one of the values: `card_type` is `news_notice`.
    When(&'static str, &'static [Lit], &'static Rule),
    /// The rule holds when the field is given.
    IfGiven(&'static str, &'static Rule),
}

impl Lit {
    /// Whether a JSON value is this literal (an integer also as its decimal text, as WeCom
    /// accepts both).
    pub fn matches(&self, value: &serde_json::Value) -> bool {
        match (self, value) {
            (Lit::Int(i), serde_json::Value::Number(n)) => n.as_i64() == Some(*i),
            (Lit::Int(i), serde_json::Value::String(s)) => s.parse::<i64>().ok() == Some(*i),
            (Lit::Str(s), serde_json::Value::String(v)) => s == v,
            _ => false,
        }
    }
}

/// A deprecated name found in a request given as JSON: where it is (`schedule.organizer`) and
/// what replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deprecation {
    /// The path of the name in the request: `calendar.organizer`, `articles[0].show_cover_pic`.
    pub path: String,
    /// What the spec says replaces it.
    pub note: &'static str,
}

/// Every deprecated name `value` uses, walking it alongside `params` (into objects, lists and
/// union payloads), in the order they appear. A key the table does not know is not reported:
/// the typed decode refuses those.
pub fn deprecations(params: &'static [Param], value: &serde_json::Value) -> Vec<Deprecation> {
    let mut found = Vec::new();
    walk_object(params, None, value, "", &mut found);
    found
}

fn walk_object(
    params: &'static [Param],
    union: Option<&'static Union>,
    value: &serde_json::Value,
    at: &str,
    found: &mut Vec<Deprecation>,
) {
    let Some(map) = value.as_object() else {
        return;
    };
    let here = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        }
    };
    let unions = union
        .into_iter()
        .chain(params.iter().filter_map(|p| match (p.flatten(), p.kind()) {
            (true, Kind::Union(u)) => Some(*u),
            _ => None,
        }));
    let unions: Vec<&'static Union> = unions.collect();
    for (key, item) in map {
        if let Some(param) = params.iter().find(|p| p.name() == key && !p.flatten()) {
            if let Some(note) = param.deprecated() {
                found.push(Deprecation {
                    path: here(key),
                    note,
                });
            }
            walk_kind(param.kind(), item, &here(key), found);
        } else if let Some(variant) = unions
            .iter()
            .find_map(|u| u.variants().iter().find(|v| v.name() == key))
        {
            walk_object(variant.object().fields(), None, item, &here(key), found);
        }
    }
}

fn walk_kind(kind: &Kind, value: &serde_json::Value, at: &str, found: &mut Vec<Deprecation>) {
    match kind {
        Kind::Object(object) => walk_object(object.fields(), None, value, at, found),
        Kind::Union(union) => walk_object(&[], Some(union), value, at, found),
        Kind::List(inner) | Kind::Piped(inner) => {
            for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                walk_kind(inner, item, &format!("{at}[{i}]"), found);
            }
        }
        Kind::Map(inner) => {
            for (key, item) in value.as_object().into_iter().flatten() {
                walk_kind(inner, item, &format!("{at}.{key}"), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static ARTICLE: Object = Object(
        "Article",
        &[
            Param("title", Kind::String, 0, Limits::NONE, None),
            Param(
                "show_cover_pic",
                Kind::Flag,
                0,
                Limits::NONE,
                Some("not documented"),
            ),
        ],
        &[],
    );
    static NEWS: Object = Object(
        "News",
        &[Param(
            "articles",
            Kind::List(&Kind::Object(&ARTICLE)),
            0,
            Limits::NONE,
            None,
        )],
        &[],
    );
    static MESSAGE: Union = Union("Message", "msgtype", &[Variant("mpnews", &NEWS, &[])]);
    static PARAMS: [Param; 3] = [
        Param("cursor", Kind::Int, 0, Limits::NONE, Some("use new_cursor")),
        Param("new_cursor", Kind::String, 0, Limits::NONE, None),
        Param("content", Kind::Union(&MESSAGE), FLATTEN, Limits::NONE, None),
    ];

    #[test]
    fn finds_deprecated_names_at_every_depth() {
        let request = json!({
            "cursor": 0,
            "new_cursor": "",
            "msgtype": "mpnews",
            "mpnews": {"articles": [{"title": "a"}, {"title": "b", "show_cover_pic": 1}]},
            "unknown": {"cursor": 1},
        });
        let found = deprecations(&PARAMS, &request);
        let paths: Vec<(&str, &str)> = found.iter().map(|d| (d.path.as_str(), d.note)).collect();
        assert_eq!(
            paths,
            [
                ("cursor", "use new_cursor"),
                ("mpnews.articles[1].show_cover_pic", "not documented")
            ]
        );
    }

    #[test]
    fn a_request_without_deprecated_names_has_none() {
        let request = json!({"new_cursor": "x", "msgtype": "mpnews", "mpnews": {"articles": []}});
        assert!(deprecations(&PARAMS, &request).is_empty());
    }
}
