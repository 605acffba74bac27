//! The reference docs in `docs/api/`: an index and one page per group, written from the spec so
//! they cannot drift from the SDK.

use std::fmt::Write;

use super::docs::limits_text;
use crate::ir::{
    Api, BodyKind, Endpoint, Field, Group, Module, Pagination, Placement, Response, Ty, TypeDef, TypeKind,
};

pub const DOCS_DIR: &str = "docs/api";

/// `(file name, contents)` of every page, the index first.
pub fn pages(api: &Api) -> Vec<(String, String, String)> {
    let mut out = vec![("README.md".to_string(), "spec/".to_string(), index(api))];
    for group in &api.groups {
        out.push((
            format!("{}.md", group.name),
            group.source.clone(),
            group_page(api, group),
        ));
    }
    out.push((
        "types.md".to_string(),
        "spec/shared.yaml".to_string(),
        shared_page(api),
    ));
    out
}

fn index(api: &Api) -> String {
    let mut s = String::new();
    let total: usize = api.groups.iter().map(|g| g.endpoints.len()).sum();
    let _ = writeln!(s, "# WeCom API reference\n");
    let _ = writeln!(
        s,
        "Every endpoint wecom-rs knows, generated from `spec/` by `cargo xtask gen`: {total} endpoints in {} groups. \
         Each page lists, per endpoint, its route, credential, parameters with their limits, response fields, the \
         documented example, the Rust call and the official page. Types shared by several groups are in \
         [types.md](types.md); error codes in [../errcodes.md](../errcodes.md).\n",
        api.groups.len()
    );
    let _ = writeln!(s, "| group | title | endpoints | feature |");
    let _ = writeln!(s, "|---|---|---|---|");
    for g in &api.groups {
        let feature = if g.core {
            "always built".to_string()
        } else {
            format!("`{}`", g.name)
        };
        let _ = writeln!(
            s,
            "| [`{}`]({}.md) | {} | {} | {} |",
            g.name,
            g.name,
            cell(&g.title),
            g.endpoints.len(),
            feature
        );
    }
    let _ = writeln!(s, "\n## All endpoints\n");
    let _ = writeln!(s, "| route | Rust | summary |");
    let _ = writeln!(s, "|---|---|---|");
    let mut rows: Vec<(String, String)> = Vec::new();
    for g in &api.groups {
        for e in &g.endpoints {
            rows.push((
                e.path.clone(),
                format!(
                    "| `{} {}` | [`{}.{}`]({}.md#{}) | {} |",
                    e.method.as_str(),
                    e.path,
                    g.name,
                    e.name,
                    g.name,
                    anchor(&e.name),
                    cell(&e.summary)
                ),
            ));
        }
    }
    rows.sort();
    for (_, row) in rows {
        let _ = writeln!(s, "{row}");
    }
    s
}

fn group_page(api: &Api, g: &Group) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# `{}` — {}\n", g.name, g.title);
    let _ = writeln!(s, "{}\n", g.summary);
    let feature = if g.core {
        "always built".to_string()
    } else {
        format!("cargo feature `{}`", g.name)
    };
    let _ = writeln!(
        s,
        "Official docs: <{}> · Rust: `wecom_sdk::{}` ({feature}) · spec: `{}`\n",
        g.doc, g.name, g.source
    );
    for e in &g.endpoints {
        let _ = writeln!(s, "- [`{}`](#{}) — {}", e.name, anchor(&e.name), e.summary);
    }
    for e in &g.endpoints {
        endpoint_section(&mut s, api, g, e);
    }
    if !g.events.is_empty() {
        let _ = writeln!(
            s,
            "\n## Callback events\n\nWhat WeCom pushes for this area, as `wecom_sdk::callback::Event` (cargo feature \
             `callback`). Each carries the header elements of its shape besides its own; it is recognised by the \
             elements listed under \"when\".\n"
        );
        for e in &g.events {
            let when: Vec<String> = e.when.iter().map(|(k, v)| format!("`{k}={v}`")).collect();
            let _ = writeln!(s, "\n### {} — {}\n", e.name, e.title);
            let _ = writeln!(
                s,
                "| | |\n|---|---|\n| when | {} |\n| shape | `{}` |\n| Rust | `callback::Event::{}(wecom_sdk::{}::{})` |\n| docs | <{}> |\n",
                when.join(", "),
                e.shape,
                e.variant,
                g.name,
                e.rust,
                e.doc
            );
            if let Some(d) = &e.description {
                let _ = writeln!(s, "{}\n", d.trim());
            }
            if !e.fields.is_empty() {
                field_table(&mut s, api, g, &e.fields);
            }
            if let Some(example) = &e.example {
                let lang = if example.text.trim_start().starts_with('{') {
                    "json"
                } else {
                    "xml"
                };
                let _ = writeln!(s, "\n```{lang}\n{}\n```", example.text.trim_end());
            }
        }
    }
    if !g.types.is_empty() {
        let _ = writeln!(s, "\n## Types\n");
        for id in &g.types {
            type_section(&mut s, api, g, api.ty(*id));
        }
    }
    s
}

