//! The Rust call of an endpoint as a user writes it, built from the documented request: the
//! required values as arguments, the other documented parameters as setters, nested objects and
//! unions by their constructors. The reference docs show it; a generated test compiles every one
//! and runs it against the mock, so no snippet is refused locally or fails to build.

use serde_json::Value;

use crate::ir::{Api, Endpoint, Field, Group, Module, Response, Ty, TypeKind, TypeRef};

/// The snippet's statements; they use `client` and `?`.
pub fn rust_call(api: &Api, g: &Group, e: &Endpoint) -> String {
    let example: Value = e
        .example_request
        .as_ref()
        .and_then(|r| serde_json::from_str(&r.text).ok())
        .unwrap_or(Value::Null);
    let mut args = Vec::new();
    let mut setters = String::new();
    // A stream walks the pages itself: it starts without the position parameter.
    let position = match &e.pagination {
        Some(crate::ir::Pagination::Cursor { cursor, .. }) => Some(cursor.as_str()),
        Some(crate::ir::Pagination::Offset { offset, .. }) => Some(offset.as_str()),
        None => None,
    };
    let mut stream_setters = String::new();
    for p in &e.params {
        // A flattened union's tag and payload sit beside the other parameters.
        let value = if p.flatten {
            Some(&example)
        } else {
            example.get(&p.wire)
        };
        if p.required || !p.alternates.is_empty() {
            // An older name the example may carry in place of the current one.
            let value = value.or_else(|| p.alternates.iter().find_map(|a| example.get(a)));
            args.push(argument(api, p, value));
        } else if p.deprecated.is_none()
            && let Some(value) = value.filter(|v| !v.is_null())
        {
            let setter = format!("\n    .{}({})", p.rust, argument(api, p, Some(value)));
            if position != Some(p.wire.as_str()) {
                stream_setters.push_str(&setter);
            }
            setters.push_str(&setter);
        }
    }
    let call = format!("client.{}().{}({}){setters}", g.name, e.name, args.join(", "));
    match e.response {
        Response::Binary => format!("let file = {call}.await?;\nfile.save_to(\"downloaded\").await?;"),
        _ if e.pagination.is_some() => {
            let stream = format!(
                "client.{}().{}({}){stream_setters}",
                g.name,
                e.name,
                args.join(", ")
            );
            format!(
                "let response = {call}.await?;\n// or every item of every page:\nlet items = {stream}.stream();"
            )
        }
        _ => format!("let response = {call}.await?;"),
    }
}

/// A field's value as the argument of its constructor or setter.
fn argument(api: &Api, p: &Field, value: Option<&Value>) -> String {
    match (&p.ty, value) {
        (Ty::File, _) => format!(
            "wecom_sdk::Upload::from_path({:?})",
            value.and_then(Value::as_str).unwrap_or("file")
        ),
        (ty, Some(value)) => expr(api, ty, value, Position::Argument),
        (ty, None) => placeholder(api, ty, Position::Argument),
    }
}

/// Where an expression stands: as an argument, `impl Into<T>` converts; inside a collection the
/// element type is exact.
#[derive(Clone, Copy, PartialEq)]
enum Position {
    Argument,
    Element,
}

fn expr(api: &Api, ty: &Ty, value: &Value, at: Position) -> String {
    match (ty, value) {
        (Ty::String, Value::String(s)) => owned(format!("{s:?}"), at),
        (Ty::String, other) => owned(format!("{:?}", other.to_string()), at),
        (Ty::Int(kind), v) => match int_text(v) {
            Some(n) => format!("{n}_{}", kind.rust()),
            None => format!("0_{}", kind.rust()),
        },
        (Ty::F64, v) => {
            let x = v
                .as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .unwrap_or(0.0);
            format!("{x:?}_f64")
        }
        (Ty::Bool | Ty::Flag, v) => (v.as_bool().unwrap_or(false) || int_text(v) == Some(1)).to_string(),
        (Ty::List(inner) | Ty::Piped(inner) | Ty::Commas(inner), Value::Array(items)) => {
            list(api, inner, items)
        }
        (Ty::Piped(inner), Value::String(s)) => {
            let items: Vec<Value> = s
                .split('|')
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect();
            list(api, inner, &items)
        }
        (Ty::List(inner) | Ty::Piped(inner) | Ty::Commas(inner), other) => {
            list(api, inner, std::slice::from_ref(other))
        }
        (Ty::Map(inner), Value::Object(map)) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("({k:?}.to_string(), {})", expr(api, inner, v, Position::Element)))
                .collect();
            format!("std::collections::BTreeMap::from([{}])", entries.join(", "))
        }
        (Ty::Map(_), _) => "std::collections::BTreeMap::new()".to_string(),
        (Ty::Json, v) => format!("serde_json::json!({v})"),
        (Ty::File, v) => format!("wecom_sdk::Upload::from_path({:?})", v.as_str().unwrap_or("file")),
        (Ty::Named(r), v) => named(api, r, v),
    }
}

fn owned(literal: String, at: Position) -> String {
    match at {
        Position::Argument => literal,
        Position::Element => format!("{literal}.to_string()"),
    }
}

