//! Checks across the whole API: duplicate endpoints, where types are used, the keys of the
//! examples, and Rust names — unique across the crate and clear of the hand-written runtime's.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{PRELUDE_TYPES, Reserved};
use super::*;

/// Modules the generator itself puts at the crate root beside the groups.
pub(crate) const GENERATED_MODULES: &[&str] = &["types", "errcodes", "credentials", "registry", "prelude"];

pub(crate) fn check(cx: &mut Cx, api: &Api, reserved: &Reserved) {
    duplicate_endpoints(cx, api);
    unions_in_responses(cx, api);
    example_keys(cx, api);
    rust_names(cx, api);
    runtime_names(cx, api, reserved);
}

fn duplicate_endpoints(cx: &mut Cx, api: &Api) {
    let mut seen: BTreeMap<(Method, &str), (&str, &Span)> = BTreeMap::new();
    for group in &api.groups {
        for e in &group.endpoints {
            match seen.get(&(e.method, e.path.as_str())) {
                Some((first, at)) => {
                    let at = (*at).clone();
                    cx.error_twice(
                        Code::DuplicateEndpoint,
                        &e.span,
                        format!(
                            "duplicate endpoint: {} {} is already `{first}`",
                            e.method.as_str(),
                            e.path
                        ),
                        &at,
                        "declared here",
                    )
                }
                None => {
                    seen.insert((e.method, e.path.as_str()), (e.id.as_str(), &e.span));
                }
            }
        }
    }
}

/// Marks each type with whether requests, responses or both reach it.
pub(crate) fn mark_usage(types: &mut [TypeDef], groups: &[Group]) {
    let mut request = BTreeSet::new();
    let mut response = BTreeSet::new();
    for group in groups {
        for e in &group.endpoints {
            for p in &e.params {
                reach(&p.ty, types, &mut request);
            }
            match &e.response {
                Response::Fields(fields) => fields.iter().for_each(|f| reach(&f.ty, types, &mut response)),
                Response::Named(r) => reach(&Ty::Named(r.clone()), types, &mut response),
                Response::Binary => {}
            }
        }
        // Callback events decode like responses.
        for event in &group.events {
            event
                .fields
                .iter()
                .for_each(|f| reach(&f.ty, types, &mut response));
        }
    }
    for (i, t) in types.iter_mut().enumerate() {
        t.usage = Usage {
            request: request.contains(&i),
            response: response.contains(&i),
        };
    }
}

fn reach(ty: &Ty, types: &[TypeDef], seen: &mut BTreeSet<usize>) {
    match ty {
        Ty::List(inner) | Ty::Map(inner) | Ty::Piped(inner) | Ty::Commas(inner) => reach(inner, types, seen),
        Ty::Named(r) => {
            if !seen.insert(r.id.0) {
                return;
            }
            match &types[r.id.0].kind {
                TypeKind::Object { fields } => fields.iter().for_each(|f| reach(&f.ty, types, seen)),
                TypeKind::Union { variants, .. } => variants
                    .iter()
                    .for_each(|v| reach(&Ty::Named(v.ty.clone()), types, seen)),
                _ => {}
            }
        }
        _ => {}
    }
}

fn unions_in_responses(cx: &mut Cx, api: &Api) {
    for t in &api.types {
        if t.usage.response && matches!(t.kind, TypeKind::Union { .. }) {
            cx.error(
                Code::UnionInResponse,
                &t.span,
                format!(
                    "union `{}` is used in a response; unions are for requests",
                    t.name
                ),
            );
        }
    }
}

