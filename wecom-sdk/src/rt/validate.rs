//! Request validation, interpreted from the spec's tables: a request is serialized into a
//! [`Serializer`](serde::Serializer) that walks the endpoint's [`Param`]s alongside, checking each value against its
//! documented limits as it goes by. Nothing is allocated unless a limit is broken. The same walk
//! serves the typed SDK, the mock (which checks what it receives) and the CLI.

use std::collections::HashMap;
use std::fmt::{self, Display};
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::Serialize;
use serde::ser::{self, Impossible};

use super::check::{self, Violation};
use crate::schema::{Kind, Limits, Lit, Param, Rule, Union};

/// Checks `value` (a request, or any value serialized the same way) against `params` and `rules`.
pub fn check<T: Serialize + ?Sized>(
    value: &T,
    params: &'static [Param],
    rules: &'static [Rule],
) -> Result<(), Violation> {
    let object = ObjectCheck::new(params, rules, &[], Path::Root);
    match value.serialize(Walker::Object(object)) {
        Ok(_) => Ok(()),
        Err(Invalid::Limit(v)) => Err(v),
        // A value that does not serialize is the encoder's problem, reported when it encodes.
        Err(Invalid::Other(_)) => Ok(()),
    }
}

/// Where a value is, rendered only when a limit is broken: `articles[2].title`.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'static str),
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, &'a str),
}

impl Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Field(parent, name) => {
                if matches!(parent, Path::Root) {
                    f.write_str(name)
                } else {
                    write!(f, "{parent}.{name}")
                }
            }
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
        }
    }
}

/// Why a walk stopped.
#[derive(Debug)]
enum Invalid {
    Limit(Violation),
    Other(String),
}

impl Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Invalid::Limit(v) => Display::fmt(v, f),
            Invalid::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Invalid {}

impl ser::Error for Invalid {
    fn custom<T: Display>(msg: T) -> Self {
        Invalid::Other(msg.to_string())
    }
}

/// A limit check's failure, placed at `path`.
fn at(path: &Path<'_>, result: check::Checked) -> Result<(), Invalid> {
    result.map_err(|mut v| {
        let here = path.to_string();
        v.field = if v.field.is_empty() {
            here
        } else if here.is_empty() {
            v.field
        } else {
            format!("{here}.{}", v.field)
        };
        Invalid::Limit(v)
    })
}

