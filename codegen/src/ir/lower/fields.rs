//! Fields, named parameters, scalars and limits.
//!
//! A field is first read into a [`Partial`] (every key optional, each with the span it was
//! written at, the type resolved in the scope of the file that wrote it); named parameters and
//! scalars are partials too, and `use:` lays a field's own keys over its parameter's. [`finish`]
//! then settles defaults and checks the keys against each other.

use regex::Regex;

use super::names::{RUST_KEYWORDS, SNAKE, rust_field_name};
use super::scope::{Decl, ScopeKey, Scopes, Symbol};
use super::*;
use crate::ir::types::{TypeExpr, parse as parse_type};
use crate::spec::{Bound, FieldEntry, Scalar};

/// Where a field sits: it decides which keys make sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    Request,
    Response,
    Object,
    /// A named parameter, checked on its own where it is declared.
    Param,
}

type Bounds<T> = (Option<T>, Option<T>);
type LengthBounds = (Option<u64>, Option<u64>, LengthUnit);

/// A field as written, every key optional, with where each was written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Partial {
    pub(crate) ty: Option<(Ty, Span)>,
    /// A type was written, even if it did not resolve (that was reported where it is written).
    pub(crate) ty_written: bool,
    /// Limits and description that come with a scalar type.
    pub(crate) inherited: Limits,
    pub(crate) inherited_description: Option<String>,
    pub(crate) required: Option<bool>,
    pub(crate) description: Option<String>,
    pub(crate) default: Option<(Scalar, Span)>,
    pub(crate) length: Option<(LengthBounds, Span)>,
    pub(crate) items: Option<(Bounds<u64>, Span)>,
    pub(crate) range: Option<(Bounds<i64>, Span)>,
    pub(crate) size: Option<(Bounds<u64>, Span)>,
    pub(crate) values: Option<(Vec<Scalar>, Span)>,
    pub(crate) pattern: Option<(String, Span)>,
    pub(crate) placement: Option<(Placement, Span)>,
    pub(crate) as_string: Option<Span>,
    pub(crate) secret: Option<(bool, Span)>,
    pub(crate) rust_name: Option<(String, Span)>,
    pub(crate) json_reason: Option<String>,
    pub(crate) flatten: Option<(bool, Span)>,
    pub(crate) deprecated: Option<String>,
    pub(crate) instead_of: Option<(String, Span)>,
    /// Where the field is (its key).
    pub(crate) span: Span,
}

impl Partial {
    /// `over`'s keys laid over these.
    fn overlaid(self, over: Partial) -> Partial {
        let (ty, inherited, inherited_description) = match over.ty {
            Some(ty) => (Some(ty), over.inherited, over.inherited_description),
            None => (self.ty, self.inherited, self.inherited_description),
        };
        Partial {
            ty,
            ty_written: over.ty_written || self.ty_written,
            inherited,
            inherited_description,
            required: over.required.or(self.required),
            description: over.description.or(self.description),
            default: over.default.or(self.default),
            length: over.length.or(self.length),
            items: over.items.or(self.items),
            range: over.range.or(self.range),
            size: over.size.or(self.size),
            values: over.values.or(self.values),
            pattern: over.pattern.or(self.pattern),
            placement: over.placement.or(self.placement),
            as_string: over.as_string.or(self.as_string),
            secret: over.secret.or(self.secret),
            rust_name: over.rust_name.or(self.rust_name),
            json_reason: over.json_reason.or(self.json_reason),
            flatten: over.flatten.or(self.flatten),
            deprecated: over.deprecated.or(self.deprecated),
            instead_of: over.instead_of.or(self.instead_of),
            span: over.span,
        }
    }
}

/// Lowers the fields of one map (`request:`, `response:`, an object's `fields:`).
pub(crate) fn lower_fields(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &ScopeKey,
    file: FileId,
    entries: &spec::WireNames<Loc<FieldEntry>>,
    site: Site,
) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for (wire, entry) in entries.iter() {
        let key_span = cx.span(file, wire);
        let Some(partial) = partial_of(cx, scopes, scope, file, entry, key_span.clone()) else {
            // Reported where it went wrong; keep the name (see `placeholder`).
            let rust = rust_field_name(&wire.value).unwrap_or_else(|| wire.value.clone());
            out.push(placeholder(&wire.value, rust, key_span));
            continue;
        };
        let Some(field) = finish(cx, &wire.value, partial, site) else {
            continue;
        };
        if let Some(other) = out.iter().find(|f| f.rust == field.rust) {
            cx.error_note(
                Code::RustNameClash,
                &key_span,
                format!(
                    "`{}` and `{}` would both be the Rust field `{}`",
                    wire.value, other.wire, field.rust
                ),
                "give one of them a `rust_name`",
            );
            continue;
        }
        out.push(field);
    }
    out
}

