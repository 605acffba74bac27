//! Callback events: the shapes of `shared.yaml` and the `events:` of each group, with their
//! documented examples checked against what they declare.

use std::collections::{BTreeMap, BTreeSet};

use super::fields::{Site, lower_fields};
use super::names::SNAKE;
use super::scope::Scopes;
use super::*;
use crate::spec::Scalar;

/// The callback shapes of `shared.yaml`.
pub(super) fn shapes(cx: &mut Cx, scopes: &mut Scopes, parsed: &Parsed) -> Vec<CallbackShape> {
    let Some((file, shared)) = &parsed.shared else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, shape) in shared.callbacks.iter() {
        let at = cx.span(*file, shape);
        let description = shape
            .value
            .description
            .as_ref()
            .map(|d| d.value.trim().to_string())
            .unwrap_or_default();
        if description.is_empty() {
            cx.error(
                Code::MissingKey,
                &at,
                format!("callback shape `{}` needs a `description`", name.value),
            );
        }
        let doc = match &shape.value.doc {
            Some(d) => doc_url(d.value),
            None => {
                cx.error(
                    Code::MissingKey,
                    &at,
                    format!("callback shape `{}` needs a `doc`", name.value),
                );
                String::new()
            }
        };
        let header = lower_fields(cx, scopes, &None, *file, &shape.value.header, Site::Response);
        out.push(CallbackShape {
            name: name.value.clone(),
            description,
            doc,
            header,
        });
    }
    out
}

/// Lowers every group's events onto its `Group`.
pub(super) fn lower_all(
    cx: &mut Cx,
    scopes: &mut Scopes,
    parsed: &Parsed,
    shapes: &[CallbackShape],
    types: &[TypeDef],
    groups: &mut [Group],
) {
    let mut names: BTreeMap<String, Span> = BTreeMap::new();
    let mut whens: BTreeMap<Vec<(String, String)>, Span> = BTreeMap::new();
    for (group_name, files) in &parsed.groups {
        let scope: super::scope::ScopeKey = Some(group_name.clone());
        let mut lowered = Vec::new();
        for (file, gf) in files {
            for (name, def) in gf.events.iter() {
                let key = cx.span(*file, name);
                if let Some(event) =
                    lower_one(cx, scopes, &scope, *file, &name.value, def, shapes, types, &key)
                {
                    if let Some(first) = names.get(&event.name) {
                        let first = first.clone();
                        cx.error_twice(
                            Code::DuplicateName,
                            &key,
                            format!("event `{}` is declared twice", event.name),
                            &first,
                            "first here",
                        );
                        continue;
                    }
                    names.insert(event.name.clone(), key.clone());
                    let mut when = event.when.clone();
                    when.sort();
                    if let Some(first) = whens.get(&when) {
                        let first = first.clone();
                        cx.error_twice(
                            Code::DuplicateName,
                            &key,
                            format!(
                                "event `{}` is identified by the same `when` as another",
                                event.name
                            ),
                            &first,
                            "that one",
                        );
                    } else {
                        whens.insert(when, key.clone());
                    }
                    lowered.push(event);
                }
            }
        }
        if let Some(group) = groups.iter_mut().find(|g| &g.name == group_name) {
            group.events = lowered;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn lower_one(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &super::scope::ScopeKey,
    file: FileId,
    name: &str,
    def: &Loc<spec::EventDef>,
    shapes: &[CallbackShape],
    types: &[TypeDef],
    key: &Span,
) -> Option<Event> {
    let v = &def.value;
    if !SNAKE.is_match(name) {
        cx.error(Code::BadValue, key, format!("event `{name}` must be snake_case"));
    }
    let text = |cx: &mut Cx, value: &Option<Loc<String>>, what: &str| match value {
        Some(t) if !t.value.trim().is_empty() => t.value.trim().to_string(),
        _ => {
            cx.error(Code::MissingKey, key, format!("event `{name}` needs a `{what}`"));
            String::new()
        }
    };
    let title = text(cx, &v.title, "title");
    let doc = match &v.doc {
        Some(d) => doc_url(d.value),
        None => {
            cx.error(Code::MissingKey, key, format!("event `{name}` needs a `doc`"));
            String::new()
        }
    };
    let shape_name = v.shape.as_ref().map_or("app", |s| s.value.as_str()).to_string();
    let Some(shape) = shapes.iter().find(|s| s.name == shape_name) else {
        let at = v.shape.as_ref().map_or(key.clone(), |s| cx.span(file, s));
        let known: Vec<&str> = shapes.iter().map(|s| s.name.as_str()).collect();
        cx.error_note(
            Code::BadValue,
            &at,
            format!("`shape: {shape_name}` is not a callback shape of shared.yaml"),
            format!("the shapes: {}", known.join(", ")),
        );
        return None;
    };
    let mut when = Vec::new();
    match &v.when {
        Some(w) if w.value.iter().next().is_some() => {
            for (k, value) in w.value.iter() {
                let text = match &value.value {
                    Scalar::Str(s) => s.clone(),
                    Scalar::Int(i) => i.to_string(),
                    other => {
                        let at = cx.span(file, value);
                        cx.error(
                            Code::BadValue,
                            &at,
                            format!("`when` compares with text, not {other}"),
                        );
                        continue;
                    }
                };
                when.push((k.value.clone(), text));
            }
        }
        _ => cx.error(
            Code::MissingKey,
            key,
            format!("event `{name}` needs `when`: the keys and values that identify it"),
        ),
    }
    let fields = lower_fields(cx, scopes, scope, file, &v.fields, Site::Response);
    for f in &fields {
        let reserved =
            shape.header.iter().any(|h| h.wire == f.wire) || when.iter().any(|(k, _)| k == &f.wire);
        if reserved {
            cx.error(
                Code::DuplicateName,
                &f.span,
                format!("`{}` is a header element of shape `{shape_name}` or a `when` key; it is not declared again", f.wire),
            );
        }
    }
    let example = v.example.as_ref().map(|e| Example {
        text: e.value.clone(),
        span: cx.span(file, e),
    });
    match &example {
        None => cx.error(
            Code::MissingExample,
            key,
            format!("event `{name}` needs its documented `example`"),
        ),
        Some(example) => check_example(cx, types, example, shape, &when, &fields),
    }
    let variant = pascal(name);
    Some(Event {
        name: name.to_string(),
        rust: format!("{variant}Event"),
        variant,
        title,
        doc,
        shape: shape_name,
        when,
        description: v.description.as_ref().map(|d| d.value.trim().to_string()),
        fields,
        example,
        span: key.clone(),
    })
}

/// The example is a document of the event: its `when` values, and no element the spec does not
/// declare (at any depth of the named object types).
fn check_example(
    cx: &mut Cx,
    types: &[TypeDef],
    example: &Example,
    shape: &CallbackShape,
    when: &[(String, String)],
    fields: &[Field],
) {
    let text = example.text.trim_start();
    let tree = if text.starts_with('{') {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => v,
            Err(err) => {
                cx.error(
                    Code::BadExample,
                    &example.span,
                    format!("the example is not JSON: {err}"),
                );
                return;
            }
        }
    } else {
        match roxmltree::Document::parse(text) {
            Ok(doc) => xml_value(doc.root_element()),
            Err(err) => {
                cx.error(
                    Code::BadExample,
                    &example.span,
                    format!("the example is not XML: {err}"),
                );
                return;
            }
        }
    };
    let Some(map) = tree.as_object() else {
        cx.error(
            Code::BadExample,
            &example.span,
            "the example is not a document of elements",
        );
        return;
    };
    for (k, want) in when {
        let found = map
            .get(k)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), |s| s.trim().to_string()));
        if found.as_deref() != Some(want.as_str()) {
            cx.error(
                Code::BadExample,
                &example.span,
                match &found {
                    Some(found) => format!("the example's `{k}` is `{found}`, not `{want}` as `when` says"),
                    None => format!("the example has no `{k}`, which `when` says is `{want}`"),
                },
            );
        }
    }
    let mut unknown = BTreeSet::new();
    for key in map.keys() {
        let known = shape.header.iter().any(|h| &h.wire == key) || when.iter().any(|(k, _)| k == key);
        if known {
            continue;
        }
        match fields.iter().find(|f| &f.wire == key) {
            Some(f) => undeclared(types, &f.ty, &map[key], key, &mut unknown),
            None => {
                unknown.insert(key.clone());
            }
        }
    }
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.into_iter().map(|k| format!("`{k}`")).collect();
        cx.error(
            Code::ExampleKeys,
            &example.span,
            format!(
                "the example holds elements the event does not declare: {}",
                list.join(", ")
            ),
        );
    }
}

