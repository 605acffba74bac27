//! From the spec as written to the validated IR. Each check that fails adds a located diagnostic
//! and lowering goes on, so one run reports every problem.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::types::{self, TypeExpr};
use super::*;
use crate::diagnostics::{Diagnostic, FileId, Files, Label};
use crate::spec::{self, Loc, Scalar, SpecFile};

/// A parsed spec file and where it came from.
pub struct Parsed {
    pub file: FileId,
    /// The file name without `.yaml`: the group name, or `shared`.
    pub stem: String,
    pub spec: SpecFile,
}

/// Checks the error-code table: ascending, unique codes, known classes.
pub fn lower_error_codes(
    files: &Files,
    file: FileId,
    table: &spec::ErrorCodes,
) -> Result<Vec<ErrorCode>, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut out: Vec<ErrorCode> = Vec::new();
    for entry in &table.codes {
        let row = &entry.value;
        let class = match ErrorClass::parse(&row.class.value) {
            Some(class) => class,
            None => {
                diagnostics.push(
                    Diagnostic::error()
                        .with_message(format!(
                            "unknown class `{}`: use retryable, token, configuration, rate_limit, permission, invalid_argument or other",
                            row.class.value
                        ))
                        .with_labels(vec![Label::primary(file, files.span_of(file, &row.class))]),
                );
                continue;
            }
        };
        if let Some(previous) = out.last()
            && previous.code >= row.code.value
        {
            let message = if previous.code == row.code.value {
                format!("error code {} is listed twice", row.code.value)
            } else {
                format!(
                    "error code {} is out of order (after {})",
                    row.code.value, previous.code
                )
            };
            diagnostics.push(
                Diagnostic::error()
                    .with_message(message)
                    .with_labels(vec![Label::primary(file, files.span_of(file, &row.code))]),
            );
            continue;
        }
        out.push(ErrorCode {
            code: row.code.value,
            meaning: row.meaning.value.trim().to_string(),
            hint: row.hint.clone().unwrap_or_default().trim().to_string(),
            class,
        });
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(diagnostics)
    }
}

pub fn lower(files: &Files, parsed: Vec<Parsed>) -> Result<Api, Vec<Diagnostic>> {
    let mut lowerer = Lowerer {
        files,
        diagnostics: Vec::new(),
        index: BTreeMap::new(),
    };
    for p in &parsed {
        lowerer.declare_types(p);
    }
    let mut shared = Vec::new();
    let mut groups = Vec::new();
    for p in &parsed {
        let module = module_of(p);
        let types = lowerer.lower_types(p, &module);
        match module {
            Module::Shared => {
                lowerer.check_shared_file(p);
                shared = types;
            }
            Module::Group(_) => {
                if let Some(group) = lowerer.lower_group(p, types) {
                    groups.push(group);
                }
            }
        }
    }
    let mut api = Api {
        shared,
        groups,
        errcodes: Vec::new(),
    };
    lowerer.check_duplicate_endpoints(&parsed, &api);
    lowerer.mark_usage(&mut api, &parsed);
    lowerer.check_examples(&api, &parsed);
    if lowerer.diagnostics.is_empty() {
        Ok(api)
    } else {
        Err(lowerer.diagnostics)
    }
}

fn module_of(p: &Parsed) -> Module {
    if p.stem == "shared" {
        Module::Shared
    } else {
        Module::Group(p.stem.clone())
    }
}

/// What the index knows of a declared type before its body is lowered.
struct Declared {
    module: Module,
    kind: Option<NamedKind>,
    file: FileId,
    span: Range<usize>,
}

struct Lowerer<'a> {
    files: &'a Files,
    diagnostics: Vec<Diagnostic>,
    index: BTreeMap<String, Declared>,
}

/// Names the runtime already uses at the crate root, so no group may take them.
const RESERVED_MODULES: &[&str] = &[
    "types",
    "rt",
    "client",
    "error",
    "call",
    "credentials",
    "secret",
    "wire",
    "endpoint",
    "transport",
    "generated",
    "prelude",
    "errcodes",
    // `Client` methods: the group accessor `client.<group>()` must not shadow them.
    "new",
    "builder",
    "corp_id",
    "base_url",
    "call",
    "execute",
    "access_token",
    "cached_token",
    "exchange",
];

/// Names generated setters and constructors may not take, because `Call` already has them.
const RESERVED_METHODS: &[&str] = &["new", "send", "request", "into_request", "client"];

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try",
];

static SNAKE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]*$").unwrap());
static PASCAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z][A-Za-z0-9]*$").unwrap());
static DOC_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^https://developer\.work\.weixin\.qq\.com/document/path/[0-9]+$").unwrap());
static API_PATH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^/cgi-bin(/[a-z0-9_]+)+$").unwrap());

const BUILTIN_NAMES: &[&str] = &[
    "string", "bool", "flag", "json", "file", "f64", "i32", "i64", "u8", "u16", "u32", "u64", "list", "map",
    "piped",
];