/// The partial of one written entry: `$name`, or a mapping (possibly `use:`-ing a parameter).
pub(crate) fn partial_of(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &ScopeKey,
    file: FileId,
    entry: &Loc<FieldEntry>,
    key_span: Span,
) -> Option<Partial> {
    match &entry.value {
        FieldEntry::Named(name) => {
            let at = cx.span(file, entry);
            let mut partial = named_param(cx, scopes, scope, &name.value, &at)?;
            partial.span = key_span;
            Some(partial)
        }
        FieldEntry::Full(field) => {
            let own = read_field(cx, scopes, scope, file, field, key_span.clone());
            match &field.uses {
                None => Some(own),
                Some(uses) => {
                    let at = cx.span(file, uses);
                    let base = named_param(cx, scopes, scope, &uses.value, &at)?;
                    Some(base.overlaid(own))
                }
            }
        }
    }
}

/// A named parameter as seen from `scope`, lowered once where it is declared.
pub(crate) fn named_param(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &ScopeKey,
    name: &str,
    at: &Span,
) -> Option<Partial> {
    let Some((declared_in, decl)) = scopes.param(scope, name) else {
        let candidates = scopes.param_names(scope);
        let message = format!("unknown named parameter `${name}`");
        match closest(name, candidates.iter().copied()) {
            Some(best) => cx.error_note(
                Code::UnknownParam,
                at,
                message,
                format!("did you mean `${best}`?"),
            ),
            None => cx.error_note(
                Code::UnknownParam,
                at,
                message,
                "declare it under `params:` in the group or in spec/shared.yaml",
            ),
        }
        return None;
    };
    let key = (declared_in.clone(), name.to_string());
    if let Some(done) = scopes.param_memo.get(&key) {
        return done.clone();
    }
    if scopes.in_progress.contains(&key) {
        cx.error(
            Code::UseCycle,
            at,
            format!("named parameter `{name}` uses itself"),
        );
        return None;
    }
    scopes.in_progress.push(key.clone());
    let key_span = cx.span(decl.file, decl.key);
    let partial = partial_of(cx, scopes, &declared_in, decl.file, decl.body, key_span);
    scopes.in_progress.retain(|k| k != &key);
    if let Some(p) = &partial {
        // Checked once on its own, so a mistake in it is reported where it is declared.
        let _ = finish(cx, name, p.clone(), Site::Param);
    }
    scopes.param_memo.insert(key, partial.clone());
    partial
}