/// Elements under a value that its type does not declare, as `Parent.Child` paths.
fn undeclared(types: &[TypeDef], ty: &Ty, value: &serde_json::Value, path: &str, out: &mut BTreeSet<String>) {
    match (ty, value) {
        (Ty::List(inner), serde_json::Value::Array(items)) => {
            items
                .iter()
                .for_each(|item| undeclared(types, inner, item, path, out));
        }
        (Ty::List(inner), other) => undeclared(types, inner, other, path, out),
        (Ty::Named(r), serde_json::Value::Object(map)) => {
            let Some(TypeKind::Object { fields }) = types.get(r.id.0).map(|t| &t.kind) else {
                return;
            };
            for (k, v) in map {
                match fields.iter().find(|f| &f.wire == k) {
                    Some(f) => undeclared(types, &f.ty, v, &format!("{path}.{k}"), out),
                    None => {
                        out.insert(format!("{path}.{k}"));
                    }
                }
            }
        }
        _ => {}
    }
}

/// An XML element as a value: children by name (repeated names a list), text as a string.
fn xml_value(node: roxmltree::Node) -> serde_json::Value {
    let children: Vec<roxmltree::Node> = node.children().filter(|c| c.is_element()).collect();
    if children.is_empty() {
        let text: String = node.children().filter_map(|c| c.text()).collect();
        return serde_json::Value::String(text.trim().to_string());
    }
    let mut map = serde_json::Map::new();
    for child in children {
        let name = child.tag_name().name().to_string();
        let value = xml_value(child);
        match map.get_mut(&name) {
            Some(serde_json::Value::Array(items)) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = serde_json::Value::Array(vec![first, value]);
            }
            None => {
                map.insert(name, value);
            }
        }
    }
    serde_json::Value::Object(map)
}
