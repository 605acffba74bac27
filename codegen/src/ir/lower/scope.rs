//! Which names exist where. Types, scalars and named parameters are declared first, so any file
//! may use any of them: a group sees its own names, then those of `shared.yaml`.

use std::collections::BTreeMap;

use super::names::{PASCAL, SNAKE};
use super::*;
use crate::spec::{FieldEntry, TypeDef as SpecType};

/// A group's name, or `None` for `shared.yaml`.
pub(crate) type ScopeKey = Option<String>;

/// A declaration: the file it is in, its key and its body.
pub(crate) struct Decl<'p, T> {
    pub(crate) file: FileId,
    pub(crate) key: &'p Loc<String>,
    pub(crate) body: &'p T,
}

impl<T> Clone for Decl<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Decl<'_, T> {}

#[derive(Default)]
pub(crate) struct Scope<'p> {
    pub(crate) types: BTreeMap<String, TypeId>,
    pub(crate) scalars: BTreeMap<String, Decl<'p, Loc<FieldEntry>>>,
    pub(crate) params: BTreeMap<String, Decl<'p, Loc<FieldEntry>>>,
}

/// A named type as declared, before its body is lowered.
pub(crate) struct DeclaredType<'p> {
    pub(crate) name: String,
    pub(crate) rust: String,
    pub(crate) scope: ScopeKey,
    /// `None` when the declaration is malformed (reported).
    pub(crate) kind: Option<NamedKind>,
    pub(crate) span: Span,
    pub(crate) decl: Decl<'p, SpecType>,
}

pub(crate) struct Scopes<'p> {
    pub(crate) shared: Scope<'p>,
    pub(crate) groups: BTreeMap<String, Scope<'p>>,
    /// Every type, by id.
    pub(crate) types: Vec<DeclaredType<'p>>,
    /// Lowered scalars and named parameters, so each is checked (and reported) once.
    pub(crate) scalar_memo: BTreeMap<(ScopeKey, String), Option<super::fields::Partial>>,
    pub(crate) param_memo: BTreeMap<(ScopeKey, String), Option<super::fields::Partial>>,
    /// Named parameters being lowered, to catch `use` cycles.
    pub(crate) in_progress: Vec<(ScopeKey, String)>,
}

/// What a name stands for in a scope.
pub(crate) enum Symbol<'p> {
    Type(TypeId),
    Scalar(ScopeKey, Decl<'p, Loc<FieldEntry>>),
}

impl<'p> Scopes<'p> {
    pub(crate) fn scope(&self, key: &ScopeKey) -> &Scope<'p> {
        match key {
            None => &self.shared,
            Some(group) => self.groups.get(group).unwrap_or(&self.shared),
        }
    }

    /// A type or scalar name as seen from `from`.
    pub(crate) fn lookup(&self, from: &ScopeKey, name: &str) -> Option<Symbol<'p>> {
        let mut chain = vec![from.clone()];
        if from.is_some() {
            chain.push(None);
        }
        for key in chain {
            let scope = self.scope(&key);
            if let Some(id) = scope.types.get(name) {
                return Some(Symbol::Type(*id));
            }
            if let Some(decl) = scope.scalars.get(name) {
                return Some(Symbol::Scalar(key.clone(), *decl));
            }
        }
        None
    }

    /// A named parameter as seen from `from`, with the scope it was declared in.
    pub(crate) fn param(&self, from: &ScopeKey, name: &str) -> Option<(ScopeKey, Decl<'p, Loc<FieldEntry>>)> {
        if let Some(group) = from
            && let Some(decl) = self.groups.get(group).and_then(|s| s.params.get(name))
        {
            return Some((from.clone(), *decl));
        }
        self.shared.params.get(name).map(|d| (None, *d))
    }

    /// Every type and scalar name visible from `from`, for "did you mean".
    pub(crate) fn visible_names(&self, from: &ScopeKey) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for key in [from.clone(), None] {
            let scope = self.scope(&key);
            out.extend(scope.types.keys().map(String::as_str));
            out.extend(scope.scalars.keys().map(String::as_str));
        }
        out
    }

    pub(crate) fn param_names(&self, from: &ScopeKey) -> Vec<&str> {
        let mut out: Vec<&str> = self.shared.params.keys().map(String::as_str).collect();
        if let Some(group) = from
            && let Some(scope) = self.groups.get(group)
        {
            out.extend(scope.params.keys().map(String::as_str));
        }
        out
    }
}

/// Declares every type, scalar and named parameter of the spec.
pub(crate) fn declare<'p>(cx: &mut Cx, parsed: &'p Parsed) -> Scopes<'p> {
    let mut scopes = Scopes {
        shared: Scope::default(),
        groups: BTreeMap::new(),
        types: Vec::new(),
        scalar_memo: BTreeMap::new(),
        param_memo: BTreeMap::new(),
        in_progress: Vec::new(),
    };
    if let Some((file, shared)) = &parsed.shared {
        let mut scope = Scope::default();
        declare_file(
            cx,
            &mut scopes.types,
            &mut scope,
            None,
            *file,
            &shared.types,
            &shared.scalars,
            &shared.params,
            None,
        );
        scopes.shared = scope;
    }
    for (group, group_files) in &parsed.groups {
        let mut scope = Scope::default();
        for (file, spec) in group_files {
            declare_file(
                cx,
                &mut scopes.types,
                &mut scope,
                Some(group.clone()),
                *file,
                &spec.types,
                &spec.scalars,
                &spec.params,
                Some(&scopes.shared),
            );
        }
        scopes.groups.insert(group.clone(), scope);
    }
    scopes
}