fn int_text(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn list(api: &Api, inner: &Ty, items: &[Value]) -> String {
    if items.is_empty() {
        return format!("Vec::<{}>::new()", element_type(inner));
    }
    let at = match inner {
        // `impl IntoIterator<Item = impl Into<String>>`: string literals as they are.
        Ty::String => Position::Argument,
        _ => Position::Element,
    };
    let items: Vec<String> = items.iter().map(|v| expr(api, inner, v, at)).collect();
    format!("[{}]", items.join(", "))
}

fn element_type(ty: &Ty) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Int(kind) => kind.rust().to_string(),
        Ty::F64 => "f64".into(),
        Ty::Bool | Ty::Flag => "bool".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::File => "wecom_sdk::Upload".into(),
        Ty::List(inner) | Ty::Piped(inner) | Ty::Commas(inner) => format!("Vec<{}>", element_type(inner)),
        Ty::Map(inner) => format!("std::collections::BTreeMap<String, {}>", element_type(inner)),
        Ty::Named(r) => path(r),
    }
}

/// The public path of a named type.
fn path(r: &TypeRef) -> String {
    match &r.module {
        Module::Shared => format!("wecom_sdk::types::{}", r.rust),
        Module::Group(g) => format!("wecom_sdk::{g}::{}", r.rust),
    }
}

fn named(api: &Api, r: &TypeRef, value: &Value) -> String {
    let def = api.ty(r.id);
    let path = path(r);
    match (&def.kind, value) {
        (TypeKind::IntEnum { values, repr }, v) => match int_text(v) {
            Some(n) => match values.iter().find(|c| i128::from(c.value) == n) {
                Some(c) => format!("{path}::{}", c.constant),
                None => format!("{path}::from({n}_{})", repr.rust()),
            },
            None => format!("{path}::default()"),
        },
        (TypeKind::StrEnum { values }, v) => {
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            match values.iter().find(|c| c.value == text) {
                Some(c) => format!("{path}::{}", c.constant),
                None => format!("{path}::from({text:?})"),
            }
        }
        (TypeKind::Object { fields }, Value::Object(map)) => {
            let args: Vec<String> = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| match map.get(&f.wire) {
                    Some(v) => expr(api, &f.ty, v, Position::Argument),
                    None => placeholder(api, &f.ty, Position::Argument),
                })
                .collect();
            let mut text = format!("{path}::new({})", args.join(", "));
            for f in fields.iter().filter(|f| !f.required && f.deprecated.is_none()) {
                if let Some(v) = map.get(&f.wire).filter(|v| !v.is_null()) {
                    text.push_str(&format!(
                        ".{}({})",
                        f.rust,
                        expr(api, &f.ty, v, Position::Argument)
                    ));
                }
            }
            text
        }
        (TypeKind::Union { tag, variants }, Value::Object(map)) => {
            let chosen = map
                .get(tag)
                .and_then(Value::as_str)
                .and_then(|t| variants.iter().find(|v| v.wire == t))
                .or_else(|| variants.iter().find(|v| map.contains_key(&v.wire)));
            match chosen {
                Some(v) => {
                    let payload = map
                        .get(&v.wire)
                        .cloned()
                        .unwrap_or(Value::Object(Default::default()));
                    format!("{path}::{}({})", v.rust, named(api, &v.ty, &payload))
                }
                None => json_fallback(&path, value),
            }
        }
        _ => json_fallback(&path, value),
    }
}

/// A value no constructor renders: decoded from its JSON, as the typed request would.
fn json_fallback(path: &str, value: &Value) -> String {
    format!("serde_json::from_value::<{path}>(serde_json::json!({value}))?")
}

/// A value the example does not show.
fn placeholder(api: &Api, ty: &Ty, at: Position) -> String {
    match ty {
        Ty::String => owned("\"…\"".into(), at),
        Ty::List(inner) | Ty::Piped(inner) | Ty::Commas(inner) => {
            format!("Vec::<{}>::new()", element_type(inner))
        }
        Ty::Named(r) => match &api.ty(r.id).kind {
            TypeKind::Object { .. } | TypeKind::Union { .. } => {
                json_fallback(&path(r), &Value::Object(Default::default()))
            }
            _ => format!("{}::default()", path(r)),
        },
        other => expr(api, other, &Value::Null, at),
    }
}

/// `wecom-mock/tests/snippets/generated.rs`: every endpoint's snippet as an async function, and
/// `run`, which calls the one of an endpoint id.
pub fn test_file(api: &Api) -> Result<proc_macro2::TokenStream, String> {
    use quote::{format_ident, quote};
    let mut functions = Vec::new();
    let mut arms = Vec::new();
    for g in &api.groups {
        for e in &g.endpoints {
            let body: proc_macro2::TokenStream = rust_call(api, g, e)
                .parse()
                .map_err(|err| format!("generator bug: the snippet of {} does not lex: {err}", e.id))?;
            let name = format_ident!("{}_{}", g.name, e.name);
            let id = &e.id;
            let doc = format!(" `{id}`");
            functions.push(quote! {
                #[doc = #doc]
                async fn #name(client: &Client) -> Outcome {
                    #body
                    Ok(())
                }
            });
            arms.push(quote!(#id => Some(#name(client).await),));
        }
    }
    Ok(quote! {
        //! The Rust snippet of every endpoint's reference docs, as it is printed there.
        #![allow(unused_variables, deprecated, reason = "snippets bind what they show and call deprecated endpoints too")]

        use wecom_sdk::Client;

        /// What a snippet ends in.
        pub type Outcome = Result<(), Box<dyn std::error::Error>>;

        #(#functions)*

        /// Runs the snippet of the endpoint `id`; `None` for an id no snippet has.
        pub async fn run(id: &str, client: &Client) -> Option<Outcome> {
            match id {
                #(#arms)*
                _ => None,
            }
        }
    })
}
