//! Named types: objects, open enums, tagged unions.

use std::collections::BTreeSet;

use super::fields::{Site, lower_fields};
use super::names::SNAKE;
use super::scope::{ScopeKey, Scopes};
use super::*;
use crate::spec::Scalar;

/// Lowers the body of every declared type, in id order.
pub(crate) fn lower_all(cx: &mut Cx, _parsed: &Parsed, scopes: &mut Scopes) -> Vec<TypeDef> {
    let mut out = Vec::new();
    for index in 0..scopes.types.len() {
        let (name, rust, scope, kind, span, decl) = {
            let d = &scopes.types[index];
            (
                d.name.clone(),
                d.rust.clone(),
                d.scope.clone(),
                d.kind,
                d.span.clone(),
                d.decl,
            )
        };
        let def = decl.body;
        let file = decl.file;
        let description = def
            .description
            .as_ref()
            .map(|d| d.value.trim().to_string())
            .unwrap_or_default();
        if description.is_empty() {
            cx.error(
                Code::MissingKey,
                &span,
                format!("type `{name}` needs a `description`"),
            );
        }
        if let Some(repr) = def.repr.as_ref().filter(|_| kind != Some(NamedKind::IntEnum)) {
            let at = cx.span(file, repr);
            cx.error(
                Code::KeyOutOfPlace,
                &at,
                "`repr` applies only to an integer `enum`",
            );
        }
        let module = match &scope {
            None => Module::Shared,
            Some(g) => Module::Group(g.clone()),
        };
        let lowered = match kind {
            Some(NamedKind::Object) => {
                let fields = def.fields.as_ref().map(|f| &f.value);
                let fields = match fields {
                    Some(entries) => lower_fields(cx, scopes, &scope, file, entries, Site::Object),
                    None => Vec::new(),
                };
                TypeKind::Object { fields }
            }
            Some(NamedKind::IntEnum) => int_enum(cx, file, def),
            Some(NamedKind::StrEnum) => str_enum(cx, file, def),
            Some(NamedKind::Union) => match &def.union {
                Some(u) => union(cx, scopes, &scope, file, u),
                None => TypeKind::Object { fields: Vec::new() },
            },
            // Malformed (reported): an empty object keeps ids stable.
            None => TypeKind::Object { fields: Vec::new() },
        };
        let mut constraints = Vec::new();
        match &lowered {
            TypeKind::Object { fields } if kind == Some(NamedKind::Object) => {
                let noun = format!("a field of `{name}`");
                for c in &def.constraints {
                    constraints.extend(super::constraints::lower(cx, file, c, fields, &noun));
                }
            }
            _ => {
                if let Some(c) = def.constraints.first() {
                    let at = cx.span(file, c);
                    cx.error(
                        Code::KeyOutOfPlace,
                        &at,
                        "`constraints` apply to an object type's fields",
                    );
                }
            }
        }
        out.push(TypeDef {
            name,
            rust,
            module,
            description,
            kind: lowered,
            constraints,
            usage: Usage::default(),
            span,
        });
    }
    check_union_requirements(cx, &mut out);
    out
}

fn int_enum(cx: &mut Cx, file: FileId, def: &spec::TypeDef) -> TypeKind {
    let repr = match &def.repr {
        None => IntKind::I32,
        Some(r) => match IntKind::parse(&r.value) {
            Some(kind) => kind,
            None => {
                let at = cx.span(file, r);
                cx.error(
                    Code::BadValue,
                    &at,
                    format!("`repr: {}` is not an integer type", r.value),
                );
                IntKind::I32
            }
        },
    };
    let (lo, hi) = repr.bounds();
    let mut values = Vec::new();
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for v in def.enumeration.iter().flat_map(|e| e.value.iter()) {
        let value = match &v.value.value {
            Scalar::Int(i) if (lo..=hi).contains(&i128::from(*i)) => *i,
            other => {
                let at = cx.span(file, &v.value);
                cx.error(
                    Code::EnumValue,
                    &at,
                    format!(
                        "enum value {other} is not an integer a `{}` can hold (an enum is all integers or all strings)",
                        repr.rust()
                    ),
                );
                continue;
            }
        };
        let constant = const_name(cx, file, &v.name, &mut names);
        if !seen.insert(value) {
            let at = cx.span(file, &v.value);
            cx.error(
                Code::EnumValue,
                &at,
                format!("enum value {value} is listed twice"),
            );
        }
        values.push(EnumValue {
            value,
            name: v.name.value.clone(),
            constant,
            description: v.description.clone().unwrap_or_default(),
        });
    }
    TypeKind::IntEnum { repr, values }
}

