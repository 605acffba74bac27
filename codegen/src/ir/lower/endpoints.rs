//! Groups and their endpoints: the header, the defaults, each endpoint's method, path,
//! credential, body, parameters, response, pagination and examples (inline or side files).

use std::collections::BTreeMap;

use super::fields::{Site, finish, lower_fields, named_param, query_capable};
use super::names::{API_PATH, RUST_KEYWORDS, SNAKE};
use super::scope::{ScopeKey, Scopes};
use super::*;
use crate::spec::{EXAMPLES, GroupFile, ResponseEntry};

/// The credential names `credentials.yaml` declares, with the default one.
pub(crate) struct CredentialNames {
    pub(crate) names: Vec<String>,
    /// Whether each kind can be carried by a call (it has a `param`).
    pub(crate) callable: Vec<bool>,
    pub(crate) default: Option<usize>,
}

impl CredentialNames {
    fn find(&self, name: &str) -> Option<CredId> {
        self.names.iter().position(|n| n == name).map(CredId)
    }
}

/// Where an endpoint's `auth` comes from, for the error message.
enum AuthSource<'a> {
    Written(&'a Loc<String>, FileId),
    GroupDefault(&'a Loc<String>, FileId),
    Default,
}

pub(crate) fn lower_group(
    cx: &mut Cx,
    scopes: &mut Scopes,
    credentials: &CredentialNames,
    name: &str,
    files: &[(FileId, GroupFile)],
) -> Option<Group> {
    let first = files.first().map(|(f, _)| *f)?;
    let folder = Span {
        file: first,
        range: 0..1,
    };
    if !SNAKE.is_match(name) || RUST_KEYWORDS.contains(&name) {
        cx.error(
            Code::GroupName,
            &folder,
            format!("group folder `spec/{name}/` must be a snake_case identifier"),
        );
    }
    let headers: Vec<&(FileId, GroupFile)> = files
        .iter()
        .filter(|(_, f)| {
            f.title.is_some()
                || f.summary.is_some()
                || f.doc.is_some()
                || f.defaults.is_some()
                || f.core.is_some()
        })
        .collect();
    let header = match headers.as_slice() {
        [one] => Some(*one),
        [] => {
            cx.error_note(
                Code::GroupHeader,
                &folder,
                format!("group `{name}` has no header"),
                "one file of the group gives `title`, `summary` and `doc`",
            );
            None
        }
        [first, second, ..] => {
            let (a, b) = (cx.file_start(first.0), cx.file_start(second.0));
            cx.error_twice(
                Code::GroupHeader,
                &b,
                format!("group `{name}` has its header in two files"),
                &a,
                "the header is here too",
            );
            Some(*first)
        }
    };
    let scope: ScopeKey = Some(name.to_string());
    let (mut title, mut summary, mut doc, mut core) = (String::new(), String::new(), String::new(), false);
    let mut default_auth = None;
    let mut default_body = None;
    if let Some((file, h)) = header {
        let start = cx.file_start(*file);
        title = required_text(cx, *file, &h.title, "title", &start);
        summary = required_text(cx, *file, &h.summary, "summary", &start);
        doc = match &h.doc {
            Some(d) => doc_url(d.value),
            None => {
                cx.error(
                    Code::MissingKey,
                    &start,
                    "missing `doc`: the number of the section's official page",
                );
                String::new()
            }
        };
        core = h.core.as_ref().is_some_and(|c| c.value);
        if let Some(defaults) = &h.defaults {
            default_auth = defaults.value.auth.as_ref().map(|a| (a, *file));
            default_body = defaults.value.body.as_ref().map(|b| (b, *file));
        }
    }
    let mut endpoints: Vec<Endpoint> = Vec::new();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for (file, spec) in files {
        for (key, e) in spec.endpoints.iter() {
            let at = cx.span(*file, key);
            if let Some(first) = seen.get(&key.value) {
                let first = first.clone();
                cx.error_twice(
                    Code::DuplicateName,
                    &at,
                    format!("endpoint `{}` is declared twice in group `{name}`", key.value),
                    &first,
                    "first declared here",
                );
                continue;
            }
            seen.insert(key.value.clone(), at.clone());
            let defaults = Defaults {
                auth: default_auth,
                body: default_body,
            };
            if let Some(e) = lower_endpoint(cx, scopes, credentials, &scope, name, *file, key, e, &defaults) {
                endpoints.push(e);
            }
        }
    }
    if endpoints.is_empty() && seen.is_empty() {
        cx.error(
            Code::MissingKey,
            &folder,
            format!("group `{name}` has no endpoints"),
        );
    }
    Some(Group {
        name: name.to_string(),
        title,
        summary,
        doc,
        core,
        source: format!("spec/{name}/"),
        types: scopes
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.scope.as_deref() == Some(name))
            .map(|(i, _)| TypeId(i))
            .collect(),
        endpoints,
        events: Vec::new(),
        span: folder,
    })
}