fn shared_page(api: &Api) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Shared types\n");
    let _ = writeln!(
        s,
        "Types several groups use (`spec/shared.yaml`, Rust `wecom_sdk::types`, re-exported by each group that uses them).\n"
    );
    for (_, t) in api.shared_types() {
        type_section(&mut s, api, &Group::shared_placeholder(), t);
    }
    s
}

fn endpoint_section(s: &mut String, api: &Api, g: &Group, e: &Endpoint) {
    let _ = writeln!(s, "\n## {}\n", e.name);
    let _ = writeln!(s, "{}\n", e.summary);
    if let Some(note) = &e.deprecated {
        let _ = writeln!(s, "**Deprecated:** {note}.\n");
    }
    let credential = match e.auth {
        Some(c) => {
            let c = api.credential(c);
            match &c.param {
                Some(param) if *param != c.name => format!("`{}` (sent as `{param}`)", c.name),
                _ => format!("`{}`", c.name),
            }
        }
        None => "none".to_string(),
    };
    let body = match e.body {
        BodyKind::Json => "JSON",
        BodyKind::Multipart => "multipart form",
        BodyKind::None => "none",
    };
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| route | `{} {}` |", e.method.as_str(), e.path);
    let _ = writeln!(s, "| credential | {credential} |");
    let _ = writeln!(s, "| body | {body} |");
    let _ = writeln!(s, "| official docs | <{}> |", e.doc);
    let _ = writeln!(
        s,
        "| Rust | `wecom_sdk::{}::{}` → `{}` |",
        g.name, e.request_type, e.response_type
    );
    if let Some(description) = &e.description {
        let _ = writeln!(s, "\n{description}");
    }
    if !e.params.is_empty() {
        let _ = writeln!(s, "\n### Parameters\n");
        let _ = writeln!(s, "| name | in | type | required | limits | description |");
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for p in &e.params {
            let place = match (p.placement, p.ty == Ty::File, p.flatten) {
                (_, true, _) => "form",
                (_, _, true) => "body (flattened)",
                (Placement::Query, _, _) => "query",
                (Placement::Body, _, _) => "body",
            };
            let _ = writeln!(
                s,
                "| `{}` | {place} | {} | {} | {} | {} |",
                p.wire,
                type_name(api, g, &p.ty, p.as_string),
                required_cell(p),
                cell(&limits_text(&p.limits).join("; ")),
                description(p)
            );
        }
    }
    for c in &e.constraints {
        let _ = writeln!(s, "\n{}.", capitalized(&c.sentence()));
    }
    let _ = writeln!(s, "\n### Response\n");
    match &e.response {
        Response::Binary => {
            let _ = writeln!(
                s,
                "The file itself, streamed (`wecom_sdk::Download`); only errors are JSON."
            );
        }
        Response::Named(r) => {
            let _ = writeln!(
                s,
                "The body is a {} (fields beside `errcode` and `errmsg`).",
                type_link(api, g, r)
            );
        }
        Response::Fields(fields) if fields.is_empty() => {
            let _ = writeln!(s, "`errcode` and `errmsg` only.");
        }
        Response::Fields(fields) => field_table(s, api, g, fields),
    }
    if let Some(p) = &e.pagination {
        let walk = match p {
            Pagination::Cursor {
                cursor,
                next,
                items,
                last,
            } => format!(
                "cursor paging: `{next}` of each answer goes into `{cursor}`; the stream yields the items of `{items}`{}",
                last.as_ref()
                    .map(|l| format!(" and ends when `{l}` says so"))
                    .unwrap_or_default()
            ),
            Pagination::Offset { offset, limit, items } => {
                format!(
                    "offset paging: `{offset}` advances by `{limit}`; the stream yields the items of `{items}`"
                )
            }
        };
        let _ = writeln!(
            s,
            "\nPaginated ({walk}): `.stream()` on the call walks every page."
        );
    }
    let _ = writeln!(
        s,
        "\n### Rust\n\n```rust\n{}\n```",
        super::snippet::rust_call(api, g, e)
    );
    if let Some(request) = &e.example_request {
        let _ = writeln!(
            s,
            "\n### Example request\n\n```json\n{}\n```",
            request.text.trim_end()
        );
    }
    let _ = writeln!(
        s,
        "\n### Example response\n\n```json\n{}\n```",
        e.example_response.text.trim_end()
    );
    if let Some(notes) = &e.notes {
        let _ = writeln!(s, "\n### Notes\n\n{notes}");
    }
}