fn str_enum(cx: &mut Cx, file: FileId, def: &spec::TypeDef) -> TypeKind {
    let mut values = Vec::new();
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for v in def.enumeration.iter().flat_map(|e| e.value.iter()) {
        let Scalar::Str(value) = &v.value.value else {
            continue;
        };
        let constant = const_name(cx, file, &v.name, &mut names);
        if !seen.insert(value.clone()) {
            let at = cx.span(file, &v.value);
            cx.error(
                Code::EnumValue,
                &at,
                format!("enum value {value:?} is listed twice"),
            );
        }
        values.push(EnumValue {
            value: value.clone(),
            name: v.name.value.clone(),
            constant,
            description: v.description.clone().unwrap_or_default(),
        });
    }
    TypeKind::StrEnum { values }
}

fn const_name(cx: &mut Cx, file: FileId, name: &Loc<String>, seen: &mut BTreeSet<String>) -> String {
    let at = cx.span(file, name);
    if !SNAKE.is_match(&name.value) {
        cx.error(
            Code::EnumValue,
            &at,
            format!("enum value name `{}` must be snake_case", name.value),
        );
    }
    let constant = heck::AsShoutySnakeCase(&name.value).to_string();
    if !seen.insert(constant.clone()) {
        cx.error(
            Code::EnumValue,
            &at,
            format!("enum value name `{}` is used twice", name.value),
        );
    }
    constant
}

fn union(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &ScopeKey,
    file: FileId,
    union: &Loc<spec::Union>,
) -> TypeKind {
    let mut variants = Vec::new();
    for (key, variant) in union.value.variants.iter() {
        let at = cx.span(file, key);
        if !SNAKE.is_match(&key.value) {
            cx.error(
                Code::UnionShape,
                &at,
                format!("variant `{}` must be snake_case", key.value),
            );
        }
        if key.value == union.value.tag.value {
            cx.error(
                Code::UnionShape,
                &at,
                "a variant may not share its name with the tag",
            );
        }
        let Some((ty, _, _)) = super::fields::resolve_type(cx, scopes, scope, file, &variant.ty) else {
            continue;
        };
        let reference = match ty {
            Ty::Named(r) if r.kind == NamedKind::Object => r,
            _ => {
                let at = cx.span(file, &variant.ty);
                cx.error(
                    Code::UnionShape,
                    &at,
                    "a union variant's payload must be a named object type",
                );
                continue;
            }
        };
        variants.push(Variant {
            wire: key.value.clone(),
            rust: pascal(&key.value),
            ty: reference,
            description: variant.description.clone().unwrap_or_default(),
            requires: variant.requires.iter().map(|r| r.value.clone()).collect(),
        });
        // Which payload fields exist is known once every type is lowered: checked below.
        let _ = &variant.requires;
    }
    if variants.is_empty() {
        let at = cx.span(file, &union.value.tag);
        cx.error(Code::UnionShape, &at, "a union needs at least one variant");
    }
    TypeKind::Union {
        tag: union.value.tag.value.clone(),
        variants,
    }
}

/// A variant's `requires:` names fields of its payload that the payload does not already require.
fn check_union_requirements(cx: &mut Cx, types: &mut [TypeDef]) {
    let mut problems = Vec::new();
    for t in types.iter() {
        let TypeKind::Union { variants, .. } = &t.kind else {
            continue;
        };
        for v in variants {
            let payload = &types[v.ty.id.0];
            let TypeKind::Object { fields } = &payload.kind else {
                continue;
            };
            for name in &v.requires {
                match fields.iter().find(|f| &f.wire == name) {
                    None => problems.push((
                        t.span.clone(),
                        format!("variant `{}` of `{}` requires `{name}`, which `{}` does not have", v.wire, t.name, payload.name),
                    )),
                    Some(f) if f.required => problems.push((
                        t.span.clone(),
                        format!("`{name}` is required by `{}` already; `requires` lists the optional fields a variant needs", payload.name),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    for (at, message) in problems {
        cx.error(Code::UnionShape, &at, message);
    }
}