impl Lowerer<'_> {
    fn error(&mut self, file: FileId, range: Range<usize>, message: impl Into<String>) {
        self.diagnostics.push(
            Diagnostic::error()
                .with_message(message.into())
                .with_labels(vec![Label::primary(file, range)]),
        );
    }

    fn error_with_note(
        &mut self,
        file: FileId,
        range: Range<usize>,
        message: impl Into<String>,
        note: impl Into<String>,
    ) {
        self.diagnostics.push(
            Diagnostic::error()
                .with_message(message.into())
                .with_labels(vec![Label::primary(file, range)])
                .with_notes(vec![note.into()]),
        );
    }

    fn span<T>(&self, file: FileId, loc: &Loc<T>) -> Range<usize> {
        self.files.span_of(file, loc)
    }

    // -----------------------------------------------------------------------------------------
    // Type declarations, gathered first so that any file may refer to any type.

    fn declare_types(&mut self, p: &Parsed) {
        let module = module_of(p);
        for (name, def) in &p.spec.types.0 {
            let span = self.span(p.file, name);
            if !PASCAL.is_match(&name.value) {
                self.error(
                    p.file,
                    span.clone(),
                    format!("type name `{}` must be PascalCase", name.value),
                );
            }
            let kinds = [
                def.fields.as_ref().map(|_| NamedKind::Object),
                def.enumeration.as_ref().map(|values| {
                    if values
                        .value
                        .iter()
                        .all(|v| matches!(v.value.value, Scalar::Str(_)))
                    {
                        NamedKind::StrEnum
                    } else {
                        NamedKind::IntEnum
                    }
                }),
                def.union.as_ref().map(|_| NamedKind::Union),
            ];
            let present: Vec<NamedKind> = kinds.into_iter().flatten().collect();
            let kind = match present.as_slice() {
                [one] => Some(*one),
                [] => {
                    self.error(
                        p.file,
                        span.clone(),
                        format!("type `{}` needs one of `fields`, `enum` or `union`", name.value),
                    );
                    None
                }
                _ => {
                    self.error(
                        p.file,
                        span.clone(),
                        format!(
                            "type `{}` may have only one of `fields`, `enum` or `union`",
                            name.value
                        ),
                    );
                    None
                }
            };
            if let Some(previous) = self.index.get(&name.value) {
                let (prev_file, prev_span) = (previous.file, previous.span.clone());
                self.diagnostics.push(
                    Diagnostic::error()
                        .with_message(format!("type `{}` is declared twice", name.value))
                        .with_labels(vec![
                            Label::primary(p.file, span),
                            Label::secondary(prev_file, prev_span).with_message("first declared here"),
                        ]),
                );
                continue;
            }
            self.index.insert(
                name.value.clone(),
                Declared {
                    module: module.clone(),
                    kind,
                    file: p.file,
                    span,
                },
            );
        }
    }

    fn lower_types(&mut self, p: &Parsed, module: &Module) -> Vec<TypeDef> {
        let mut out = Vec::new();
        for (name, def) in &p.spec.types.0 {
            let Some(declared) = self.index.get(&name.value) else {
                continue;
            };
            if declared.file != p.file {
                continue; // a duplicate, reported already
            }
            let Some(kind) = declared.kind else {
                continue;
            };
            let description = text(&def.description);
            if description.is_empty() {
                let span = self.span(p.file, name);
                self.error(
                    p.file,
                    span,
                    format!("type `{}` needs a `description`", name.value),
                );
            }
            if let Some(repr) = def.repr.as_ref().filter(|_| kind != NamedKind::IntEnum) {
                let span = self.span(p.file, repr);
                self.error(p.file, span, "`repr` applies only to an integer `enum`");
            }
            let lowered = match kind {
                NamedKind::Object => {
                    let fields = def.fields.as_ref().unwrap();
                    let fields = self.lower_fields(p.file, module, &fields.value, FieldSite::Object);
                    TypeKind::Object { fields }
                }
                NamedKind::IntEnum => self.lower_int_enum(p.file, def),
                NamedKind::StrEnum => self.lower_str_enum(p.file, def),
                NamedKind::Union => self.lower_union(p.file, module, def.union.as_ref().unwrap()),
            };
            out.push(TypeDef {
                name: name.value.clone(),
                description,
                kind: lowered,
                usage: Usage::default(),
            });
        }
        out
    }

    fn lower_int_enum(&mut self, file: FileId, def: &spec::TypeDef) -> TypeKind {
        let repr = match &def.repr {
            None => IntKind::I32,
            Some(r) => match int_kind(&r.value) {
                Some(kind) => kind,
                None => {
                    let span = self.span(file, r);
                    self.error(file, span, format!("`repr: {}` is not an integer type", r.value));
                    IntKind::I32
                }
            },
        };
        let (lo, hi) = repr.bounds();
        let mut values = Vec::new();
        let mut seen_names = BTreeSet::new();
        let mut seen_values = BTreeSet::new();
        for v in &def.enumeration.as_ref().unwrap().value {
            let value = match &v.value.value {
                Scalar::Int(i) if (lo..=hi).contains(&i128::from(*i)) => *i,
                other => {
                    let span = self.span(file, &v.value);
                    self.error(
                        file,
                        span,
                        format!(
                            "enum value {other} is not an integer a `{}` can hold (an enum is all integers or all strings)",
                            repr.rust()
                        ),
                    );
                    continue;
                }
            };
            let name = self.enum_const_name(file, &v.name, &mut seen_names);
            if !seen_values.insert(value) {
                let span = self.span(file, &v.value);
                self.error(file, span, format!("enum value {value} is listed twice"));
            }
            values.push(EnumValue {
                value,
                name,
                description: v.description.clone().unwrap_or_default(),
            });
        }
        TypeKind::IntEnum { repr, values }
    }

    fn lower_str_enum(&mut self, file: FileId, def: &spec::TypeDef) -> TypeKind {
        let mut values = Vec::new();
        let mut seen_names = BTreeSet::new();
        let mut seen_values = BTreeSet::new();
        for v in &def.enumeration.as_ref().unwrap().value {
            let Scalar::Str(value) = &v.value.value else {
                continue;
            };
            let name = self.enum_const_name(file, &v.name, &mut seen_names);
            if !seen_values.insert(value.clone()) {
                let span = self.span(file, &v.value);
                self.error(file, span, format!("enum value {value:?} is listed twice"));
            }
            values.push(EnumValue {
                value: value.clone(),
                name,
                description: v.description.clone().unwrap_or_default(),
            });
        }
        TypeKind::StrEnum { values }
    }

    fn enum_const_name(&mut self, file: FileId, name: &Loc<String>, seen: &mut BTreeSet<String>) -> String {
        if !SNAKE.is_match(&name.value) {
            let span = self.span(file, name);
            self.error(
                file,
                span,
                format!("enum value name `{}` must be snake_case", name.value),
            );
        }
        let constant = heck::AsShoutySnakeCase(&name.value).to_string();
        if !seen.insert(constant.clone()) {
            let span = self.span(file, name);
            self.error(
                file,
                span,
                format!("enum value name `{}` is used twice", name.value),
            );
        }
        constant
    }

    fn lower_union(&mut self, file: FileId, module: &Module, union: &Loc<spec::Union>) -> TypeKind {
        let mut variants = Vec::new();
        for (key, variant) in &union.value.variants.0 {
            if !SNAKE.is_match(&key.value) {
                let span = self.span(file, key);
                self.error(file, span, format!("variant `{}` must be snake_case", key.value));
            }
            if key.value == union.value.tag.value {
                let span = self.span(file, key);
                self.error(file, span, "a variant may not share its name with the tag");
            }
            let Some(ty) = self.resolve(file, module, &variant.ty) else {
                continue;
            };
            let Ty::Named(reference) = ty else {
                let span = self.span(file, &variant.ty);
                self.error(
                    file,
                    span,
                    "a union variant's payload must be a named object type",
                );
                continue;
            };
            if reference.kind != NamedKind::Object {
                let span = self.span(file, &variant.ty);
                self.error(
                    file,
                    span,
                    "a union variant's payload must be a named object type",
                );
                continue;
            }
            variants.push(Variant {
                wire: key.value.clone(),
                rust: pascal(&key.value),
                ty: reference,
                description: variant.description.clone().unwrap_or_default(),
            });
        }
        if variants.is_empty() {
            let span = self.span(file, &union.value.tag);
            self.error(file, span, "a union needs at least one variant");
        }
        TypeKind::Union {
            tag: union.value.tag.value.clone(),
            variants,
        }
    }

    // -----------------------------------------------------------------------------------------
    // Type expressions.

    fn resolve(&mut self, file: FileId, module: &Module, written: &Loc<String>) -> Option<Ty> {
        let span = self.span(file, written);
        // Point into the written text when the YAML scalar is plain (its span starts at the text).
        let base = if self.files.source(file)[span.start..].starts_with(&written.value) {
            Some(span.start)
        } else {
            None
        };
        let at = |offset: usize, len: usize| match base {
            Some(start) => start + offset..start + offset + len.max(1),
            None => span.clone(),
        };
        match types::parse(&written.value) {
            Err(err) => {
                self.error(
                    file,
                    at(err.offset, 1),
                    format!("malformed type `{}`: {}", written.value, err.message),
                );
                None
            }
            Ok(expr) => self.resolve_expr(file, module, &expr, &at),
        }
    }

    fn resolve_expr(
        &mut self,
        file: FileId,
        module: &Module,
        expr: &TypeExpr,
        at: &dyn Fn(usize, usize) -> Range<usize>,
    ) -> Option<Ty> {
        let here = at(expr.offset, expr.name.len());
        let generic = matches!(expr.name.as_str(), "list" | "map" | "piped");
        if generic && expr.args.len() != 1 {
            self.error(
                file,
                here,
                format!("`{}` takes one type: `{}<T>`", expr.name, expr.name),
            );
            return None;
        }
        if !generic && !expr.args.is_empty() {
            self.error(file, here, format!("`{}` takes no type arguments", expr.name));
            return None;
        }
        let ty = match expr.name.as_str() {
            "string" => Ty::String,
            "bool" => Ty::Bool,
            "flag" => Ty::Flag,
            "json" => Ty::Json,
            "file" => Ty::File,
            "f64" => Ty::F64,
            "list" => Ty::List(Box::new(self.resolve_expr(file, module, &expr.args[0], at)?)),
            "map" => Ty::Map(Box::new(self.resolve_expr(file, module, &expr.args[0], at)?)),
            "piped" => {
                let inner = self.resolve_expr(file, module, &expr.args[0], at)?;
                if !matches!(inner, Ty::String | Ty::Int(_)) {
                    let inner_at = at(expr.args[0].offset, expr.args[0].name.len());
                    self.error(file, inner_at, "`piped<T>` joins strings or integers only");
                    return None;
                }
                Ty::Piped(Box::new(inner))
            }
            name => {
                if let Some(kind) = int_kind(name) {
                    Ty::Int(kind)
                } else {
                    return self.resolve_named(file, module, name, here);
                }
            }
        };
        Some(ty)
    }

    fn resolve_named(&mut self, file: FileId, module: &Module, name: &str, here: Range<usize>) -> Option<Ty> {
        let Some(declared) = self.index.get(name) else {
            let candidates = BUILTIN_NAMES
                .iter()
                .copied()
                .chain(self.index.keys().map(String::as_str));
            let message = format!("unknown type `{name}`");
            match closest(name, candidates) {
                Some(best) => self.error_with_note(file, here, message, format!("did you mean `{best}`?")),
                None => self.error_with_note(
                    file,
                    here,
                    message,
                    "declare it under `types:` (or `spec/shared.yaml` when several groups use it)",
                ),
            }
            return None;
        };
        let kind = declared.kind?;
        if declared.module != Module::Shared && &declared.module != module {
            let owner = match &declared.module {
                Module::Group(g) => g.clone(),
                Module::Shared => unreachable!("shared types are visible everywhere"),
            };
            self.error_with_note(
                file,
                here,
                format!("type `{name}` belongs to group `{owner}`"),
                "a group may use only its own types and those of spec/shared.yaml; move the type there",
            );
            return None;
        }
        Some(Ty::Named(TypeRef {
            name: name.to_string(),
            module: declared.module.clone(),
            kind,
        }))
    }

    // -----------------------------------------------------------------------------------------
    // Fields.

    fn lower_fields(
        &mut self,
        file: FileId,
        module: &Module,
        entries: &spec::Entries<spec::Field>,
        site: FieldSite,
    ) -> Vec<Field> {
        let mut out = Vec::new();
        let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
        for (wire, field) in &entries.0 {
            let Some(lowered) = self.lower_field(file, module, wire, field, site) else {
                continue;
            };
            if let Some(other) = rust_names.insert(lowered.rust.clone(), wire.value.clone()) {
                let span = self.span(file, wire);
                self.error_with_note(
                    file,
                    span,
                    format!(
                        "`{}` and `{other}` would both be the Rust field `{}`",
                        wire.value, lowered.rust
                    ),
                    "give one of them a `rust_name`",
                );
            }
            out.push(lowered);
        }
        out
    }

    fn lower_field(
        &mut self,
        file: FileId,
        module: &Module,
        wire: &Loc<String>,
        field: &spec::Field,
        site: FieldSite,
    ) -> Option<Field> {
        let wire_span = self.span(file, wire);
        let rust = match &field.rust_name {
            Some(name) => {
                if !SNAKE.is_match(&name.value) || RUST_KEYWORDS.contains(&name.value.as_str()) {
                    let span = self.span(file, name);
                    self.error(
                        file,
                        span,
                        format!("`rust_name: {}` must be a snake_case identifier", name.value),
                    );
                }
                name.value.clone()
            }
            None => {
                let snake = heck::AsSnakeCase(&wire.value).to_string();
                if !SNAKE.is_match(&snake) {
                    self.error_with_note(
                        file,
                        wire_span.clone(),
                        format!("`{}` has no Rust name of its own", wire.value),
                        "give it a `rust_name`",
                    );
                }
                if RUST_KEYWORDS.contains(&snake.as_str()) {
                    format!("{snake}_")
                } else {
                    snake
                }
            }
        };
        if site == FieldSite::Request && RESERVED_METHODS.contains(&rust.as_str()) {
            self.error_with_note(
                file,
                wire_span.clone(),
                format!("the parameter `{}` would clash with `Call::{rust}`", wire.value),
                "give it a `rust_name`",
            );
        }
        let Some(written_ty) = &field.ty else {
            self.error(file, wire_span, format!("field `{}` needs a `type`", wire.value));
            return None;
        };
        let Some(ty) = self.resolve(file, module, written_ty) else {
            // Already reported. Keep the field (as free JSON) so that later checks, such as
            // example keys, do not report it missing as well.
            return Some(Field {
                wire: wire.value.clone(),
                rust,
                ty: Ty::Json,
                required: field.required.unwrap_or(false),
                description: String::new(),
                default: None,
                limits: Limits::default(),
                placement: Placement::Body,
                as_string: false,
                secret: false,
                flatten: false,
                json_reason: None,
            });
        };
        let ty_span = self.span(file, written_ty);
        if site != FieldSite::Request && contains_file(&ty) {
            self.error(
                file,
                ty_span.clone(),
                "`file` is for request parameters of `body: multipart` endpoints",
            );
        }

        let placement = match (&field.placement, site) {
            (None, FieldSite::Request) => Placement::Body, // settled per endpoint by `placement_default`
            (None, _) => Placement::Body,
            (Some(p), FieldSite::Request) => match p.value.as_str() {
                "query" => Placement::Query,
                "body" => Placement::Body,
                other => {
                    let span = self.span(file, p);
                    self.error(
                        file,
                        span,
                        format!("`in: {other}`: a parameter travels in `query` or `body`"),
                    );
                    Placement::Body
                }
            },
            (Some(p), _) => {
                let span = self.span(file, p);
                self.error(file, span, "`in` applies only to request parameters");
                Placement::Body
            }
        };

        let as_string = match &field.wire {
            None => false,
            Some(w) if w.value == "string" => {
                let scalar = ty.element();
                if !(scalar.is_integer() || matches!(scalar, Ty::F64)) {
                    let span = self.span(file, w);
                    self.error(file, span, "`wire: string` applies to numbers and integer enums");
                }
                if ty.is_list() {
                    let span = self.span(file, w);
                    self.error(
                        file,
                        span,
                        "`wire: string` applies to a single number, not a list",
                    );
                }
                true
            }
            Some(w) => {
                let span = self.span(file, w);
                self.error(
                    file,
                    span,
                    format!("`wire: {}`: the only wire override is `string`", w.value),
                );
                false
            }
        };

        let secret = field.secret.unwrap_or(false);
        if secret && ty != Ty::String {
            self.error(file, ty_span.clone(), "a `secret` field must be a `string`");
        }
        if ty == Ty::Json && field.json_reason.as_deref().is_none_or(str::is_empty) {
            self.error_with_note(
                file,
                ty_span.clone(),
                format!("`{}` is `json` without a `json_reason`", wire.value),
                "typed fields are the rule; say why the official docs leave this one free-form",
            );
        }
        let flatten = field.flatten.as_ref().is_some_and(|f| f.value);
        if let Some(f) = field.flatten.as_ref().filter(|f| f.value) {
            let is_union = matches!(&ty, Ty::Named(r) if r.kind == NamedKind::Union);
            if site != FieldSite::Request || !is_union {
                let span = self.span(file, f);
                self.error(
                    file,
                    span,
                    "`flatten` applies only to a request parameter of a union type",
                );
            }
        }
        let limits = match &field.limits {
            Some(limits) => self.lower_limits(file, &ty, limits),
            None => Limits::default(),
        };
        let default = field.default.as_ref().map(|d| {
            if !scalar_fits(&d.value, ty.element()) {
                let span = self.span(file, d);
                self.error(
                    file,
                    span,
                    format!("default {} does not fit the field's type", d.value),
                );
            }
            match &d.value {
                Scalar::Str(s) => s.clone(),
                other => other.to_string(),
            }
        });
        Some(Field {
            wire: wire.value.clone(),
            rust,
            ty,
            required: field.required.unwrap_or(false),
            description: field.description.clone().unwrap_or_default().trim().to_string(),
            default,
            limits,
            placement,
            as_string,
            secret,
            flatten,
            json_reason: field.json_reason.clone(),
        })
    }

    fn lower_limits(&mut self, file: FileId, ty: &Ty, limits: &Loc<spec::Limits>) -> Limits {
        let element = ty.element();
        let mut out = Limits::default();
        let l = &limits.value;
        if let Some(length) = &l.length {
            let span = self.span(file, length);
            if !element.is_textual() {
                self.error(file, span.clone(), "a `length` limit applies to strings");
            }
            let unit = match &length.value.unit {
                None => {
                    self.error_with_note(
                        file,
                        span.clone(),
                        "a `length` limit needs a `unit`",
                        "the official docs count either 字节 (`unit: bytes`) or 字符 (`unit: chars`)",
                    );
                    LengthUnit::Chars
                }
                Some(u) => match u.value.as_str() {
                    "bytes" => LengthUnit::Bytes,
                    "chars" => LengthUnit::Chars,
                    other => {
                        let span = self.span(file, u);
                        self.error(
                            file,
                            span,
                            format!("unknown length unit `{other}`: use `bytes` or `chars`"),
                        );
                        LengthUnit::Chars
                    }
                },
            };
            let (min, max) = self.bounds(file, span, length.value.min, length.value.max, "length");
            out.length = Some((min, max, unit));
        }
        if let Some(items) = &l.items {
            let span = self.span(file, items);
            if !ty.is_collection() {
                self.error(file, span.clone(), "an `items` limit applies to lists");
            }
            out.items = Some(self.bounds(file, span, items.value.min, items.value.max, "items"));
        }
        if let Some(range) = &l.range {
            let span = self.span(file, range);
            if !element.is_numeric() {
                self.error(file, span.clone(), "a `range` limit applies to numbers");
            }
            let (min, max) = (range.value.min, range.value.max);
            if min.is_none() && max.is_none() {
                self.error(file, span.clone(), "a `range` needs a `min`, a `max` or both");
            }
            if let (Some(lo), Some(hi)) = (min, max)
                && lo > hi
            {
                self.error(
                    file,
                    span.clone(),
                    format!("`range` min {lo} is above its max {hi}"),
                );
            }
            if let Ty::Int(kind) = element {
                let (lo, hi) = kind.bounds();
                for bound in [min, max].into_iter().flatten() {
                    if !(lo..=hi).contains(&i128::from(bound)) {
                        self.error(
                            file,
                            span.clone(),
                            format!("`range` bound {bound} does not fit a `{}`", kind.rust()),
                        );
                    }
                }
            }
            out.range = Some((min, max));
        }
        if let Some(size) = &l.size {
            let span = self.span(file, size);
            if *ty != Ty::File {
                self.error(file, span.clone(), "a `size` limit applies to `file` parameters");
            }
            out.size = Some(self.bounds(file, span, size.value.min, size.value.max, "size"));
        }
        if let Some(values) = &l.values {
            let span = self.span(file, values);
            if values.value.is_empty() {
                self.error(file, span.clone(), "`values` lists no value");
            }
            for value in &values.value {
                if !scalar_fits(value, element) || matches!(value, Scalar::Bool(_) | Scalar::Float(_)) {
                    self.error(
                        file,
                        span.clone(),
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
        if let Some(pattern) = &l.pattern {
            let span = self.span(file, pattern);
            if !element.is_textual() {
                self.error(file, span.clone(), "a `pattern` applies to strings");
            }
            if let Err(err) = Regex::new(&pattern.value) {
                let first = err
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                self.error(
                    file,
                    span,
                    format!("`pattern` is not a valid regular expression: {first}"),
                );
            }
            out.pattern = Some(pattern.value.clone());
        }
        out
    }

    fn bounds(
        &mut self,
        file: FileId,
        span: Range<usize>,
        min: Option<i64>,
        max: Option<i64>,
        what: &str,
    ) -> (Option<u64>, Option<u64>) {
        if min.is_none() && max.is_none() {
            self.error(
                file,
                span.clone(),
                format!("`{what}` needs a `min`, a `max` or both"),
            );
        }
        for bound in [min, max].into_iter().flatten() {
            if bound < 0 {
                self.error(file, span.clone(), format!("`{what}` bound {bound} is negative"));
            }
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.error(
                file,
                span.clone(),
                format!("`{what}` min {lo} is above its max {hi}"),
            );
        }
        (
            min.and_then(|v| u64::try_from(v).ok()),
            max.and_then(|v| u64::try_from(v).ok()),
        )
    }

    // -----------------------------------------------------------------------------------------
    // Files and groups.

    fn check_shared_file(&mut self, p: &Parsed) {
        let s = &p.spec;
        let stray: [(&str, Option<Range<usize>>); 4] = [
            ("group", s.group.as_ref().map(|v| self.files.span_of(p.file, v))),
            (
                "endpoints",
                s.endpoints.as_ref().map(|v| self.files.span_of(p.file, v)),
            ),
            ("core", s.core.as_ref().map(|v| self.files.span_of(p.file, v))),
            ("doc", s.doc.as_ref().map(|v| self.files.span_of(p.file, v))),
        ];
        for (key, span) in stray {
            if let Some(span) = span {
                self.error(
                    p.file,
                    span,
                    format!("spec/shared.yaml holds only types; `{key}` belongs in a group file"),
                );
            }
        }
    }

    fn lower_group(&mut self, p: &Parsed, types: Vec<TypeDef>) -> Option<Group> {
        let file = p.file;
        let s = &p.spec;
        let start = 0..1;
        let Some(group) = &s.group else {
            self.error(
                file,
                start,
                format!("`{}` needs `group: {}`", self.files.name(file), p.stem),
            );
            return None;
        };
        let group_span = self.span(file, group);
        if group.value != p.stem {
            self.error(
                file,
                group_span.clone(),
                format!(
                    "`group: {}` must match the file name `{}.yaml`",
                    group.value, p.stem
                ),
            );
        }
        if !SNAKE.is_match(&group.value) || RUST_KEYWORDS.contains(&group.value.as_str()) {
            self.error(
                file,
                group_span.clone(),
                format!("group name `{}` must be a snake_case identifier", group.value),
            );
        }
        if RESERVED_MODULES.contains(&group.value.as_str()) {
            self.error(
                file,
                group_span.clone(),
                format!(
                    "`{}` is taken by the runtime; choose another group name",
                    group.value
                ),
            );
        }
        let title = self.required_text(file, &s.title, "title", group_span.clone());
        let summary = self.required_text(file, &s.summary, "summary", group_span.clone());
        let doc = self.doc_link(file, &s.doc, group_span.clone());
        let core = s.core.as_ref().is_some_and(|c| c.value);
        let module = Module::Group(group.value.clone());

        let mut endpoints = Vec::new();
        match &s.endpoints {
            None => self.error(file, group_span.clone(), "a group needs `endpoints`"),
            Some(entries) => {
                for (name, endpoint) in &entries.value.0 {
                    if let Some(e) = self.lower_endpoint(file, &module, name, endpoint) {
                        endpoints.push(e);
                    }
                }
            }
        }
        let group = Group {
            name: group.value.clone(),
            title,
            summary,
            doc,
            core,
            source: self.files.name(file).to_string(),
            types,
            endpoints,
        };
        self.check_generated_names(p, &group);
        Some(group)
    }

    /// Type names must not collide with the names generated for endpoints and the group handle.
    fn check_generated_names(&mut self, p: &Parsed, group: &Group) {
        let mut generated: BTreeMap<String, String> = BTreeMap::new();
        generated.insert(group.api_type(), "the group's API handle".into());
        for e in &group.endpoints {
            generated.insert(e.request_type(), format!("the request of `{}`", e.name));
            generated.insert(e.response_type(), format!("the response of `{}`", e.name));
        }
        for (name, _) in &p.spec.types.0 {
            if let Some(what) = generated.get(&name.value) {
                let span = self.span(p.file, name);
                self.error(
                    p.file,
                    span,
                    format!("type name `{}` is taken by {what}", name.value),
                );
            }
        }
    }

    fn required_text(
        &mut self,
        file: FileId,
        value: &Option<Loc<String>>,
        key: &str,
        fallback: Range<usize>,
    ) -> String {
        match value {
            Some(v) if !v.value.trim().is_empty() => v.value.trim().to_string(),
            _ => {
                self.error(file, fallback, format!("missing `{key}`"));
                String::new()
            }
        }
    }

    fn doc_link(&mut self, file: FileId, doc: &Option<Loc<String>>, fallback: Range<usize>) -> String {
        match doc {
            None => {
                self.error_with_note(
                    file,
                    fallback,
                    "missing doc link",
                    "add `doc: https://developer.work.weixin.qq.com/document/path/NNNNN`",
                );
                String::new()
            }
            Some(d) if !DOC_LINK.is_match(&d.value) => {
                let span = self.span(file, d);
                self.error_with_note(
                    file,
                    span,
                    format!("malformed doc link `{}`", d.value),
                    "official links look like https://developer.work.weixin.qq.com/document/path/NNNNN",
                );
                d.value.clone()
            }
            Some(d) => d.value.clone(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Endpoints.

    fn lower_endpoint(
        &mut self,
        file: FileId,
        module: &Module,
        name: &Loc<String>,
        e: &spec::Endpoint,
    ) -> Option<Endpoint> {
        let here = self.span(file, name);
        if !SNAKE.is_match(&name.value) || RUST_KEYWORDS.contains(&name.value.as_str()) {
            self.error(
                file,
                here.clone(),
                format!("endpoint name `{}` must be a snake_case identifier", name.value),
            );
        }
        let summary = self.required_text(file, &e.summary, "summary", here.clone());
        let doc = self.doc_link(file, &e.doc, here.clone());
        let method = match &e.method {
            None => {
                self.error(file, here.clone(), "missing `method` (GET or POST)");
                None
            }
            Some(m) => match m.value.as_str() {
                "GET" => Some(Method::Get),
                "POST" => Some(Method::Post),
                other => {
                    let span = self.span(file, m);
                    self.error(
                        file,
                        span,
                        format!("`method: {other}`: WeCom endpoints are `GET` or `POST`"),
                    );
                    None
                }
            },
        };
        let path = match &e.path {
            None => {
                self.error(file, here.clone(), "missing `path`");
                String::new()
            }
            Some(p) => {
                if !API_PATH.is_match(&p.value) {
                    let span = self.span(file, p);
                    self.error_with_note(
                        file,
                        span,
                        format!("malformed path `{}`", p.value),
                        "a path is the full path without query, such as /cgi-bin/user/get",
                    );
                }
                p.value.clone()
            }
        };
        let auth = match &e.auth {
            None => {
                self.error(file, here.clone(), "missing `auth` (access_token or none)");
                Auth::AccessToken
            }
            Some(a) => match a.value.as_str() {
                "access_token" => Auth::AccessToken,
                "provider_access_token" => Auth::ProviderAccessToken,
                "suite_access_token" => Auth::SuiteAccessToken,
                "none" => Auth::None,
                other => {
                    let span = self.span(file, a);
                    self.error(
                        file,
                        span,
                        format!(
                            "unknown credential `{other}`: use `access_token`, `provider_access_token`, `suite_access_token` or `none`"
                        ),
                    );
                    Auth::AccessToken
                }
            },
        };
        let body = match (&e.body, method) {
            (None, Some(Method::Post)) => BodyKind::Json,
            (None, _) => BodyKind::None,
            (Some(b), m) => match b.value.as_str() {
                "json" if m == Some(Method::Get) => {
                    let span = self.span(file, b);
                    self.error(file, span, "a GET request has no body");
                    BodyKind::None
                }
                "json" => BodyKind::Json,
                "multipart" => BodyKind::Multipart,
                "none" => BodyKind::None,
                other => {
                    let span = self.span(file, b);
                    self.error(
                        file,
                        span,
                        format!("unknown body kind `{other}`: use `json`, `multipart` or `none`"),
                    );
                    BodyKind::None
                }
            },
        };

        let mut params = self.lower_fields(file, module, &e.request, FieldSite::Request);
        for ((wire, written), param) in e.request.0.iter().zip(&mut params) {
            if written.placement.is_none() {
                param.placement = match body {
                    BodyKind::Json => Placement::Body,
                    BodyKind::Multipart if param.ty == Ty::File => Placement::Body,
                    _ => Placement::Query,
                };
            }
            let span = self.span(file, wire);
            if param.ty == Ty::File && (body != BodyKind::Multipart || param.placement != Placement::Body) {
                self.error(
                    file,
                    span.clone(),
                    format!(
                        "`{}` is a file: it travels in a `body: multipart` form",
                        param.wire
                    ),
                );
            }
            if body == BodyKind::Multipart && param.ty != Ty::File && param.placement == Placement::Body {
                self.error(
                    file,
                    span.clone(),
                    format!(
                        "`{}`: a multipart body carries only files; other parameters travel in the query",
                        param.wire
                    ),
                );
            }
            if param.placement == Placement::Body && body == BodyKind::None {
                self.error(
                    file,
                    span.clone(),
                    format!("`{}` travels in the body, but this endpoint has none", param.wire),
                );
            }
            if param.placement == Placement::Query && !query_capable(&param.ty) {
                self.error(
                    file,
                    span.clone(),
                    format!(
                        "`{}` cannot travel in the query: only scalars and `piped` lists can",
                        param.wire
                    ),
                );
            }
            if param.flatten && param.placement != Placement::Body {
                self.error(file, span, "a flattened union travels in the body");
            }
        }
        if params.iter().filter(|p| p.flatten).count() > 1 {
            self.error(file, here.clone(), "at most one parameter may be flattened");
        }

        let mut constraints = Vec::new();
        for c in &e.constraints {
            if let Some(lowered) = self.lower_constraint(file, c, &params) {
                constraints.push(lowered);
            }
        }

        let response = match &e.response {
            None => Response::Fields(Vec::new()),
            Some(r) if r.value.binary.as_ref().is_some_and(|b| b.value) => {
                if r.value.fields.is_some() || r.value.ty.is_some() {
                    let span = self.span(file, r);
                    self.error(file, span, "a `binary` answer has no `fields` or `type`");
                }
                Response::Binary
            }
            Some(r) => match (&r.value.fields, &r.value.ty) {
                (Some(fields), None) => {
                    Response::Fields(self.lower_fields(file, module, fields, FieldSite::Response))
                }
                (None, Some(ty)) => match self.resolve(file, module, ty) {
                    Some(Ty::Named(reference)) if reference.kind == NamedKind::Object => {
                        Response::Named(reference)
                    }
                    Some(_) => {
                        let span = self.span(file, ty);
                        self.error(file, span, "`response.type` must name an object type");
                        Response::Fields(Vec::new())
                    }
                    None => Response::Fields(Vec::new()),
                },
                _ => {
                    let span = self.span(file, r);
                    self.error(file, span, "`response` has either `fields` or `type`");
                    Response::Fields(Vec::new())
                }
            },
        };

        let pagination = e
            .pagination
            .as_ref()
            .and_then(|p| self.lower_pagination(file, p, &params, &response));

        let mut more_requests = Vec::new();
        let (example_request, example_response) = match &e.example {
            None => {
                self.error_with_note(
                    file,
                    here.clone(),
                    format!("endpoint `{}` has no `example`", name.value),
                    "copy the documented response (and request) from the official page",
                );
                (None, String::new())
            }
            Some(example) => {
                let response = match &example.value.response {
                    None => {
                        let span = self.span(file, example);
                        self.error(
                            file,
                            span,
                            "missing `example.response`: the documented response body",
                        );
                        String::new()
                    }
                    Some(r) => {
                        self.check_json(file, r);
                        r.value.clone()
                    }
                };
                let request = example.value.request.as_ref().map(|r| {
                    self.check_json(file, r);
                    r.value.clone()
                });
                for (label, text) in &example.value.more_requests.0 {
                    if !SNAKE.is_match(&label.value) {
                        let span = self.span(file, label);
                        self.error(
                            file,
                            span,
                            format!("example label `{}` must be snake_case", label.value),
                        );
                    }
                    self.check_json(file, text);
                    more_requests.push((label.value.clone(), text.value.clone()));
                }
                if request.is_none() && !params.is_empty() {
                    let span = self.span(file, example);
                    self.error(file, span, "missing `example.request`: the documented request, one JSON object of all parameters");
                }
                (request, response)
            }
        };

        Some(Endpoint {
            name: name.value.clone(),
            summary,
            description: e.description.clone().map(|d| d.trim().to_string()),
            method: method.unwrap_or(Method::Get),
            path,
            doc,
            auth,
            body,
            idempotent: e.idempotent.unwrap_or(method == Some(Method::Get)),
            params,
            constraints,
            response,
            pagination,
            example_request,
            more_requests,
            example_response,
            notes: e.notes.clone().map(|n| n.trim().to_string()),
        })
    }

    fn lower_pagination(
        &mut self,
        file: FileId,
        p: &Loc<spec::Pagination>,
        params: &[Field],
        response: &Response,
    ) -> Option<Pagination> {
        let span = self.span(file, p);
        let Response::Fields(fields) = response else {
            self.error(file, span, "`pagination` needs a response with `fields`");
            return None;
        };
        let v = &p.value;
        let Some(items) = &v.items else {
            self.error(
                file,
                span,
                "`pagination` names the response list it walks: `items: ...`",
            );
            return None;
        };
        let mut ok = true;
        match fields.iter().find(|f| f.wire == items.value) {
            Some(f) if matches!(f.ty, Ty::List(_)) => {}
            Some(_) => {
                let s = self.span(file, items);
                self.error(file, s, format!("`items: {}` is not a list", items.value));
                ok = false;
            }
            None => {
                let s = self.span(file, items);
                self.error(
                    file,
                    s,
                    format!("`items: {}` is not a response field", items.value),
                );
                ok = false;
            }
        }
        match (&v.cursor, &v.offset) {
            (Some(cursor), None) => {
                if v.limit.is_some() {
                    self.error(
                        file,
                        span.clone(),
                        "`limit` belongs to offset paging; cursor paging needs `cursor` and `next`",
                    );
                }
                let Some(next) = &v.next else {
                    self.error(
                        file,
                        span,
                        "cursor paging needs `next`: the response field with the next cursor",
                    );
                    return None;
                };
                let cursor_field = self.pagination_param(file, params, cursor, "cursor");
                let next_field = fields.iter().find(|f| f.wire == next.value).cloned();
                if next_field.is_none() {
                    let s = self.span(file, next);
                    self.error(file, s, format!("`next: {}` is not a response field", next.value));
                    ok = false;
                }
                if let (Some(c), Some(n)) = (&cursor_field, &next_field) {
                    let scalar = |t: &Ty| matches!(t, Ty::String | Ty::Int(_));
                    if !scalar(&c.ty) || c.ty != n.ty {
                        let s = self.span(file, next);
                        self.error(file, s, "the cursor parameter and the `next` field must be the same string or integer type");
                        ok = false;
                    }
                }
                if let Some(last) = &v.last {
                    match fields.iter().find(|f| f.wire == last.value) {
                        Some(f) if matches!(f.ty, Ty::Flag | Ty::Bool) => {}
                        _ => {
                            let s = self.span(file, last);
                            self.error(
                                file,
                                s,
                                format!("`last: {}` is not a boolean response field", last.value),
                            );
                            ok = false;
                        }
                    }
                }
                (ok && cursor_field.is_some()).then(|| Pagination::Cursor {
                    cursor: cursor.value.clone(),
                    next: next.value.clone(),
                    items: items.value.clone(),
                    last: v.last.as_ref().map(|l| l.value.clone()),
                })
            }
            (None, Some(offset)) => {
                if v.next.is_some() || v.last.is_some() {
                    self.error(
                        file,
                        span.clone(),
                        "`next` and `last` belong to cursor paging; offset paging needs `offset` and `limit`",
                    );
                }
                let Some(limit) = &v.limit else {
                    self.error(file, span, "offset paging needs `limit`: the page-size parameter");
                    return None;
                };
                let offset_field = self.pagination_param(file, params, offset, "offset");
                let limit_field = self.pagination_param(file, params, limit, "limit");
                for f in [&offset_field, &limit_field].into_iter().flatten() {
                    if !matches!(f.ty, Ty::Int(_)) {
                        self.error(
                            file,
                            span.clone(),
                            format!("`{}` must be an integer parameter", f.wire),
                        );
                        ok = false;
                    }
                }
                (ok && offset_field.is_some() && limit_field.is_some()).then(|| Pagination::Offset {
                    offset: offset.value.clone(),
                    limit: limit.value.clone(),
                    items: items.value.clone(),
                })
            }
            _ => {
                self.error(
                    file,
                    span,
                    "`pagination` has either `cursor` (with `next`) or `offset` (with `limit`)",
                );
                None
            }
        }
    }

    fn pagination_param(
        &mut self,
        file: FileId,
        params: &[Field],
        name: &Loc<String>,
        what: &str,
    ) -> Option<Field> {
        let found = params.iter().find(|f| f.wire == name.value).cloned();
        if found.is_none() {
            let s = self.span(file, name);
            self.error(
                file,
                s,
                format!("`{what}: {}` is not a request parameter", name.value),
            );
        }
        found
    }

    fn lower_constraint(
        &mut self,
        file: FileId,
        c: &Loc<spec::Constraint>,
        params: &[Field],
    ) -> Option<Constraint> {
        let span = self.span(file, c);
        type Make = fn(Vec<String>) -> Constraint;
        let (names, make): (&Vec<Loc<String>>, Make) =
            match (&c.value.at_least_one_of, &c.value.at_most_one_of) {
                (Some(names), None) => (names, Constraint::AtLeastOneOf),
                (None, Some(names)) => (names, Constraint::AtMostOneOf),
                _ => {
                    self.error(
                        file,
                        span,
                        "a constraint is `at_least_one_of: [...]` or `at_most_one_of: [...]`",
                    );
                    return None;
                }
            };
        if names.len() < 2 {
            self.error(file, span.clone(), "a constraint names at least two parameters");
        }
        let mut out = Vec::new();
        for n in names {
            match params.iter().find(|p| p.wire == n.value) {
                None => {
                    let s = self.span(file, n);
                    self.error(
                        file,
                        s,
                        format!("constraint names `{}`, which is not a parameter", n.value),
                    );
                }
                Some(p) if p.required => {
                    let s = self.span(file, n);
                    self.error(
                        file,
                        s,
                        format!("`{}` is required, so the constraint always holds", n.value),
                    );
                }
                Some(p) => out.push(p.wire.clone()),
            }
        }
        Some(make(out))
    }

    fn check_json(&mut self, file: FileId, text: &Loc<String>) {
        if let Err(err) = serde_json::from_str::<serde_json::Value>(&text.value) {
            let range = self.locate_in_block(file, text, err.line(), err.column());
            self.error(file, range, format!("example is not valid JSON: {err}"));
        }
    }

    /// Maps a 1-based line and column inside a YAML block scalar to the source.
    fn locate_in_block(&self, file: FileId, text: &Loc<String>, line: usize, column: usize) -> Range<usize> {
        let source = self.files.source(file);
        let start = self.span(file, text).start;
        let first = text.value.lines().next().unwrap_or_default();
        if first.is_empty() {
            return start..start + 1;
        }
        // The content starts at the first occurrence of its first line after the key.
        let Some(content) = source[start..].find(first).map(|i| start + i) else {
            return start..start + 1;
        };
        let mut offset = content;
        let mut remaining = line.saturating_sub(1);
        while remaining > 0 {
            match source[offset..].find('\n') {
                Some(i) => offset += i + 1,
                None => break,
            }
            remaining -= 1;
        }
        let line_text = &source[offset..source[offset..].find('\n').map_or(source.len(), |i| offset + i)];
        let indent = line_text.len() - line_text.trim_start().len();
        let at = (offset + indent + column.saturating_sub(1)).min(source.len());
        at..(at + 1).min(source.len())
    }

    // -----------------------------------------------------------------------------------------
    // Whole-API checks.

    fn check_duplicate_endpoints(&mut self, parsed: &[Parsed], api: &Api) {
        let mut seen: BTreeMap<(Method, String), (String, String)> = BTreeMap::new();
        for group in &api.groups {
            for e in &group.endpoints {
                let key = (e.method, e.path.clone());
                if let Some((g, n)) = seen.get(&key) {
                    let (file, span) = endpoint_span(self.files, parsed, &group.name, &e.name);
                    self.error(
                        file,
                        span,
                        format!(
                            "duplicate endpoint: {} {} is already `{g}.{n}`",
                            e.method.as_str(),
                            e.path
                        ),
                    );
                } else {
                    seen.insert(key, (group.name.clone(), e.name.clone()));
                }
            }
        }
    }

    fn mark_usage(&mut self, api: &mut Api, parsed: &[Parsed]) {
        let mut request: BTreeSet<String> = BTreeSet::new();
        let mut response: BTreeSet<String> = BTreeSet::new();
        let all: BTreeMap<String, TypeDef> = api
            .types()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        for group in &api.groups {
            for e in &group.endpoints {
                for p in &e.params {
                    reach(&p.ty, &all, &mut request);
                }
                match &e.response {
                    Response::Fields(fields) => fields.iter().for_each(|f| reach(&f.ty, &all, &mut response)),
                    Response::Named(r) => reach(&Ty::Named(r.clone()), &all, &mut response),
                    Response::Binary => {}
                }
            }
        }
        let types = api
            .shared
            .iter_mut()
            .chain(api.groups.iter_mut().flat_map(|g| g.types.iter_mut()));
        for t in types {
            t.usage = Usage {
                request: request.contains(&t.name),
                response: response.contains(&t.name),
            };
            if t.usage.response && matches!(t.kind, TypeKind::Union { .. }) {
                if let Some((file, span)) = type_span(self.files, parsed, &t.name) {
                    self.error(
                        file,
                        span,
                        format!(
                            "union `{}` is used in a response; unions are for requests",
                            t.name
                        ),
                    );
                }
            }
        }
    }

    fn check_examples(&mut self, api: &Api, parsed: &[Parsed]) {
        let all = api.types();
        for group in &api.groups {
            for e in &group.endpoints {
                let (file, span) = endpoint_span(self.files, parsed, &group.name, &e.name);
                // Flattened union keys must not collide with the other parameters.
                if let Some(flat) = e.params.iter().find(|p| p.flatten)
                    && let Ty::Named(r) = &flat.ty
                    && let Some(TypeKind::Union { tag, variants }) = all.get(r.name.as_str()).map(|t| &t.kind)
                {
                    for p in e.params.iter().filter(|p| !p.flatten) {
                        if &p.wire == tag || variants.iter().any(|v| v.wire == p.wire) {
                            self.error(
                                file,
                                span.clone(),
                                format!(
                                    "parameter `{}` collides with a key of the flattened union `{}`",
                                    p.wire, r.name
                                ),
                            );
                        }
                    }
                }
                let mut problems = Vec::new();
                let requests = e
                    .example_request
                    .iter()
                    .map(|r| ("example.request".to_string(), r))
                    .chain(
                        e.more_requests
                            .iter()
                            .map(|(label, r)| (format!("example.more_requests.{label}"), r)),
                    );
                for (what, request) in requests {
                    let Ok(value) = serde_json::from_str::<serde_json::Value>(request) else {
                        continue;
                    };
                    match &value {
                        serde_json::Value::Object(map) => {
                            check_object_keys(map, &e.params, &all, &what, &mut problems)
                        }
                        _ => problems.push(format!("{what} must be a JSON object")),
                    }
                }
                if let Ok(value) = serde_json::from_str::<serde_json::Value>(&e.example_response) {
                    let fields: Vec<Field> = match &e.response {
                        Response::Fields(f) => f.clone(),
                        Response::Named(r) => match all.get(r.name.as_str()).map(|t| &t.kind) {
                            Some(TypeKind::Object { fields }) => fields.clone(),
                            _ => Vec::new(),
                        },
                        // A file answer's example is the JSON of its error (or success) envelope.
                        Response::Binary => Vec::new(),
                    };
                    match &value {
                        serde_json::Value::Object(map) => {
                            let map: serde_json::Map<String, serde_json::Value> = map
                                .iter()
                                .filter(|(k, _)| k.as_str() != "errcode" && k.as_str() != "errmsg")
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect();
                            check_object_keys(&map, &fields, &all, "example.response", &mut problems)
                        }
                        _ => problems.push("example.response must be a JSON object".to_string()),
                    }
                }
                for problem in problems {
                    self.error(
                        file,
                        span.clone(),
                        format!("`{}.{}`: {problem}", group.name, e.name),
                    );
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldSite {
    Request,
    Response,
    Object,
}

fn text(value: &Option<Loc<String>>) -> String {
    value
        .as_ref()
        .map(|v| v.value.trim().to_string())
        .unwrap_or_default()
}

fn int_kind(name: &str) -> Option<IntKind> {
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

fn contains_file(ty: &Ty) -> bool {
    match ty {
        Ty::File => true,
        Ty::List(inner) | Ty::Map(inner) | Ty::Piped(inner) => contains_file(inner),
        _ => false,
    }
}

fn query_capable(ty: &Ty) -> bool {
    match ty {
        Ty::String | Ty::Int(_) | Ty::F64 | Ty::Bool | Ty::Flag | Ty::Piped(_) => true,
        Ty::Named(r) => matches!(r.kind, NamedKind::IntEnum | NamedKind::StrEnum),
        _ => false,
    }
}

fn scalar_fits(value: &Scalar, ty: &Ty) -> bool {
    match value {
        Scalar::Int(_) => ty.is_numeric() || matches!(ty, Ty::Flag),
        Scalar::Float(_) => matches!(ty, Ty::F64),
        Scalar::Bool(_) => matches!(ty, Ty::Bool | Ty::Flag),
        Scalar::Str(_) => ty.is_textual(),
    }
}

fn reach(ty: &Ty, all: &BTreeMap<String, TypeDef>, seen: &mut BTreeSet<String>) {
    match ty {
        Ty::List(inner) | Ty::Map(inner) | Ty::Piped(inner) => reach(inner, all, seen),
        Ty::Named(r) => {
            if !seen.insert(r.name.clone()) {
                return;
            }
            match all.get(&r.name).map(|t| &t.kind) {
                Some(TypeKind::Object { fields }) => fields.iter().for_each(|f| reach(&f.ty, all, seen)),
                Some(TypeKind::Union { variants, .. }) => variants
                    .iter()
                    .for_each(|v| reach(&Ty::Named(v.ty.clone()), all, seen)),
                _ => {}
            }
        }
        _ => {}
    }
}

/// Every key of an example object must be a declared field; nested objects are followed.
fn check_object_keys(
    map: &serde_json::Map<String, serde_json::Value>,
    fields: &[Field],
    all: &BTreeMap<&str, &TypeDef>,
    path: &str,
    problems: &mut Vec<String>,
) {
    let mut allowed: BTreeMap<&str, Option<&Ty>> = fields
        .iter()
        .filter(|f| !f.flatten)
        .map(|f| (f.wire.as_str(), Some(&f.ty)))
        .collect();
    for flat in fields.iter().filter(|f| f.flatten) {
        if let Ty::Named(r) = &flat.ty
            && let Some(TypeKind::Union { tag, variants }) = all.get(r.name.as_str()).map(|t| &t.kind)
        {
            allowed.insert(tag.as_str(), None);
            if let Some(serde_json::Value::String(chosen)) = map.get(tag.as_str()) {
                match variants.iter().find(|v| &v.wire == chosen) {
                    Some(v) => {
                        allowed.insert(v.wire.as_str(), None);
                        if let Some(serde_json::Value::Object(payload)) = map.get(&v.wire)
                            && let Some(TypeKind::Object { fields }) =
                                all.get(v.ty.name.as_str()).map(|t| &t.kind)
                        {
                            check_object_keys(payload, fields, all, &format!("{path}.{}", v.wire), problems);
                        }
                    }
                    None => problems.push(format!(
                        "{path}: `{tag}: {chosen}` is not a variant of `{}`",
                        r.name
                    )),
                }
            }
        }
    }
    for (key, value) in map {
        match allowed.get(key.as_str()) {
            None => problems.push(format!("{path} has `{key}`, which the spec does not declare")),
            Some(Some(ty)) => check_value_keys(value, ty, all, &format!("{path}.{key}"), problems),
            Some(None) => {}
        }
    }
}

fn check_value_keys(
    value: &serde_json::Value,
    ty: &Ty,
    all: &BTreeMap<&str, &TypeDef>,
    path: &str,
    problems: &mut Vec<String>,
) {
    match (ty, value) {
        (Ty::List(inner), serde_json::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_value_keys(item, inner, all, &format!("{path}[{i}]"), problems);
            }
        }
        (Ty::Map(inner), serde_json::Value::Object(entries)) => {
            for (k, v) in entries {
                check_value_keys(v, inner, all, &format!("{path}.{k}"), problems);
            }
        }
        (Ty::Named(r), serde_json::Value::Object(map)) => match all.get(r.name.as_str()).map(|t| &t.kind) {
            Some(TypeKind::Object { fields }) => check_object_keys(map, fields, all, path, problems),
            Some(TypeKind::Union { .. }) => {
                let synthetic = Field {
                    wire: String::new(),
                    rust: String::new(),
                    ty: ty.clone(),
                    required: true,
                    description: String::new(),
                    default: None,
                    limits: Limits::default(),
                    placement: Placement::Body,
                    as_string: false,
                    secret: false,
                    flatten: true,
                    json_reason: None,
                };
                check_object_keys(map, std::slice::from_ref(&synthetic), all, path, problems)
            }
            _ => {}
        },
        _ => {}
    }
}

fn endpoint_span(files: &Files, parsed: &[Parsed], group: &str, endpoint: &str) -> (FileId, Range<usize>) {
    for p in parsed {
        if p.stem != group {
            continue;
        }
        if let Some(entries) = &p.spec.endpoints {
            for (name, _) in &entries.value.0 {
                if name.value == endpoint {
                    return (p.file, files.span_of(p.file, name));
                }
            }
        }
        return (p.file, 0..1);
    }
    (0, 0..1)
}

fn type_span(files: &Files, parsed: &[Parsed], name: &str) -> Option<(FileId, Range<usize>)> {
    parsed.iter().find_map(|p| {
        p.spec
            .types
            .0
            .iter()
            .find(|(n, _)| n.value == name)
            .map(|(n, _)| (p.file, files.span_of(p.file, n)))
    })
}

/// The candidate nearest to `name` by edit distance, when it is close enough to be a typo.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
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