fn type_section(s: &mut String, api: &Api, g: &Group, t: &TypeDef) {
    let _ = writeln!(s, "\n### {}\n", t.rust);
    let _ = writeln!(s, "{}\n", t.description);
    match &t.kind {
        TypeKind::Object { fields } => {
            field_table(s, api, g, fields);
            for c in &t.constraints {
                let _ = writeln!(s, "\n{}.", capitalized(&c.sentence()));
            }
        }
        TypeKind::IntEnum { values, .. } => {
            let _ = writeln!(
                s,
                "Open integer enum (values not listed here still decode).\n\n| value | Rust | meaning |\n|---|---|---|"
            );
            for v in values {
                let _ = writeln!(
                    s,
                    "| `{}` | `{}::{}` | {} |",
                    v.value,
                    t.rust,
                    v.constant,
                    cell(&v.description)
                );
            }
        }
        TypeKind::StrEnum { values } => {
            let _ = writeln!(
                s,
                "Open string enum (values not listed here still decode).\n\n| value | Rust | meaning |\n|---|---|---|"
            );
            for v in values {
                let _ = writeln!(
                    s,
                    "| `{}` | `{}::{}` | {} |",
                    v.value,
                    t.rust,
                    v.constant,
                    cell(&v.description)
                );
            }
        }
        TypeKind::Union { tag, variants } => {
            let _ = writeln!(
                s,
                "Tagged union: `\"{tag}\": \"<variant>\"` beside `\"<variant>\": {{…}}`.\n\n| `{tag}` | payload | meaning |\n|---|---|---|"
            );
            for v in variants {
                let _ = writeln!(
                    s,
                    "| `{}` | {} | {} |",
                    v.wire,
                    type_link(api, g, &v.ty),
                    cell(&v.description)
                );
            }
        }
    }
}

fn field_table(s: &mut String, api: &Api, g: &Group, fields: &[Field]) {
    let _ = writeln!(s, "| name | type | required | limits | description |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    for f in fields {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} |",
            f.wire,
            type_name(api, g, &f.ty, f.as_string),
            if f.required { "yes" } else { "no" },
            cell(&limits_text(&f.limits).join("; ")),
            description(f)
        );
    }
}

fn description(f: &Field) -> String {
    let mut text = cell(&f.description);
    if let Some(default) = &f.default {
        let _ = write!(text, " (default `{default}`)");
    }
    if f.secret {
        text.push_str(" (a credential: redacted in `Debug`)");
    }
    if let Some(note) = &f.deprecated {
        let _ = write!(text, " **Deprecated:** {}", cell(note));
    }
    text
}