fn example_keys(cx: &mut Cx, api: &Api) {
    for group in &api.groups {
        for e in &group.endpoints {
            // Flattened union keys must not collide with the other parameters.
            if let Some(flat) = e.params.iter().find(|p| p.flatten)
                && let Ty::Named(r) = &flat.ty
                && let TypeKind::Union { tag, variants } = &api.ty(r.id).kind
            {
                for p in e.params.iter().filter(|p| !p.flatten) {
                    if &p.wire == tag || variants.iter().any(|v| v.wire == p.wire) {
                        cx.error(
                            Code::FlattenClash,
                            &p.span,
                            format!(
                                "parameter `{}` collides with a key of the flattened union `{}`",
                                p.wire, r.rust
                            ),
                        );
                    }
                }
            }
            let requests = e
                .example_request
                .iter()
                .map(|r| ("the request example".to_string(), r))
                .chain(
                    e.more_requests
                        .iter()
                        .map(|(label, r)| (format!("the `{label}` request example"), r)),
                );
            for (what, example) in requests {
                let Ok(value) = serde_json::from_str::<serde_json::Value>(&example.text) else {
                    continue;
                };
                let mut problems = Vec::new();
                match &value {
                    serde_json::Value::Object(map) => object_keys(api, map, &e.params, "", &mut problems),
                    _ => problems.push("it must be a JSON object".to_string()),
                }
                for problem in problems {
                    cx.error(
                        Code::ExampleKeys,
                        &example.span,
                        format!("`{}`: {what}: {problem}", e.id),
                    );
                }
            }
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(&e.example_response.text) {
                let fields: Vec<Field> = match &e.response {
                    Response::Fields(f) => f.clone(),
                    Response::Named(r) => match &api.ty(r.id).kind {
                        TypeKind::Object { fields } => fields.clone(),
                        _ => Vec::new(),
                    },
                    // A file answer's example is the JSON of its error (or success) envelope.
                    Response::Binary => Vec::new(),
                };
                let mut problems = Vec::new();
                match &value {
                    serde_json::Value::Object(map) => {
                        let map: serde_json::Map<String, serde_json::Value> = map
                            .iter()
                            .filter(|(k, _)| k.as_str() != "errcode" && k.as_str() != "errmsg")
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        object_keys(api, &map, &fields, "", &mut problems)
                    }
                    _ => problems.push("it must be a JSON object".to_string()),
                }
                for problem in problems {
                    cx.error(
                        Code::ExampleKeys,
                        &e.example_response.span,
                        format!("`{}`: the response example: {problem}", e.id),
                    );
                }
            }
        }
    }
}

/// Every key of an example object must be a declared field; nested objects are followed.
fn object_keys(
    api: &Api,
    map: &serde_json::Map<String, serde_json::Value>,
    fields: &[Field],
    path: &str,
    problems: &mut Vec<String>,
) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    let mut allowed: BTreeMap<&str, Option<&Ty>> = fields
        .iter()
        .filter(|f| !f.flatten)
        .map(|f| (f.wire.as_str(), Some(&f.ty)))
        .collect();
    for flat in fields.iter().filter(|f| f.flatten) {
        if let Ty::Named(r) = &flat.ty
            && let TypeKind::Union { tag, variants } = &api.ty(r.id).kind
        {
            allowed.insert(tag.as_str(), None);
            if let Some(serde_json::Value::String(chosen)) = map.get(tag.as_str()) {
                match variants.iter().find(|v| &v.wire == chosen) {
                    Some(v) => {
                        allowed.insert(v.wire.as_str(), None);
                        if let Some(serde_json::Value::Object(payload)) = map.get(&v.wire)
                            && let TypeKind::Object { fields } = &api.ty(v.ty.id).kind
                        {
                            object_keys(api, payload, fields, &join(&v.wire), problems);
                        }
                    }
                    None => problems.push(format!("`{tag}: {chosen}` is not a variant of `{}`", r.rust)),
                }
            }
        }
    }
    for (key, value) in map {
        match allowed.get(key.as_str()) {
            None => problems.push(format!("`{}` is not declared in the spec", join(key))),
            Some(Some(ty)) => value_keys(api, value, ty, &join(key), problems),
            Some(None) => {}
        }
    }
}

fn value_keys(api: &Api, value: &serde_json::Value, ty: &Ty, path: &str, problems: &mut Vec<String>) {
    match (ty, value) {
        (Ty::List(inner), serde_json::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                value_keys(api, item, inner, &format!("{path}[{i}]"), problems);
            }
        }
        (Ty::Map(inner), serde_json::Value::Object(entries)) => {
            for (k, v) in entries {
                value_keys(api, v, inner, &format!("{path}.{k}"), problems);
            }
        }
        (Ty::Named(r), serde_json::Value::Object(map)) => match &api.ty(r.id).kind {
            TypeKind::Object { fields } => object_keys(api, map, fields, path, problems),
            TypeKind::Union { tag, variants } => match map.get(tag.as_str()) {
                Some(serde_json::Value::String(chosen)) => {
                    match variants.iter().find(|v| &v.wire == chosen) {
                        Some(v) => {
                            for key in map.keys().filter(|k| *k != tag && **k != v.wire) {
                                problems.push(format!("`{path}.{key}` is not declared in the spec"));
                            }
                            if let Some(serde_json::Value::Object(payload)) = map.get(&v.wire)
                                && let TypeKind::Object { fields } = &api.ty(v.ty.id).kind
                            {
                                object_keys(api, payload, fields, &format!("{path}.{}", v.wire), problems);
                            }
                        }
                        None => problems.push(format!(
                            "`{path}.{tag}: {chosen}` is not a variant of `{}`",
                            r.rust
                        )),
                    }
                }
                _ => problems.push(format!("`{path}` has no `{tag}`")),
            },
            _ => {}
        },
        _ => {}
    }
}