fn read_field(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &ScopeKey,
    file: FileId,
    field: &spec::Field,
    span: Span,
) -> Partial {
    let mut partial = Partial {
        span,
        ..Partial::default()
    };
    partial.ty_written = field.ty.is_some();
    if let Some(written) = &field.ty
        && let Some((ty, inherited, description)) = resolve_type(cx, scopes, scope, file, written)
    {
        partial.ty = Some((ty, cx.span(file, written)));
        partial.inherited = inherited;
        partial.inherited_description = description;
    }
    partial.required = field.required.as_ref().map(|r| r.value);
    partial.description = field.description.as_ref().map(|d| d.trim().to_string());
    partial.default = field
        .default
        .as_ref()
        .map(|d| (d.value.clone(), cx.span(file, d)));
    if let Some(length) = &field.length {
        let at = cx.span(file, length);
        if let Some((min, max, unit)) = bound(cx, &length.value, &at, BoundKind::Length) {
            partial.length = Some(((to_u64(min), to_u64(max), unit.unwrap_or(LengthUnit::Chars)), at));
        }
    }
    if let Some(items) = &field.items {
        let at = cx.span(file, items);
        if let Some((min, max, _)) = bound(cx, &items.value, &at, BoundKind::Items) {
            partial.items = Some(((to_u64(min), to_u64(max)), at));
        }
    }
    if let Some(range) = &field.range {
        let at = cx.span(file, range);
        if let Some((min, max, _)) = bound(cx, &range.value, &at, BoundKind::Range) {
            partial.range = Some(((min, max), at));
        }
    }
    if let Some(size) = &field.size {
        let at = cx.span(file, size);
        if let Some((min, max, _)) = bound(cx, &size.value, &at, BoundKind::Size) {
            partial.size = Some(((to_u64(min), to_u64(max)), at));
        }
    }
    if let Some(values) = &field.values {
        let at = cx.span(file, values);
        if values.value.is_empty() {
            cx.error(Code::LimitShape, &at, "`values` lists no value");
        }
        partial.values = Some((values.value.clone(), at));
    }
    if let Some(pattern) = &field.pattern {
        let at = cx.span(file, pattern);
        if let Err(err) = Regex::new(&pattern.value) {
            let first = err
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_string();
            cx.error(
                Code::BadPattern,
                &at,
                format!("`pattern` is not a valid regular expression: {first}"),
            );
        }
        partial.pattern = Some((pattern.value.clone(), at));
    }
    if let Some(p) = &field.placement {
        let at = cx.span(file, p);
        match p.value.as_str() {
            "query" => partial.placement = Some((Placement::Query, at)),
            "body" => partial.placement = Some((Placement::Body, at)),
            other => cx.error(
                Code::BadValue,
                &at,
                format!("`in: {other}`: a parameter travels in `query` or `body`"),
            ),
        }
    }
    if let Some(w) = &field.wire {
        let at = cx.span(file, w);
        if w.value == "string" {
            partial.as_string = Some(at);
        } else {
            cx.error(
                Code::BadValue,
                &at,
                format!("`wire: {}`: the only wire override is `string`", w.value),
            );
        }
    }
    partial.secret = field.secret.as_ref().map(|s| (s.value, cx.span(file, s)));
    if let Some(name) = &field.rust_name {
        let at = cx.span(file, name);
        if !SNAKE.is_match(&name.value) || RUST_KEYWORDS.contains(&name.value.as_str()) {
            cx.error(
                Code::FieldName,
                &at,
                format!("`rust_name: {}` must be a snake_case identifier", name.value),
            );
        }
        partial.rust_name = Some((name.value.clone(), at));
    }
    partial.json_reason = field.json_reason.clone();
    partial.flatten = field.flatten.as_ref().map(|f| (f.value, cx.span(file, f)));
    partial.deprecated = field.deprecated.as_ref().map(|d| d.value.trim().to_string());
    partial.instead_of = field
        .instead_of
        .as_ref()
        .map(|i| (i.value.clone(), cx.span(file, i)));
    partial
}