/// The compiled form of one of the spec's patterns. Each distinct pattern is compiled once and
/// kept for the life of the process: they are a fixed, small set (the spec's own).
fn regex(pattern: &'static str) -> Option<&'static regex_lite::Regex> {
    type Cache = HashMap<&'static str, Option<&'static regex_lite::Regex>>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    *cache.entry(pattern).or_insert_with(|| {
        // The generator compiled every pattern already; one that fails here is skipped.
        regex_lite::Regex::new(pattern)
            .ok()
            .map(|re| &*Box::leak(Box::new(re)))
    })
}

/// Text against a string kind's limits.
fn text(path: &Path<'_>, value: &str, limits: &Limits, secret: bool) -> Result<(), Invalid> {
    if let Some(len) = limits.length {
        at(path, check::length("", value, len.min, len.max, len.bytes))?;
    }
    let strings = || {
        limits.values.iter().filter_map(|v| match v {
            Lit::Str(s) => Some(*s),
            Lit::Int(_) => None,
        })
    };
    let shown = || {
        if secret {
            "(redacted)".to_string()
        } else {
            format!("{value:?}")
        }
    };
    if strings().next().is_some() && !strings().any(|s| s == value) {
        let allowed: Vec<&str> = strings().collect();
        let limit = format!("one of {}", allowed.join(", "));
        at(path, Err(Violation::new("", limit, shown())))?;
    }
    if let Some(pattern) = limits.pattern
        && let Some(re) = regex(pattern)
        && !re.is_match(value)
    {
        at(
            path,
            Err(Violation::new("", format!("matching `{pattern}`"), shown())),
        )?;
    }
    Ok(())
}

/// A number against a numeric kind's limits.
fn number(path: &Path<'_>, value: i128, limits: &Limits) -> Result<(), Invalid> {
    if let Some((min, max)) = limits.range {
        at(path, check::range("", value, min, max))?;
    }
    let ints = || {
        limits.values.iter().filter_map(|v| match v {
            Lit::Int(i) => Some(i128::from(*i)),
            Lit::Str(_) => None,
        })
    };
    if ints().next().is_some() && !ints().any(|i| i == value) {
        let allowed: Vec<i128> = ints().collect();
        at(path, check::one_of_int("", value, &allowed))?;
    }
    Ok(())
}

fn float(path: &Path<'_>, value: f64, limits: &Limits) -> Result<(), Invalid> {
    if let Some((min, max)) = limits.range {
        at(path, check::range_f64("", value, min, max))?;
    }
    Ok(())
}

/// The limits of a list's elements: all but the count.
fn element_limits(limits: &Limits) -> Limits {
    Limits {
        items: None,
        ..*limits
    }
}

// ---------------------------------------------------------------------------------------------
// The walker: one serializer for every position, by what is expected there.

enum Walker<'a> {
    /// A value of `kind`.
    Value {
        kind: &'a Kind,
        limits: &'a Limits,
        secret: bool,
        path: Path<'a>,
    },
    /// The fields of an object.
    Object(ObjectCheck<'a>),
}

impl<'a> Walker<'a> {
    fn value(kind: &'a Kind, limits: &'a Limits, secret: bool, path: Path<'a>) -> Self {
        Walker::Value {
            kind,
            limits,
            secret,
            path,
        }
    }

    fn path(&self) -> Path<'a> {
        match self {
            Walker::Value { path, .. } => *path,
            Walker::Object(o) => o.path,
        }
    }

    /// A text value (a string, or a number or list as WeCom spells it in text).
    fn text(self, value: &str) -> Result<bool, Invalid> {
        let Walker::Value {
            kind,
            limits,
            secret,
            path,
        } = self
        else {
            return Ok(!value.is_empty());
        };
        match kind {
            Kind::String | Kind::StrEnum(_) => text(&path, value, limits, secret)?,
            Kind::Int | Kind::IntEnum(_) => {
                if let Ok(n) = value.trim().parse::<i128>() {
                    number(&path, n, limits)?;
                }
            }
            Kind::Float => {
                if let Ok(x) = value.trim().parse::<f64>() {
                    float(&path, x, limits)?;
                }
            }
            Kind::Piped(inner) => {
                // `a|b|c`; the empty string is the empty list.
                let parts = || value.split('|').filter(|_| !value.is_empty());
                if let Some((min, max)) = limits.items {
                    at(&path, check::items("", parts().count(), min, max))?;
                }
                let each = element_limits(limits);
                for (i, part) in parts().enumerate() {
                    let here = Path::Index(&path, i);
                    Walker::value(inner, &each, false, here).text(part)?;
                }
            }
            _ => {}
        }
        Ok(!value.is_empty())
    }

    fn integer(self, value: i128) -> Result<bool, Invalid> {
        if let Walker::Value {
            kind, limits, path, ..
        } = self
        {
            match kind {
                Kind::Int | Kind::IntEnum(_) => number(&path, value, limits)?,
                Kind::Float => float(&path, value as f64, limits)?,
                _ => {}
            }
        }
        Ok(true)
    }
}

macro_rules! integers {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<bool, Invalid> {
            self.integer(i128::from(v))
        }
    )*};
}

impl<'a> ser::Serializer for Walker<'a> {
    type Ok = bool;
    type Error = Invalid;
    type SerializeSeq = SeqCheck<'a>;
    type SerializeTuple = SeqCheck<'a>;
    type SerializeTupleStruct = Impossible<bool, Invalid>;
    type SerializeTupleVariant = Impossible<bool, Invalid>;
    type SerializeMap = MapCheck<'a>;
    type SerializeStruct = StructCheck<'a>;
    type SerializeStructVariant = Impossible<bool, Invalid>;

    integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    fn serialize_bool(self, _: bool) -> Result<bool, Invalid> {
        Ok(true)
    }
    fn serialize_f32(self, v: f32) -> Result<bool, Invalid> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<bool, Invalid> {
        if let Walker::Value { limits, path, .. } = self {
            float(&path, v, limits)?;
        }
        Ok(true)
    }
    fn serialize_char(self, v: char) -> Result<bool, Invalid> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<bool, Invalid> {
        self.text(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<bool, Invalid> {
        Ok(!v.is_empty())
    }
    fn serialize_none(self) -> Result<bool, Invalid> {
        Ok(false)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<bool, Invalid> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<bool, Invalid> {
        Ok(false)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, Invalid> {
        Ok(false)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<bool, Invalid> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<bool, Invalid> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<bool, Invalid> {
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqCheck<'a>, Invalid> {
        let (element, limits, path) = match self {
            Walker::Value {
                kind: Kind::List(inner) | Kind::Piped(inner),
                limits,
                path,
                ..
            } => (Some(*inner), Some(*limits), path),
            other => (None, None, other.path()),
        };
        if let (Some(limits), Some(len)) = (limits, len)
            && let Some((min, max)) = limits.items
        {
            at(&path, check::items("", len, min, max))?;
        }
        Ok(SeqCheck {
            element,
            limits: limits.map(|l| element_limits(&l)),
            items: limits.and_then(|l| l.items),
            path,
            count: 0,
            known_len: len.is_some(),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqCheck<'a>, Invalid> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Invalid> {
        Err(Invalid::Other(
            "tuple structs are not part of the wire format".into(),
        ))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Invalid> {
        Err(Invalid::Other(
            "tuple variants are not part of the wire format".into(),
        ))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapCheck<'a>, Invalid> {
        Ok(MapCheck {
            inner: self.into_struct(len)?,
            key: String::new(),
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<StructCheck<'a>, Invalid> {
        self.into_struct(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Invalid> {
        Err(Invalid::Other(
            "struct variants are not part of the wire format".into(),
        ))
    }
}

impl<'a> Walker<'a> {
    /// What checks the entries of an object written here.
    fn into_struct(self, len: Option<usize>) -> Result<StructCheck<'a>, Invalid> {
        Ok(match self {
            Walker::Object(o) => StructCheck::Object(o),
            Walker::Value {
                kind, limits, path, ..
            } => match kind {
                Kind::Object(object) => {
                    StructCheck::Object(ObjectCheck::new(object.fields(), object.rules(), &[], path))
                }
                Kind::Union(union) => StructCheck::Object(ObjectCheck::union(union, path)),
                Kind::Map(inner) => {
                    if let (Some(len), Some((min, max))) = (len, limits.items) {
                        at(&path, check::items("", len, min, max))?;
                    }
                    StructCheck::Map {
                        inner,
                        limits: element_limits(limits),
                        path,
                        any: false,
                    }
                }
                _ => StructCheck::Ignore,
            },
        })
    }
}

struct SeqCheck<'a> {
    element: Option<&'a Kind>,
    limits: Option<Limits>,
    items: Option<(Option<u64>, Option<u64>)>,
    path: Path<'a>,
    count: usize,
    known_len: bool,
}

impl SeqCheck<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Invalid> {
        if let (Some(kind), Some(limits)) = (self.element, &self.limits) {
            let here = Path::Index(&self.path, self.count);
            value.serialize(Walker::value(kind, limits, false, here))?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> Result<bool, Invalid> {
        if !self.known_len
            && let Some((min, max)) = self.items
        {
            at(&self.path, check::items("", self.count, min, max))?;
        }
        Ok(self.count > 0)
    }
}

impl ser::SerializeSeq for SeqCheck<'_> {
    type Ok = bool;
    type Error = Invalid;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Invalid> {
        self.element(value)
    }
    fn end(self) -> Result<bool, Invalid> {
        self.finish()
    }
}

impl ser::SerializeTuple for SeqCheck<'_> {
    type Ok = bool;
    type Error = Invalid;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Invalid> {
        self.element(value)
    }
    fn end(self) -> Result<bool, Invalid> {
        self.finish()
    }
}

/// The checks of an object's fields, its rules and what its variant requires.
struct ObjectCheck<'a> {
    fields: &'static [Param],
    rules: &'static [Rule],
    /// Fields a union variant requires beyond the object's own.
    requires: &'static [&'static str],
    /// A union checked as an object: its tag and variants.
    union: Option<&'static Union>,
    path: Path<'a>,
    /// The fields given (present and, for text and collections, not empty), by position.
    given: Given,
    /// The `Rule::When`s whose case holds, by position in `rules`.
    cases: Given,
}

impl<'a> ObjectCheck<'a> {
    fn new(
        fields: &'static [Param],
        rules: &'static [Rule],
        requires: &'static [&'static str],
        path: Path<'a>,
    ) -> Self {
        ObjectCheck {
            fields,
            rules,
            requires,
            union: None,
            path,
            given: Given::default(),
            cases: Given::default(),
        }
    }

    fn union(union: &'static Union, path: Path<'a>) -> Self {
        ObjectCheck {
            union: Some(union),
            ..ObjectCheck::new(&[], &[], &[], path)
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Invalid> {
        let here = Path::Field(&self.path, key);
        if let Some(at) = self.fields.iter().position(|p| p.name() == key && !p.flatten()) {
            let param = &self.fields[at];
            let given = value.serialize(Walker::value(param.kind(), param.limits(), param.secret(), here))?;
            if given {
                self.given.insert(at);
            }
            // A case a rule depends on: the value is read only for the fields cases name.
            for (i, rule) in self.rules.iter().enumerate() {
                if let Rule::When(field, values, _) = rule
                    && *field == key
                    && let Ok(value) = serde_json::to_value(value)
                    && values.iter().any(|v| v.matches(&value))
                {
                    self.cases.insert(i);
                }
            }
            return Ok(());
        }
        // A key of a union: this object's own, or one flattened into it.
        let unions =
            self.union
                .into_iter()
                .chain(self.fields.iter().filter_map(|p| match (p.flatten(), p.kind()) {
                    (true, Kind::Union(u)) => Some(*u),
                    _ => None,
                }));
        for union in unions {
            if let Some(variant) = union.variants().iter().find(|v| v.name() == key) {
                let check = ObjectCheck::new(
                    variant.object().fields(),
                    variant.object().rules(),
                    variant.requires(),
                    here,
                );
                value.serialize(Walker::Object(check))?;
                return Ok(());
            }
        }
        Ok(())
    }

    /// The table's own spelling of `key`, when it names a field, a union's variant or tag.
    fn static_name(&self, key: &str) -> Option<&'static str> {
        if let Some(p) = self.fields.iter().find(|p| p.name() == key) {
            return Some(p.name());
        }
        let flattened = self.fields.iter().filter_map(|p| match (p.flatten(), p.kind()) {
            (true, Kind::Union(u)) => Some(*u),
            _ => None,
        });
        self.union.into_iter().chain(flattened).find_map(|u| {
            if u.tag() == key {
                return Some(u.tag());
            }
            u.variants().iter().find(|v| v.name() == key).map(|v| v.name())
        })
    }

    /// Whether the field named `name` was given.
    fn has(&self, name: &str) -> bool {
        self.fields
            .iter()
            .position(|p| p.name() == name)
            .is_some_and(|at| self.given.contains(at))
    }

    /// Checks one rule; `case` says in words when it applies ("" for always).
    fn hold(&self, rule: &Rule, position: usize, case: &str) -> Result<(), Invalid> {
        // The pairs that describe a broken rule are built only when it is broken.
        let pairs = |names: &[&'static str]| -> Vec<(&'static str, bool)> {
            names.iter().map(|n| (*n, self.has(n))).collect()
        };
        let in_case = |mut v: Violation| {
            if !case.is_empty() {
                v.limit = format!("{} {case}", v.limit);
            }
            v
        };
        match rule {
            Rule::AtLeastOne(names) => {
                if !names.iter().any(|n| self.has(n)) {
                    at(&self.path, check::at_least_one(&pairs(names)).map_err(in_case))?;
                }
            }
            Rule::AtMostOne(names) => {
                if names.iter().filter(|n| self.has(n)).count() > 1 {
                    at(&self.path, check::at_most_one(&pairs(names)).map_err(in_case))?;
                }
            }
            Rule::Requires(names) => {
                if let Some(missing) = names.iter().find(|n| !self.has(n)) {
                    let here = Path::Field(&self.path, missing);
                    at(
                        &here,
                        Err(in_case(Violation::new("", "given".into(), "none".into()))),
                    )?;
                }
            }
            Rule::When(field, values, then) => {
                if self.cases.contains(position) {
                    let values: Vec<String> = values
                        .iter()
                        .map(|v| match v {
                            Lit::Int(i) => format!("`{i}`"),
                            Lit::Str(s) => format!("`{s}`"),
                        })
                        .collect();
                    let case = format!("when `{field}` is {}", values.join(" or "));
                    self.hold(then, position, &case)?;
                }
            }
            Rule::IfGiven(field, then) => {
                if self.has(field) {
                    self.hold(then, position, &format!("when `{field}` is given"))?;
                }
            }
        }
        Ok(())
    }

    fn end(self) -> Result<bool, Invalid> {
        for (position, rule) in self.rules.iter().enumerate() {
            self.hold(rule, position, "")?;
        }
        for name in self.requires {
            if !self.has(name) {
                let here = Path::Field(&self.path, name);
                at(
                    &here,
                    Err(Violation::new(
                        "",
                        "given for this type of message".into(),
                        "none".into(),
                    )),
                )?;
            }
        }
        Ok(true)
    }
}

/// A set of field positions: a bit mask for the first 128, which is every object of the spec
/// today, and a list for any beyond.
#[derive(Default)]
struct Given {
    low: u128,
    high: Vec<usize>,
}

impl Given {
    fn insert(&mut self, at: usize) {
        match u32::try_from(at).ok().and_then(|s| 1u128.checked_shl(s)) {
            Some(bit) => self.low |= bit,
            None => self.high.push(at),
        }
    }

    fn contains(&self, at: usize) -> bool {
        match u32::try_from(at).ok().and_then(|s| 1u128.checked_shl(s)) {
            Some(bit) => self.low & bit != 0,
            None => self.high.contains(&at),
        }
    }
}

enum StructCheck<'a> {
    Object(ObjectCheck<'a>),
    /// A map with free keys: each value of the inner kind.
    Map {
        inner: &'a Kind,
        limits: Limits,
        path: Path<'a>,
        any: bool,
    },
    /// Free-form JSON, or a shape the walk does not look into.
    Ignore,
}

impl StructCheck<'_> {
    fn entry<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        static_key: Option<&'static str>,
        value: &T,
    ) -> Result<(), Invalid> {
        match self {
            StructCheck::Object(o) => match static_key.or_else(|| o.static_name(key)) {
                Some(k) => o.field(k, value),
                // A key the table does not know (a caller's own endpoint): nothing to check.
                None => Ok(()),
            },
            StructCheck::Map {
                inner,
                limits,
                path,
                any,
            } => {
                *any = true;
                let here = Path::Key(path, key);
                value
                    .serialize(Walker::value(inner, limits, false, here))
                    .map(|_| ())
            }
            StructCheck::Ignore => Ok(()),
        }
    }

    fn end(self) -> Result<bool, Invalid> {
        match self {
            StructCheck::Object(o) => o.end(),
            StructCheck::Map { any, .. } => Ok(any),
            StructCheck::Ignore => Ok(true),
        }
    }
}

impl ser::SerializeStruct for StructCheck<'_> {
    type Ok = bool;
    type Error = Invalid;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Invalid> {
        self.entry(key, Some(key), value)
    }
    fn skip_field(&mut self, _: &'static str) -> Result<(), Invalid> {
        Ok(())
    }
    fn end(self) -> Result<bool, Invalid> {
        StructCheck::end(self)
    }
}

struct MapCheck<'a> {
    inner: StructCheck<'a>,
    /// The last key written, in a buffer reused for every key of the map.
    key: String,
}

impl ser::SerializeMap for MapCheck<'_> {
    type Ok = bool;
    type Error = Invalid;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Invalid> {
        key.serialize(KeyText(&mut self.key))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Invalid> {
        self.inner.entry(&self.key, None, value)
    }
    fn end(self) -> Result<bool, Invalid> {
        self.inner.end()
    }
}

/// A map key as text, written into a buffer that the map's keys share.
struct KeyText<'b>(&'b mut String);

impl ser::Serializer for KeyText<'_> {
    type Ok = ();
    type Error = Invalid;
    type SerializeSeq = Impossible<(), Invalid>;
    type SerializeTuple = Impossible<(), Invalid>;
    type SerializeTupleStruct = Impossible<(), Invalid>;
    type SerializeTupleVariant = Impossible<(), Invalid>;
    type SerializeMap = Impossible<(), Invalid>;
    type SerializeStruct = Impossible<(), Invalid>;
    type SerializeStructVariant = Impossible<(), Invalid>;

    fn serialize_str(self, v: &str) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_bool(self, v: bool) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Invalid> {
        self.put(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_none(self) -> Result<(), Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Invalid> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Invalid> {
        self.put(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Invalid> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Invalid> {
        Err(Invalid::Other("a map key must be text".into()))
    }
}

impl KeyText<'_> {
    fn put(self, v: impl Display) -> Result<(), Invalid> {
        use std::fmt::Write;
        self.0.clear();
        write!(self.0, "{v}").map_err(|e| Invalid::Other(e.to_string()))
    }
}

/// Checks the sizes of a request's files against their parameters' `size` limits.
pub fn files(files: &[(&'static str, crate::Upload)], params: &'static [Param]) -> Result<(), Violation> {
    for (name, upload) in files {
        if let Some(param) = params.iter().find(|p| p.name() == *name)
            && let Some((min, max)) = param.limits().size
        {
            check::size(name, upload.known_size(), min, max)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;
    use crate::schema::{self as s, Enum, Object, Union, Variant};

    static NOTE: Object = Object(
        "Note",
        &[s::Param(
            "text",
            Kind::String,
            s::REQUIRED,
            Limits::NONE.length(None, Some(4), true),
            None,
        )],
        &[],
    );
    static LINK: Object = Object(
        "Link",
        &[
            s::Param(
                "url",
                Kind::String,
                s::REQUIRED,
                Limits::NONE.pattern("^https://"),
                None,
            ),
            s::Param("title", Kind::String, 0, Limits::NONE, None),
        ],
        &[],
    );
    static PAYLOAD: Union = Union(
        "Payload",
        "kind",
        &[Variant("note", &NOTE, &[]), Variant("link", &LINK, &["title"])],
    );
    static SHAPE: Enum = Enum("Shape", &[("round", Lit::Int(1))]);
    static ARTICLE: Object = Object(
        "Article",
        &[s::Param(
            "title",
            Kind::String,
            0,
            Limits::NONE.length(None, Some(3), false),
            None,
        )],
        &[],
    );
    static PARAMS: &[Param] = &[
        s::Param(
            "touser",
            Kind::Piped(&Kind::String),
            0,
            Limits::NONE.items(None, Some(2)).length(Some(1), None, true),
            None,
        ),
        s::Param(
            "ids",
            Kind::List(&Kind::Int),
            0,
            Limits::NONE.range(Some(1), Some(9)),
            None,
        ),
        s::Param(
            "articles",
            Kind::List(&Kind::Object(&ARTICLE)),
            0,
            Limits::NONE.items(None, Some(2)),
            None,
        ),
        s::Param(
            "labels",
            Kind::Map(&Kind::String),
            0,
            Limits::NONE.length(None, Some(2), true),
            None,
        ),
        s::Param(
            "key",
            Kind::String,
            s::SECRET,
            Limits::NONE.values(&[Lit::Str("right")]),
            None,
        ),
        s::Param(
            "shape",
            Kind::IntEnum(&SHAPE),
            0,
            Limits::NONE.values(&[Lit::Int(1)]),
            None,
        ),
        s::Param("content", Kind::Union(&PAYLOAD), s::FLATTEN, Limits::NONE, None),
        s::Param("nested", Kind::Union(&PAYLOAD), 0, Limits::NONE, None),
    ];
    static RULES: &[Rule] = &[
        Rule::AtLeastOne(&["touser", "ids"]),
        Rule::AtMostOne(&["ids", "articles"]),
    ];

    fn check_json(value: serde_json::Value) -> Result<(), Violation> {
        check(&value, PARAMS, RULES)
    }

    fn fails(value: serde_json::Value) -> Violation {
        check_json(value.clone()).expect_err(&format!("{value} should break a limit"))
    }

    #[test]
    fn values_within_their_limits_pass() {
        check_json(serde_json::json!({
            "touser": "a|b", "ids": [1, 9], "labels": {"k": "vv"},
            "key": "right", "shape": 1, "kind": "link", "link": {"url": "https://x", "title": "t"},
            "nested": {"kind": "note", "note": {"text": "hi"}}, "unknown": "ignored"
        }))
        .unwrap();
    }

    #[test]
    fn each_kind_of_limit_is_found_where_it_is() {
        assert_eq!(fails(serde_json::json!({"touser": "a|b|c"})).field, "touser");
        assert_eq!(fails(serde_json::json!({"touser": "a|"})).field, "touser[1]");
        assert_eq!(fails(serde_json::json!({"ids": [1, 10]})).field, "ids[1]");
        assert_eq!(
            fails(serde_json::json!({"touser": "a", "articles": [{"title": "四个字符"}]})).field,
            "articles[0].title"
        );
        assert_eq!(
            fails(serde_json::json!({"ids": [1], "labels": {"k": "long"}})).field,
            "labels.k"
        );
        assert_eq!(fails(serde_json::json!({"ids": [1], "shape": 2})).field, "shape");
        assert_eq!(
            fails(serde_json::json!({"ids": [1], "nested": {"kind": "note", "note": {"text": "too long"}}}))
                .field,
            "nested.note.text"
        );
    }

    #[test]
    fn a_secret_is_never_shown_in_the_violation() {
        let v = fails(serde_json::json!({"ids": [1], "key": "wrong-secret-value"}));
        assert_eq!(v.field, "key");
        assert!(!v.to_string().contains("wrong-secret-value"), "{v}");
    }

    #[test]
    fn rules_across_parameters_hold() {
        let none = fails(serde_json::json!({"shape": 1}));
        assert!(none.to_string().contains("at least one of"), "{none}");
        let empty = fails(serde_json::json!({"touser": "", "ids": []}));
        assert!(empty.to_string().contains("at least one of"), "{empty}");
        let both = fails(serde_json::json!({"ids": [1], "articles": [{"title": "t"}]}));
        assert!(both.to_string().contains("at most one of"), "{both}");
    }

    #[test]
    fn a_variant_requires_what_the_docs_make_it_need() {
        let flat = fails(serde_json::json!({"ids": [1], "kind": "link", "link": {"url": "https://x"}}));
        assert_eq!(flat.field, "link.title");
        let nested =
            fails(serde_json::json!({"ids": [1], "nested": {"kind": "link", "link": {"url": "https://x"}}}));
        assert_eq!(nested.field, "nested.link.title");
        let pattern =
            fails(serde_json::json!({"ids": [1], "kind": "link", "link": {"url": "ftp://x", "title": "t"}}));
        assert_eq!(pattern.field, "link.url");
    }

    #[derive(Serialize)]
    struct Typed {
        touser: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        ids: Option<Vec<u32>>,
    }

    #[test]
    fn a_typed_value_is_walked_as_its_json_is() {
        let request = Typed {
            touser: vec!["a".into(), "b".into(), "c".into()],
            ids: None,
        };
        // A list where the table says `piped`: its items are counted all the same.
        assert_eq!(check(&request, PARAMS, RULES).unwrap_err().field, "touser");
        let request = Typed {
            touser: Vec::new(),
            ids: Some(vec![3]),
        };
        check(&request, PARAMS, RULES).unwrap();
    }
}