/// Public Rust names are unique across the crate and clear of the names generated code sees
/// unqualified.
fn rust_names(cx: &mut Cx, api: &Api) {
    let mut taken: BTreeMap<String, (String, Span)> = BTreeMap::new();
    let mut claim = |cx: &mut Cx, name: &str, what: String, at: &Span| {
        if PRELUDE_TYPES.contains(&name) {
            cx.error_note(
                Code::RustNameClash,
                at,
                format!("`{name}` is a name generated code uses unqualified"),
                "give the type a `rust_name`",
            );
            return;
        }
        match taken.get(name) {
            Some((first, first_at)) => {
                let (first, first_at) = (first.clone(), first_at.clone());
                cx.error_twice(
                    Code::RustNameClash,
                    at,
                    format!("the Rust name `{name}` of {what} is already {first}"),
                    &first_at,
                    "taken here; give one of them a `rust_name`",
                );
            }
            None => {
                taken.insert(name.to_string(), (what, at.clone()));
            }
        }
    };
    for group in &api.groups {
        claim(
            cx,
            &group.api_type(),
            format!("the handle of group `{}`", group.name),
            &group.span,
        );
        for e in &group.endpoints {
            claim(cx, &e.request_type, format!("the request of `{}`", e.id), &e.span);
            claim(
                cx,
                &e.response_type,
                format!("the response of `{}`", e.id),
                &e.span,
            );
        }
        for e in &group.events {
            claim(cx, &e.rust, format!("the callback event `{}`", e.name), &e.span);
        }
    }
    for t in &api.types {
        let owner = match &t.module {
            Module::Shared => "spec/shared.yaml".to_string(),
            Module::Group(g) => format!("group `{g}`"),
        };
        claim(cx, &t.rust, format!("type `{}` of {owner}", t.name), &t.span);
    }
}

/// Generated names must not take names the hand-written runtime uses.
fn runtime_names(cx: &mut Cx, api: &Api, reserved: &Reserved) {
    let source = &reserved.source;
    for group in &api.groups {
        if reserved.root.contains(&group.name) || GENERATED_MODULES.contains(&group.name.as_str()) {
            cx.error_note(
                Code::ReservedName,
                &group.span,
                format!(
                    "group `{}` would take `wecom_sdk::{}`, which the runtime uses",
                    group.name, group.name
                ),
                format!("choose another folder name (names read from {source})"),
            );
        }
        if reserved.client_methods.contains(&group.name) {
            cx.error_note(
                Code::ReservedName,
                &group.span,
                format!(
                    "group `{}` would add `Client::{}()`, which the runtime defines",
                    group.name, group.name
                ),
                format!("choose another folder name (names read from {source})"),
            );
        }
        let handwritten = reserved.api_methods.get(&group.api_type());
        for e in &group.endpoints {
            if handwritten.is_some_and(|m| m.contains(&e.name)) {
                cx.error_note(
                    Code::ReservedName,
                    &e.span,
                    format!("`{}::{}` is also written by hand", group.api_type(), e.name),
                    format!("rename the endpoint or the hand-written method (in {source}/ext)"),
                );
            }
            for p in e.params.iter().filter(|p| !p.required) {
                if reserved.call_methods.contains(&p.rust) {
                    cx.error_note(
                        Code::ReservedName,
                        &p.span,
                        format!("the setter `{}` would clash with `Call::{}`", p.rust, p.rust),
                        "give the parameter a `rust_name`",
                    );
                }
            }
        }
    }
    for t in &api.types {
        if let TypeKind::Object { fields } = &t.kind
            && t.usage.request
        {
            for f in fields.iter().filter(|f| !f.required && f.rust == "new") {
                cx.error_note(
                    Code::ReservedName,
                    &f.span,
                    format!(
                        "the setter `new` of `{}` would clash with its constructor",
                        t.rust
                    ),
                    "give the field a `rust_name`",
                );
            }
        }
    }
}