#[allow(clippy::too_many_arguments)]
fn declare_file<'p>(
    cx: &mut Cx,
    all: &mut Vec<DeclaredType<'p>>,
    scope: &mut Scope<'p>,
    key: ScopeKey,
    file: FileId,
    types: &'p spec::TypeNames<SpecType>,
    scalars: &'p spec::TypeNames<Loc<FieldEntry>>,
    params: &'p spec::WireNames<Loc<FieldEntry>>,
    shared: Option<&Scope<'p>>,
) {
    let shadows =
        |name: &str| shared.is_some_and(|s| s.types.contains_key(name) || s.scalars.contains_key(name));
    for (name, def) in types.iter() {
        let span = cx.span(file, name);
        if !PASCAL.is_match(&name.value) {
            cx.error(
                Code::TypeNameCase,
                &span,
                format!("type name `{}` must be PascalCase", name.value),
            );
        }
        if let Some(first) = first_declaration(cx, all, scope, &name.value) {
            cx.error_twice(
                Code::DuplicateName,
                &span,
                format!("`{}` is declared twice in this scope", name.value),
                &first,
                "first declared here",
            );
            continue;
        }
        if shadows(&name.value) {
            cx.error_note(
                Code::ShadowsShared,
                &span,
                format!("`{}` is already a type of spec/shared.yaml", name.value),
                "a group's names may not hide the shared ones; choose another name",
            );
            continue;
        }
        let kind = type_kind(cx, file, name, def, &span);
        let rust = match &def.rust_name {
            Some(r) => {
                if !PASCAL.is_match(&r.value) {
                    let at = cx.span(file, r);
                    cx.error(
                        Code::TypeNameCase,
                        &at,
                        format!("`rust_name: {}` must be PascalCase", r.value),
                    );
                }
                r.value.clone()
            }
            None => name.value.clone(),
        };
        let id = TypeId(all.len());
        all.push(DeclaredType {
            name: name.value.clone(),
            rust,
            scope: key.clone(),
            kind,
            span,
            decl: Decl {
                file,
                key: name,
                body: def,
            },
        });
        scope.types.insert(name.value.clone(), id);
    }
    for (name, entry) in scalars.iter() {
        let span = cx.span(file, name);
        if !PASCAL.is_match(&name.value) {
            cx.error(
                Code::TypeNameCase,
                &span,
                format!("scalar name `{}` must be PascalCase", name.value),
            );
        }
        if let Some(first) = first_declaration(cx, all, scope, &name.value) {
            cx.error_twice(
                Code::DuplicateName,
                &span,
                format!("`{}` is declared twice in this scope", name.value),
                &first,
                "first declared here",
            );
            continue;
        }
        if shadows(&name.value) {
            cx.error_note(
                Code::ShadowsShared,
                &span,
                format!("`{}` is already a name of spec/shared.yaml", name.value),
                "a group's names may not hide the shared ones; choose another name",
            );
            continue;
        }
        scope.scalars.insert(
            name.value.clone(),
            Decl {
                file,
                key: name,
                body: entry,
            },
        );
    }
    for (name, entry) in params.iter() {
        let span = cx.span(file, name);
        if let Some(first) = scope.params.get(&name.value) {
            let first = cx.span(first.file, first.key);
            cx.error_twice(
                Code::DuplicateName,
                &span,
                format!("named parameter `{}` is declared twice", name.value),
                &first,
                "first declared here",
            );
            continue;
        }
        if shared.is_some_and(|s| s.params.contains_key(&name.value)) {
            cx.error_note(
                Code::ShadowsShared,
                &span,
                format!(
                    "`{}` is already a named parameter of spec/shared.yaml",
                    name.value
                ),
                "a group's names may not hide the shared ones; choose another name",
            );
            continue;
        }
        if !SNAKE.is_match(&name.value) {
            cx.error(
                Code::FieldName,
                &span,
                format!("named parameter `{}` must be snake_case", name.value),
            );
        }
        scope.params.insert(
            name.value.clone(),
            Decl {
                file,
                key: name,
                body: entry,
            },
        );
    }
}

fn first_declaration(cx: &Cx, all: &[DeclaredType], scope: &Scope, name: &str) -> Option<Span> {
    if let Some(id) = scope.types.get(name) {
        return Some(all[id.0].span.clone());
    }
    scope.scalars.get(name).map(|d| cx.span(d.file, d.key))
}

fn type_kind(
    cx: &mut Cx,
    file: FileId,
    name: &Loc<String>,
    def: &SpecType,
    span: &Span,
) -> Option<NamedKind> {
    let kinds = [
        def.fields.as_ref().map(|_| NamedKind::Object),
        def.enumeration.as_ref().map(|values| {
            if values
                .value
                .iter()
                .all(|v| matches!(v.value.value, spec::Scalar::Str(_)))
            {
                NamedKind::StrEnum
            } else {
                NamedKind::IntEnum
            }
        }),
        def.union.as_ref().map(|_| NamedKind::Union),
    ];
    let present: Vec<NamedKind> = kinds.into_iter().flatten().collect();
    match present.as_slice() {
        [one] => Some(*one),
        [] => {
            let _ = file;
            cx.error(
                Code::TypeShape,
                span,
                format!("type `{}` needs one of `fields`, `enum` or `union`", name.value),
            );
            None
        }
        _ => {
            cx.error(
                Code::TypeShape,
                span,
                format!(
                    "type `{}` may have only one of `fields`, `enum` or `union`",
                    name.value
                ),
            );
            None
        }
    }
}