/// Settles a field: its Rust name, its limits against its type, the keys against its site.
pub(crate) fn finish(cx: &mut Cx, wire: &str, p: Partial, site: Site) -> Option<Field> {
    let rust = match &p.rust_name {
        Some((name, _)) => name.clone(),
        None => match rust_field_name(wire) {
            Some(name) => name,
            None => {
                cx.error_note(
                    Code::FieldName,
                    &p.span,
                    format!("`{wire}` has no Rust name of its own"),
                    "give it a `rust_name`",
                );
                wire.to_string()
            }
        },
    };
    let Some((ty, ty_span)) = p.ty.clone() else {
        if !p.ty_written {
            cx.error(
                Code::MissingKey,
                &p.span,
                format!("field `{wire}` needs a `type`"),
            );
        }
        // A type that did not resolve is reported where it is written; the field stays, as free
        // JSON, so later checks (the examples' keys) do not report it missing as well.
        return Some(placeholder(wire, rust, p.span.clone()));
    };
    if site != Site::Request && site != Site::Param && contains_file(&ty) {
        cx.error(
            Code::FileOutsideRequest,
            &ty_span,
            "`file` is for request parameters of `body: multipart` endpoints",
        );
    }
    if let Some((_, at)) = &p.placement
        && !matches!(site, Site::Request | Site::Param)
    {
        cx.error(Code::KeyOutOfPlace, at, "`in` applies only to request parameters");
    }
    if let Some(at) = &p.as_string {
        let scalar = ty.element();
        if !(scalar.is_integer() || matches!(scalar, Ty::F64)) {
            cx.error(
                Code::KeyOutOfPlace,
                at,
                "`wire: string` applies to numbers and integer enums",
            );
        }
        if ty.is_list() {
            cx.error(
                Code::KeyOutOfPlace,
                at,
                "`wire: string` applies to a single number, not a list",
            );
        }
    }
    let secret = p.secret.as_ref().is_some_and(|(s, _)| *s);
    if secret && ty != Ty::String {
        cx.error(
            Code::KeyOutOfPlace,
            &ty_span,
            "a `secret` field must be a `string`",
        );
    }
    if ty == Ty::Json && p.json_reason.as_deref().is_none_or(str::is_empty) {
        cx.error_note(
            Code::JsonWithoutReason,
            &ty_span,
            format!("`{wire}` is `json` without a `json_reason`"),
            "typed fields are the rule; say why the official docs leave this one free-form",
        );
    }
    let flatten = p.flatten.as_ref().is_some_and(|(f, _)| *f);
    if let Some((true, at)) = &p.flatten {
        let is_union = matches!(&ty, Ty::Named(r) if r.kind == NamedKind::Union);
        if !matches!(site, Site::Request | Site::Param) || !is_union {
            cx.error(
                Code::KeyOutOfPlace,
                at,
                "`flatten` applies only to a request parameter of a union type",
            );
        }
    }
    if let Some((_, at)) = &p.instead_of
        && !matches!(site, Site::Request | Site::Param)
    {
        cx.error(
            Code::KeyOutOfPlace,
            at,
            "`instead_of` applies only to a request parameter",
        );
    }
    let own = check_limits(cx, &ty, &p);
    let limits = p.inherited.overridden_by(&own);
    let default = p.default.as_ref().map(|(d, at)| {
        if !scalar_fits(d, ty.element()) {
            cx.error(
                Code::LimitMismatch,
                at,
                format!("default {d} does not fit the field's type"),
            );
        }
        match d {
            Scalar::Str(s) => s.clone(),
            other => other.to_string(),
        }
    });
    let description = p
        .description
        .clone()
        .or_else(|| p.inherited_description.clone())
        .unwrap_or_default();
    Some(Field {
        wire: wire.to_string(),
        rust,
        ty,
        required: p.required.unwrap_or(false),
        description,
        default,
        limits,
        placement: p.placement.as_ref().map_or(Placement::Body, |(pl, _)| *pl),
        placement_written: p.placement.is_some(),
        as_string: p.as_string.is_some(),
        secret,
        flatten,
        deprecated: p.deprecated.clone(),
        instead_of: p.instead_of.clone(),
        alternates: Vec::new(),
        poisoned: false,
        span: p.span.clone(),
    })
}

/// A field whose own problems are reported: it keeps its name so nothing else trips over it.
pub(crate) fn placeholder(wire: &str, rust: String, span: Span) -> Field {
    Field {
        wire: wire.to_string(),
        rust,
        ty: Ty::Json,
        required: false,
        description: String::new(),
        default: None,
        limits: Limits::default(),
        placement: Placement::Body,
        placement_written: false,
        as_string: false,
        secret: false,
        flatten: false,
        deprecated: None,
        instead_of: None,
        alternates: Vec::new(),
        poisoned: true,
        span,
    }
}