struct Defaults<'a> {
    auth: Option<(&'a Loc<String>, FileId)>,
    body: Option<(&'a Loc<String>, FileId)>,
}

fn required_text(
    cx: &mut Cx,
    file: FileId,
    value: &Option<Loc<String>>,
    key: &str,
    fallback: &Span,
) -> String {
    match value {
        Some(v) if !v.value.trim().is_empty() => v.value.trim().to_string(),
        Some(v) => {
            let at = cx.span(file, v);
            cx.error(Code::MissingKey, &at, format!("`{key}` is empty"));
            String::new()
        }
        None => {
            cx.error(Code::MissingKey, fallback, format!("missing `{key}`"));
            String::new()
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn lower_endpoint(
    cx: &mut Cx,
    scopes: &mut Scopes,
    credentials: &CredentialNames,
    scope: &ScopeKey,
    group: &str,
    file: FileId,
    name: &Loc<String>,
    e: &spec::Endpoint,
    defaults: &Defaults,
) -> Option<Endpoint> {
    let here = cx.span(file, name);
    if !SNAKE.is_match(&name.value) || RUST_KEYWORDS.contains(&name.value.as_str()) {
        cx.error(
            Code::EndpointName,
            &here,
            format!("endpoint name `{}` must be a snake_case identifier", name.value),
        );
    }
    let summary = required_text(cx, file, &e.summary, "summary", &here);
    let doc = match &e.doc {
        Some(d) => doc_url(d.value),
        None => {
            cx.error_note(
                Code::MissingKey,
                &here,
                "missing `doc`",
                "add `doc: NNNNN`, the number of https://developer.work.weixin.qq.com/document/path/NNNNN",
            );
            String::new()
        }
    };
    let method = match &e.method {
        None => {
            cx.error(Code::MissingKey, &here, "missing `method` (GET or POST)");
            None
        }
        Some(m) => match m.value.as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            other => {
                let at = cx.span(file, m);
                cx.error(
                    Code::BadValue,
                    &at,
                    format!("`method: {other}`: WeCom endpoints are `GET` or `POST`"),
                );
                None
            }
        },
    };
    let path = match &e.path {
        None => {
            cx.error(Code::MissingKey, &here, "missing `path`");
            String::new()
        }
        Some(p) => {
            if !API_PATH.is_match(&p.value) {
                let at = cx.span(file, p);
                cx.error_note(
                    Code::BadPath,
                    &at,
                    format!("malformed path `{}`", p.value),
                    "a path is the full path without query, such as /cgi-bin/user/get",
                );
            }
            p.value.clone()
        }
    };
    let auth_source = match (&e.auth, defaults.auth) {
        (Some(a), _) => AuthSource::Written(a, file),
        (None, Some((a, f))) => AuthSource::GroupDefault(a, f),
        (None, None) => AuthSource::Default,
    };
    let auth = resolve_auth(cx, credentials, auth_source);
    let body_written = match (&e.body, defaults.body) {
        (Some(b), _) => Some((b, file)),
        (None, Some(d)) => Some(d),
        (None, None) => None,
    };
    let body = match (body_written, method) {
        (None, Some(Method::Post)) => BodyKind::Json,
        (None, _) => BodyKind::None,
        (Some((b, bfile)), m) => {
            let at = cx.span(bfile, b);
            match b.value.as_str() {
                "json" if m == Some(Method::Get) => {
                    cx.error(Code::BodyMismatch, &at, "a GET request has no body");
                    BodyKind::None
                }
                "json" => BodyKind::Json,
                "multipart" => BodyKind::Multipart,
                "none" => BodyKind::None,
                other => {
                    cx.error(
                        Code::BadValue,
                        &at,
                        format!("unknown body kind `{other}`: use `json`, `multipart` or `none`"),
                    );
                    BodyKind::None
                }
            }
        }
    };

    let mut params = lower_fields(cx, scopes, scope, file, &e.request, Site::Request);
    let response = match &e.response {
        None => Response::Fields(Vec::new()),
        Some(r) => match &r.value {
            ResponseEntry::Named(n) if n == "binary" => Response::Binary,
            ResponseEntry::Named(n) => {
                let written = Loc {
                    value: n.clone(),
                    at: r.at,
                };
                match super::fields::resolve_type(cx, scopes, scope, file, &written) {
                    Some((Ty::Named(reference), _, _)) if reference.kind == NamedKind::Object => {
                        Response::Named(reference)
                    }
                    Some(_) => {
                        let at = cx.span(file, r);
                        cx.error(
                            Code::ResponseShape,
                            &at,
                            "`response:` names an object type, or says `binary`",
                        );
                        Response::Fields(Vec::new())
                    }
                    None => Response::Fields(Vec::new()),
                }
            }
            ResponseEntry::Fields(fields) => {
                Response::Fields(lower_fields(cx, scopes, scope, file, fields, Site::Response))
            }
        },
    };
    let mut response = response;
    let pagination = e
        .pagination
        .as_ref()
        .and_then(|p| pagination(cx, scopes, scope, file, p, &mut params, &mut response));

    for param in params.iter_mut().filter(|p| !p.poisoned) {
        if !param.placement_written {
            param.placement = match body {
                BodyKind::Json => Placement::Body,
                BodyKind::Multipart if param.ty == Ty::File => Placement::Body,
                _ => Placement::Query,
            };
        }
        let at = param.span.clone();
        if param.ty == Ty::File && (body != BodyKind::Multipart || param.placement != Placement::Body) {
            cx.error(
                Code::BodyMismatch,
                &at,
                format!(
                    "`{}` is a file: it travels in a `body: multipart` form",
                    param.wire
                ),
            );
        }
        if body == BodyKind::Multipart && param.ty != Ty::File && param.placement == Placement::Body {
            cx.error(
                Code::BodyMismatch,
                &at,
                format!(
                    "`{}`: a multipart body carries only files; other parameters travel in the query",
                    param.wire
                ),
            );
        }
        if param.placement == Placement::Body && body == BodyKind::None {
            cx.error(
                Code::BodyMismatch,
                &at,
                format!("`{}` travels in the body, but this endpoint has none", param.wire),
            );
        }
        if param.placement == Placement::Query && param.ty != Ty::File && !query_capable(&param.ty) {
            cx.error(
                Code::BodyMismatch,
                &at,
                format!(
                    "`{}` cannot travel in the query: only scalars and `piped` lists can",
                    param.wire
                ),
            );
        }
        if param.flatten && param.placement != Placement::Body {
            cx.error(Code::BodyMismatch, &at, "a flattened union travels in the body");
        }
    }
    if params.iter().filter(|p| p.flatten).count() > 1 {
        cx.error(
            Code::BodyMismatch,
            &here,
            "at most one parameter may be flattened",
        );
    }

    let mut constraints = Vec::new();
    for c in &e.constraints {
        if let Some(lowered) = super::constraints::lower(cx, file, c, &params, "a parameter of this endpoint")
        {
            constraints.push(lowered);
        }
    }
    stand_ins(cx, &mut params, &mut constraints);

    let mut more_requests = Vec::new();
    let (example_request, example_response) = match &e.example {
        None => (None, None),
        Some(example) => {
            let response = example
                .value
                .response
                .as_ref()
                .map(|r| inline_example(cx, file, r));
            let request = example
                .value
                .request
                .as_ref()
                .map(|r| inline_example(cx, file, r));
            for (label, text) in example.value.more_requests.iter() {
                more_requests.push((label.value.clone(), inline_example(cx, file, text)));
            }
            (request, response)
        }
    };
    let pascal_name = format!("{}{}", pascal(group), pascal(&name.value));
    Some(Endpoint {
        name: name.value.clone(),
        id: format!("{group}.{}", name.value),
        request_type: format!("{pascal_name}Request"),
        response_type: format!("{pascal_name}Response"),
        summary,
        description: e.description.clone().map(|d| d.trim().to_string()),
        method: method.unwrap_or(Method::Get),
        path,
        doc,
        auth,
        body,
        idempotent: e
            .idempotent
            .as_ref()
            .map_or(method == Some(Method::Get), |i| i.value),
        params,
        constraints,
        response,
        pagination,
        example_request,
        more_requests,
        example_response: example_response.unwrap_or(Example {
            text: String::new(),
            span: here.clone(),
        }),
        deprecated: e.deprecated.as_ref().map(|d| d.value.trim().to_string()),
        notes: e.notes.clone().map(|n| n.trim().to_string()),
        span: here,
    })
}

fn resolve_auth(cx: &mut Cx, credentials: &CredentialNames, source: AuthSource) -> Option<CredId> {
    let (written, file) = match source {
        AuthSource::Default => return credentials.default.map(CredId),
        AuthSource::Written(a, f) | AuthSource::GroupDefault(a, f) => (a, f),
    };
    if written.value == "none" {
        return None;
    }
    let at = cx.span(file, written);
    match credentials.find(&written.value) {
        Some(id) if credentials.callable[id.0] => Some(id),
        Some(_) => {
            cx.error(
                Code::UnknownCredential,
                &at,
                format!("`{}` is not sent with calls (it has no `param`)", written.value),
            );
            None
        }
        None => {
            let mut names: Vec<&str> = credentials.names.iter().map(String::as_str).collect();
            names.push("none");
            let message = format!("unknown credential `{}`", written.value);
            match closest(&written.value, names.iter().copied()) {
                Some(best) => cx.error_note(
                    Code::UnknownCredential,
                    &at,
                    message,
                    format!("did you mean `{best}`?"),
                ),
                None => cx.error_note(
                    Code::UnknownCredential,
                    &at,
                    message,
                    format!(
                        "the kinds of spec/credentials.yaml are {}, or `none`",
                        credentials.names.join(", ")
                    ),
                ),
            }
            None
        }
    }
}

fn inline_example(cx: &mut Cx, file: FileId, text: &Loc<String>) -> Example {
    let at = cx.span(file, text);
    if let Err(err) = serde_json::from_str::<serde_json::Value>(&text.value) {
        let span = locate_in_block(cx, file, text, err.line(), err.column());
        cx.error(Code::BadExample, &span, format!("the example is not JSON: {err}"));
    }
    Example {
        text: text.value.clone(),
        span: at,
    }
}

/// Maps a line and column inside a YAML block scalar to the source.
fn locate_in_block(cx: &Cx, file: FileId, text: &Loc<String>, line: usize, column: usize) -> Span {
    let source = cx.files.source(file);
    let start = cx.span(file, text).range.start;
    let first = text.value.lines().next().unwrap_or_default();
    let fallback = Span {
        file,
        range: start..start + 1,
    };
    if first.is_empty() {
        return fallback;
    }
    let Some(content) = source[start..].find(first).map(|i| start + i) else {
        return fallback;
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
    let end = source[offset..].find('\n').map_or(source.len(), |i| offset + i);
    let line_text = &source[offset..end];
    let indent = line_text.len() - line_text.trim_start().len();
    let at = (offset + indent + column.saturating_sub(1)).min(source.len());
    Span {
        file,
        range: at..(at + 1).min(source.len()),
    }
}

/// Settles `instead_of`: the required parameter it names becomes optional on the wire (still a
/// constructor argument), and exactly one of the two is required.
fn stand_ins(cx: &mut Cx, params: &mut [Field], constraints: &mut Vec<Constraint>) {
    let pairs: Vec<(usize, String, Span)> = params
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.instead_of.clone().map(|(target, at)| (i, target, at)))
        .collect();
    for (i, target, at) in pairs {
        let alternate = params[i].wire.clone();
        if params[i].deprecated.is_none() {
            cx.error(
                Code::KeyOutOfPlace,
                &at,
                format!("`instead_of` is for a deprecated parameter; `{alternate}` is not one"),
            );
            continue;
        }
        let found = params.iter().position(|p| p.wire == target);
        let Some(t) = found.filter(|t| *t != i) else {
            cx.error(
                Code::ConstraintShape,
                &at,
                format!("`instead_of: {target}` names no other parameter of this endpoint"),
            );
            continue;
        };
        let current = params[t].deprecated.is_none();
        let required = params[t].required || !params[t].alternates.is_empty();
        if !(current && required) {
            cx.error(
                Code::ConstraintShape,
                &at,
                format!("`instead_of: {target}` must name a required, current parameter"),
            );
            continue;
        }
        params[i].required = false;
        params[t].required = false;
        params[t].alternates.push(alternate.clone());
        let pair = vec![target, alternate];
        constraints.push(Constraint::AtLeastOneOf(pair.clone()));
        constraints.push(Constraint::AtMostOneOf(pair));
    }
}

/// Checks a pagination and adds the cursor parameter and next field an endpoint leaves to the
/// named parameters.
fn pagination(
    cx: &mut Cx,
    scopes: &mut Scopes,
    scope: &ScopeKey,
    file: FileId,
    p: &Loc<spec::Pagination>,
    params: &mut Vec<Field>,
    response: &mut Response,
) -> Option<Pagination> {
    let at = cx.span(file, p);
    let Response::Fields(fields) = response else {
        cx.error(
            Code::PaginationShape,
            &at,
            "`pagination` needs a response with fields",
        );
        return None;
    };
    let v = &p.value;
    let Some(items) = &v.items else {
        cx.error(
            Code::PaginationShape,
            &at,
            "`pagination` names the response list it walks: `items: ...`",
        );
        return None;
    };
    let mut ok = true;
    let items_at = cx.span(file, items);
    match fields.iter().find(|f| f.wire == items.value) {
        Some(f) if matches!(f.ty, Ty::List(_)) => {}
        Some(_) => {
            cx.error(
                Code::PaginationShape,
                &items_at,
                format!("`items: {}` is not a list", items.value),
            );
            ok = false;
        }
        None => {
            cx.error(
                Code::PaginationShape,
                &items_at,
                format!("`items: {}` is not a response field", items.value),
            );
            ok = false;
        }
    }
    // A request parameter or response field named in the pagination, from the endpoint or else
    // from the named parameter of that name.
    let take = |cx: &mut Cx,
                scopes: &mut Scopes,
                list: &mut Vec<Field>,
                name: &Loc<String>,
                site: Site|
     -> Option<Field> {
        if let Some(f) = list.iter().find(|f| f.wire == name.value) {
            return Some(f.clone());
        }
        let nat = cx.span(file, name);
        if scopes.param(scope, &name.value).is_none() {
            let what = if site == Site::Request {
                "request parameter"
            } else {
                "response field"
            };
            cx.error_note(
                Code::PaginationShape,
                &nat,
                format!("`{}` is not a {what} of this endpoint", name.value),
                "declare it, or declare a named parameter of that name",
            );
            return None;
        }
        let partial = named_param(cx, scopes, scope, &name.value, &nat)?;
        let mut field = finish(cx, &name.value, partial, site)?;
        field.span = nat;
        if site == Site::Request {
            field.required = false;
        }
        list.push(field.clone());
        Some(field)
    };
    match (&v.cursor, &v.offset) {
        (Some(cursor), None) => {
            if v.limit.is_some() {
                cx.error(
                    Code::PaginationShape,
                    &at,
                    "`limit` belongs to offset paging; cursor paging needs `cursor` and `next`",
                );
            }
            let Some(next) = &v.next else {
                cx.error(
                    Code::PaginationShape,
                    &at,
                    "cursor paging needs `next`: the response field with the next cursor",
                );
                return None;
            };
            let cursor_field = take(cx, scopes, params, cursor, Site::Request);
            let next_field = take(cx, scopes, fields, next, Site::Response);
            if let (Some(c), Some(n)) = (&cursor_field, &next_field) {
                let scalar = |t: &Ty| matches!(t, Ty::String | Ty::Int(_));
                if !scalar(&c.ty) || c.ty != n.ty {
                    let nat = cx.span(file, next);
                    cx.error(
                        Code::PaginationShape,
                        &nat,
                        "the cursor parameter and the `next` field must be the same string or integer type",
                    );
                    ok = false;
                }
            }
            if let Some(last) = &v.last {
                match fields.iter().find(|f| f.wire == last.value) {
                    Some(f) if matches!(f.ty, Ty::Flag | Ty::Bool) => {}
                    _ => {
                        let lat = cx.span(file, last);
                        cx.error(
                            Code::PaginationShape,
                            &lat,
                            format!("`last: {}` is not a boolean response field", last.value),
                        );
                        ok = false;
                    }
                }
            }
            (ok && cursor_field.is_some() && next_field.is_some()).then(|| Pagination::Cursor {
                cursor: cursor.value.clone(),
                next: next.value.clone(),
                items: items.value.clone(),
                last: v.last.as_ref().map(|l| l.value.clone()),
            })
        }
        (None, Some(offset)) => {
            if v.next.is_some() || v.last.is_some() {
                cx.error(
                    Code::PaginationShape,
                    &at,
                    "`next` and `last` belong to cursor paging; offset paging needs `offset` and `limit`",
                );
            }
            let Some(limit) = &v.limit else {
                cx.error(
                    Code::PaginationShape,
                    &at,
                    "offset paging needs `limit`: the page-size parameter",
                );
                return None;
            };
            let offset_field = take(cx, scopes, params, offset, Site::Request);
            let limit_field = take(cx, scopes, params, limit, Site::Request);
            for f in [&offset_field, &limit_field].into_iter().flatten() {
                if !matches!(f.ty, Ty::Int(_)) {
                    cx.error(
                        Code::PaginationShape,
                        &at,
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
            cx.error(
                Code::PaginationShape,
                &at,
                "`pagination` has either `cursor` (with `next`) or `offset` (with `limit`)",
            );
            None
        }
    }
}

/// Side files `spec/<group>/examples/<endpoint>.{request,response}[.<label>].json` join their
/// endpoints; then every endpoint must have its examples.
pub(crate) fn attach_side_examples(cx: &mut Cx, parsed: &Parsed, groups: &mut [Group]) {
    for (file, group_name, name) in &parsed.examples {
        let start = cx.file_start(*file);
        let Some(group) = groups.iter_mut().find(|g| &g.name == group_name) else {
            continue;
        };
        let parts: Vec<&str> = name.split('.').collect();
        let (endpoint, role, label) = match parts.as_slice() {
            [e, role @ ("request" | "response"), "json"] => (*e, *role, None),
            [e, "request", label, "json"] => (*e, "request", Some(*label)),
            _ => {
                cx.error_note(
                    Code::ExampleFile,
                    &start,
                    format!("`spec/{group_name}/{EXAMPLES}/{name}` is not an example file name"),
                    "name it <endpoint>.request.json, <endpoint>.response.json or <endpoint>.request.<label>.json",
                );
                continue;
            }
        };
        let Some(e) = group.endpoints.iter_mut().find(|e| e.name == endpoint) else {
            let names: Vec<&str> = group.endpoints.iter().map(|e| e.name.as_str()).collect();
            let message = format!("`{name}` names no endpoint of group `{group_name}`");
            match closest(endpoint, names.iter().copied()) {
                Some(best) => cx.error_note(
                    Code::ExampleFile,
                    &start,
                    message,
                    format!("did you mean `{best}`?"),
                ),
                None => cx.error(Code::ExampleFile, &start, message),
            }
            continue;
        };
        let text = cx.files.source(*file).to_string();
        if let Err(err) = serde_json::from_str::<serde_json::Value>(&text) {
            let range = cx.files.line_col(*file, err.line() as u64, err.column() as u64);
            cx.error(
                Code::BadExample,
                &Span { file: *file, range },
                format!("the example is not JSON: {err}"),
            );
        }
        let example = Example {
            text,
            span: start.clone(),
        };
        let twice = |cx: &mut Cx, inline: &Span| {
            cx.error_twice(
                Code::ExampleFile,
                &start,
                format!("`{name}` repeats an example written inline"),
                inline,
                "written inline here",
            )
        };
        match (role, label) {
            ("response", _) => {
                if e.example_response.text.is_empty() {
                    e.example_response = example;
                } else {
                    let inline = e.example_response.span.clone();
                    twice(cx, &inline);
                }
            }
            (_, None) => match &e.example_request {
                None => e.example_request = Some(example),
                Some(inline) => {
                    let inline = inline.span.clone();
                    twice(cx, &inline);
                }
            },
            (_, Some(label)) => {
                if !SNAKE.is_match(label) {
                    cx.error(
                        Code::ExampleFile,
                        &start,
                        format!("example label `{label}` must be snake_case"),
                    );
                }
                if let Some((_, inline)) = e.more_requests.iter().find(|(l, _)| l == label) {
                    let inline = inline.span.clone();
                    twice(cx, &inline);
                } else {
                    e.more_requests.push((label.to_string(), example));
                }
            }
        }
    }
    for group in groups.iter_mut() {
        for e in &mut group.endpoints {
            e.more_requests.sort_by(|a, b| a.0.cmp(&b.0));
            if e.example_response.text.is_empty() {
                cx.error_note(
                    Code::MissingExample,
                    &e.span,
                    format!("endpoint `{}` has no documented response", e.id),
                    format!(
                        "copy it from the official page into `example.response` or spec/{}/{EXAMPLES}/{}.response.json",
                        group.name, e.name
                    ),
                );
            }
            if e.example_request.is_none() && !e.params.is_empty() {
                cx.error_note(
                    Code::MissingExample,
                    &e.span,
                    format!("endpoint `{}` takes parameters but has no documented request", e.id),
                    format!(
                        "one JSON object of all parameters in `example.request` or spec/{}/{EXAMPLES}/{}.request.json",
                        group.name, e.name
                    ),
                );
            }
        }
    }
}