/// The spec spelling of a type, named types linked to their section.
fn type_name(api: &Api, g: &Group, ty: &Ty, as_string: bool) -> String {
    let plain = match ty {
        Ty::String => "string".to_string(),
        Ty::Int(kind) => kind.rust().to_string(),
        Ty::F64 => "f64".to_string(),
        Ty::Bool => "bool".to_string(),
        Ty::Flag => "flag (0/1)".to_string(),
        Ty::Json => "json".to_string(),
        Ty::File => "file".to_string(),
        Ty::List(inner) => format!("list&lt;{}&gt;", type_name(api, g, inner, false)),
        Ty::Map(inner) => format!("map&lt;{}&gt;", type_name(api, g, inner, false)),
        Ty::Piped(inner) => format!("piped&lt;{}&gt; (`a\\|b`)", type_name(api, g, inner, false)),
        Ty::Commas(inner) => format!("commas&lt;{}&gt; (`a,b`)", type_name(api, g, inner, false)),
        Ty::Named(r) => type_link(api, g, r),
    };
    if as_string {
        format!("{plain} (as a string)")
    } else {
        plain
    }
}

fn type_link(api: &Api, g: &Group, r: &crate::ir::TypeRef) -> String {
    let _ = api;
    let name = r.rust.as_str();
    let shared = r.module == Module::Shared;
    if shared && g.name != "shared" {
        format!("[`{name}`](types.md#{})", anchor(name))
    } else {
        format!("[`{name}`](#{})", anchor(name))
    }
}

/// `text` with its first letter upper-case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Text fit for a table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// GitHub's heading anchor for a plain identifier.
fn anchor(name: &str) -> String {
    name.to_lowercase()
}

impl Group {
    /// A stand-in for the shared types page, so links resolve within it.
    fn shared_placeholder() -> Group {
        Group {
            name: "shared".into(),
            title: String::new(),
            summary: String::new(),
            doc: String::new(),
            core: true,
            source: "spec/shared.yaml".into(),
            types: Vec::new(),
            endpoints: Vec::new(),
            events: Vec::new(),
            span: Default::default(),
        }
    }
}

/// `docs/errcodes.md`: the whole official table, one row per code.
pub fn errcodes_page(api: &Api) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# WeCom error codes\n");
    let _ = writeln!(
        s,
        "Every code of the official global error-code table (<https://developer.work.weixin.qq.com/document/path/90313>), \
         {} in all, from `spec/errcodes.yaml`. In Rust: `wecom_sdk::errcodes::lookup(code)`, and `ApiError::info()` / \
         `ApiError::class()` on a refused call. The class says what a caller can do: `retryable` (try again later), \
         `token` (the client refreshes the token and repeats the call once), `configuration` (fix the corp id, \
         secret or settings), `rate_limit` (slow down), `permission`, `invalid_argument`, `other`.\n",
        api.errcodes.len()
    );
    let _ = writeln!(
        s,
        "The codes callers commonly handle have names, constants of `wecom_sdk::ErrorCode`: \
         `err.code() == Some(ErrorCode::USER_NOT_FOUND)`.\n"
    );
    let _ = writeln!(s, "| code | name | meaning | class | hint |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    for e in &api.errcodes {
        let name = e.name.as_ref().map(|n| format!("`{n}`")).unwrap_or_default();
        let _ = writeln!(
            s,
            "| {} | {name} | {} | {} | {} |",
            e.code,
            cell(&e.meaning),
            e.class.as_str(),
            cell(&e.hint)
        );
    }
    s
}

/// `yes`, `no`, or `yes, or `userid` (deprecated)` for a parameter an older name may stand in for.
fn required_cell(p: &Field) -> String {
    if p.required {
        return "yes".into();
    }
    if p.alternates.is_empty() {
        return "no".into();
    }
    let names: Vec<String> = p.alternates.iter().map(|a| format!("`{a}`")).collect();
    format!("yes, or {} (deprecated)", names.join(", "))
}