/// The field's own limits, each checked against the type.
fn check_limits(cx: &mut Cx, ty: &Ty, p: &Partial) -> Limits {
    let element = ty.element();
    let mut out = Limits::default();
    if let Some((length, at)) = &p.length {
        if !element.is_textual() {
            cx.error(Code::LimitMismatch, at, "a `length` limit applies to strings");
        }
        out.length = Some(*length);
    }
    if let Some((items, at)) = &p.items {
        if !ty.is_collection() {
            cx.error(
                Code::LimitMismatch,
                at,
                "an `items` limit applies to lists and maps",
            );
        }
        out.items = Some(*items);
    }
    if let Some(((min, max), at)) = &p.range {
        if !element.is_numeric() {
            cx.error(Code::LimitMismatch, at, "a `range` limit applies to numbers");
        }
        if let Ty::Int(kind) = element {
            let (lo, hi) = kind.bounds();
            for bound in [min, max].into_iter().flatten() {
                if !(lo..=hi).contains(&i128::from(*bound)) {
                    cx.error(
                        Code::LimitMismatch,
                        at,
                        format!("`range` bound {bound} does not fit a `{}`", kind.rust()),
                    );
                }
            }
        }
        out.range = Some((*min, *max));
    }
    if let Some((size, at)) = &p.size {
        if *ty != Ty::File {
            cx.error(
                Code::LimitMismatch,
                at,
                "a `size` limit applies to `file` parameters",
            );
        }
        out.size = Some(*size);
    }
    if let Some((values, at)) = &p.values {
        for value in values {
            if !scalar_fits(value, element) || matches!(value, Scalar::Bool(_) | Scalar::Float(_)) {
                cx.error(
                    Code::LimitMismatch,
                    at,
                    format!("allowed value {value} does not fit the field's type"),
                );
                continue;
            }
            out.values.push(match value {
                Scalar::Int(i) => LimitValue::Int(*i),
                Scalar::Str(s) => LimitValue::Str(s.clone()),
                _ => continue,
            });
        }
    }
    if let Some((pattern, at)) = &p.pattern {
        if !element.is_textual() {
            cx.error(Code::LimitMismatch, at, "a `pattern` applies to strings");
        }
        out.pattern = Some(pattern.clone());
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Limits in words.

#[derive(Clone, Copy, PartialEq, Eq)]
enum BoundKind {
    Length,
    Items,
    Range,
    Size,
}

impl BoundKind {
    fn key(self) -> &'static str {
        match self {
            BoundKind::Length => "length",
            BoundKind::Items => "items",
            BoundKind::Range => "range",
            BoundKind::Size => "size",
        }
    }
}

/// `1 to 64 bytes`, `at most 1000`, `at least 6 chars`, `exactly 32 bytes`.
fn bound(
    cx: &mut Cx,
    written: &Bound,
    at: &Span,
    kind: BoundKind,
) -> Option<(Option<i64>, Option<i64>, Option<LengthUnit>)> {
    let text = written.0.trim();
    let key = kind.key();
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let unit = match words.last().copied() {
        Some("bytes") => {
            words.pop();
            Some(LengthUnit::Bytes)
        }
        Some("chars") => {
            words.pop();
            Some(LengthUnit::Chars)
        }
        _ => None,
    };
    let number = |w: &str| w.parse::<i64>().ok();
    let parsed = match words.as_slice() {
        [lo, "to", hi] => number(lo).zip(number(hi)).map(|(lo, hi)| (Some(lo), Some(hi))),
        ["at", "most", hi] => number(hi).map(|hi| (None, Some(hi))),
        ["at", "least", lo] => number(lo).map(|lo| (Some(lo), None)),
        ["exactly", n] => number(n).map(|n| (Some(n), Some(n))),
        _ => None,
    };
    let Some((min, max)) = parsed else {
        cx.error_note(
            Code::BadBound,
            at,
            format!("`{key}: {text}` is not a bound"),
            "write `N to M`, `at most M`, `at least N` or `exactly N`; lengths end in `bytes` or `chars`",
        );
        return None;
    };
    match (kind, unit) {
        (BoundKind::Length, None) => {
            cx.error_note(
                Code::BadBound,
                at,
                "a `length` limit needs a unit",
                "the official docs count either 字节 (`bytes`) or 字符 (`chars`)",
            );
            return None;
        }
        (BoundKind::Items | BoundKind::Range, Some(_)) => {
            cx.error(
                Code::BadBound,
                at,
                format!("`{key}` counts no unit; drop the `bytes`/`chars`"),
            );
        }
        (BoundKind::Size, Some(LengthUnit::Chars)) => {
            cx.error(Code::BadBound, at, "a file's `size` is in bytes");
        }
        _ => {}
    }
    if kind != BoundKind::Range {
        for b in [min, max].into_iter().flatten() {
            if b < 0 {
                cx.error(Code::BadBound, at, format!("`{key}` bound {b} is negative"));
            }
        }
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        cx.error(
            Code::BadBound,
            at,
            format!("`{key}` min {lo} is above its max {hi}"),
        );
    }
    Some((min, max, unit))
}

fn to_u64(v: Option<i64>) -> Option<u64> {
    v.and_then(|v| u64::try_from(v).ok())
}

// ---------------------------------------------------------------------------------------------
// Type expressions.

/// The type of a written type expression, with the limits and description a scalar brings.
pub(crate) fn resolve_type(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &ScopeKey,
    file: FileId,
    written: &Loc<String>,
) -> Option<(Ty, Limits, Option<String>)> {
    match parse_type(&written.value) {
        Err(err) => {
            let at = cx.within(file, written, err.offset, 1);
            cx.error(
                Code::BadTypeSyntax,
                &at,
                format!("malformed type `{}`: {}", written.value, err.message),
            );
            None
        }
        Ok(expr) => resolve_expr(cx, scopes, scope, file, written, &expr),
    }
}

fn resolve_expr(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &ScopeKey,
    file: FileId,
    written: &Loc<String>,
    expr: &TypeExpr,
) -> Option<(Ty, Limits, Option<String>)> {
    let here = cx.within(file, written, expr.offset, expr.name.len());
    let generic = matches!(expr.name.as_str(), "list" | "map" | "piped" | "commas");
    if generic && expr.args.len() != 1 {
        cx.error(
            Code::BadTypeSyntax,
            &here,
            format!("`{}` takes one type: `{}<T>`", expr.name, expr.name),
        );
        return None;
    }
    if !generic && !expr.args.is_empty() {
        cx.error(
            Code::BadTypeSyntax,
            &here,
            format!("`{}` takes no type arguments", expr.name),
        );
        return None;
    }
    let plain = |ty: Ty| Some((ty, Limits::default(), None));
    match expr.name.as_str() {
        "string" => plain(Ty::String),
        "bool" => plain(Ty::Bool),
        "flag" => plain(Ty::Flag),
        "json" => plain(Ty::Json),
        "file" => plain(Ty::File),
        "f64" => plain(Ty::F64),
        "list" | "map" | "piped" | "commas" => {
            let (inner, limits, _) = resolve_expr(cx, scopes, scope, file, written, &expr.args[0])?;
            if limits.items.is_some() {
                let at = cx.within(file, written, expr.args[0].offset, expr.args[0].name.len());
                cx.error(
                    Code::ScalarMisuse,
                    &at,
                    "a scalar with an `items` limit cannot be the element of a list or map",
                );
            }
            let ty = match expr.name.as_str() {
                "list" => Ty::List(Box::new(inner)),
                "map" => Ty::Map(Box::new(inner)),
                _ => {
                    if !matches!(inner, Ty::String | Ty::Int(_)) {
                        let at = cx.within(file, written, expr.args[0].offset, expr.args[0].name.len());
                        cx.error(
                            Code::BadTypeSyntax,
                            &at,
                            format!("`{}<T>` joins strings or integers only", expr.name),
                        );
                        return None;
                    }
                    if expr.name == "commas" {
                        Ty::Commas(Box::new(inner))
                    } else {
                        Ty::Piped(Box::new(inner))
                    }
                }
            };
            Some((ty, limits, None))
        }
        name => {
            if let Some(kind) = IntKind::parse(name) {
                return plain(Ty::Int(kind));
            }
            match scopes.lookup(scope, name) {
                Some(Symbol::Type(id)) => {
                    let declared = &scopes.types[id.0];
                    let kind = declared.kind?;
                    let module = match &declared.scope {
                        None => Module::Shared,
                        Some(g) => Module::Group(g.clone()),
                    };
                    plain(Ty::Named(TypeRef {
                        id,
                        rust: declared.rust.clone(),
                        module,
                        kind,
                    }))
                }
                Some(Symbol::Scalar(declared_in, decl)) => scalar(cx, scopes, declared_in, decl, name, &here),
                None => {
                    let message = format!("unknown type `{name}`");
                    let builtins = [
                        "string", "bool", "flag", "json", "file", "f64", "i32", "i64", "u8", "u16", "u32",
                        "u64", "list", "map", "piped", "commas",
                    ];
                    let names = scopes.visible_names(scope);
                    let best = closest(name, builtins.iter().copied().chain(names.iter().copied()));
                    let owner = scopes
                        .groups
                        .iter()
                        .find(|(_, s)| s.types.contains_key(name) || s.scalars.contains_key(name))
                        .map(|(g, _)| g.clone());
                    match (owner, best) {
                        (Some(owner), _) => cx.error_note(
                            Code::CrossGroupType,
                            &here,
                            format!("type `{name}` belongs to group `{owner}`"),
                            "a group may use only its own names and those of spec/shared.yaml; move it there",
                        ),
                        (None, Some(best)) => cx.error_note(Code::UnknownType, &here, message, format!("did you mean `{best}`?")),
                        (None, None) => cx.error_note(
                            Code::UnknownType,
                            &here,
                            message,
                            "declare it under `types:` or `scalars:` (in spec/shared.yaml when several groups use it)",
                        ),
                    }
                    None
                }
            }
        }
    }
}

/// A scalar, lowered once where it is declared.
fn scalar(
    cx: &mut Cx,
    scopes: &mut Scopes,
    declared_in: ScopeKey,
    decl: Decl<'_, Loc<FieldEntry>>,
    name: &str,
    at: &Span,
) -> Option<(Ty, Limits, Option<String>)> {
    let key = (declared_in.clone(), format!("scalar {name}"));
    let memo_key = (declared_in.clone(), name.to_string());
    if let Some(done) = scopes.scalar_memo.get(&memo_key) {
        return done.as_ref().and_then(|p| {
            p.ty.clone()
                .map(|(ty, _)| (ty, p.inherited.clone(), p.description.clone()))
        });
    }
    if scopes.in_progress.contains(&key) {
        cx.error(
            Code::UseCycle,
            at,
            format!("scalar `{name}` is defined by itself"),
        );
        return None;
    }
    scopes.in_progress.push(key.clone());
    let key_span = cx.span(decl.file, decl.key);
    let partial = match &decl.body.value {
        FieldEntry::Full(field) => {
            let stray = [
                field.uses.is_some(),
                field.required.is_some(),
                field.default.is_some(),
                field.placement.is_some(),
                field.wire.is_some(),
                field.secret.is_some(),
                field.rust_name.is_some(),
                field.json_reason.is_some(),
                field.flatten.is_some(),
                field.deprecated.is_some(),
                field.size.is_some(),
            ];
            if stray.iter().any(|s| *s) {
                cx.error(
                    Code::ScalarMisuse,
                    &key_span,
                    format!("scalar `{name}` takes only `type`, `description` and limits"),
                );
            }
            let mut p = read_field(cx, scopes, &declared_in, decl.file, field, key_span.clone());
            match &p.ty {
                Some((Ty::Named(_), ty_at)) => {
                    cx.error(
                        Code::ScalarMisuse,
                        ty_at,
                        "a scalar's type is a built-in scalar or a list of them",
                    );
                    None
                }
                Some((ty, _)) => {
                    let ty = ty.clone();
                    let own = check_limits(cx, &ty, &p);
                    p.inherited = p.inherited.overridden_by(&own);
                    Some(p)
                }
                None => {
                    if field.ty.is_none() {
                        cx.error(
                            Code::MissingKey,
                            &key_span,
                            format!("scalar `{name}` needs a `type`"),
                        );
                    }
                    None
                }
            }
        }
        FieldEntry::Named(_) => {
            cx.error(
                Code::ScalarMisuse,
                &key_span,
                format!("scalar `{name}` is a mapping such as {{ type: string, length: 1 to 64 bytes }}"),
            );
            None
        }
    };
    scopes.in_progress.retain(|k| k != &key);
    scopes.scalar_memo.insert(memo_key, partial.clone());
    partial.and_then(|p| p.ty.map(|(ty, _)| (ty, p.inherited, p.description)))
}

pub(crate) fn contains_file(ty: &Ty) -> bool {
    match ty {
        Ty::File => true,
        Ty::List(inner) | Ty::Map(inner) | Ty::Piped(inner) | Ty::Commas(inner) => contains_file(inner),
        _ => false,
    }
}

pub(crate) fn query_capable(ty: &Ty) -> bool {
    match ty {
        Ty::String | Ty::Int(_) | Ty::F64 | Ty::Bool | Ty::Flag | Ty::Piped(_) | Ty::Commas(_) => true,
        Ty::Named(r) => matches!(r.kind, NamedKind::IntEnum | NamedKind::StrEnum),
        _ => false,
    }
}

pub(crate) fn scalar_fits(value: &Scalar, ty: &Ty) -> bool {
    match value {
        Scalar::Int(_) => ty.is_numeric() || matches!(ty, Ty::Flag),
        Scalar::Float(_) => matches!(ty, Ty::F64),
        Scalar::Bool(_) => matches!(ty, Ty::Bool | Ty::Flag),
        Scalar::Str(_) => ty.is_textual(),
    }
}
