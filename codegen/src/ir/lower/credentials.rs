//! The credential kinds of `credentials.yaml`: declared first (endpoints name them in `auth:`),
//! lowered once the endpoints are (each kind is fetched by one of them).

use std::collections::BTreeSet;

use super::endpoints::CredentialNames;
use super::names::SNAKE;
use super::*;

pub(crate) fn declare(cx: &mut Cx, parsed: &Parsed) -> CredentialNames {
    let mut out = CredentialNames {
        names: Vec::new(),
        callable: Vec::new(),
        default: None,
    };
    let Some((file, spec)) = &parsed.credentials else {
        return out;
    };
    for (name, def) in spec.credentials.iter() {
        let at = cx.span(*file, name);
        if !SNAKE.is_match(&name.value) {
            cx.error(
                Code::CredentialShape,
                &at,
                format!("credential `{}` must be snake_case", name.value),
            );
        }
        if def.value.default.as_ref().is_some_and(|d| d.value) {
            if out.default.is_some() {
                cx.error(Code::CredentialShape, &at, "only one credential is the `default`");
            } else {
                out.default = Some(out.names.len());
            }
        }
        out.callable.push(def.value.param.is_some());
        out.names.push(name.value.clone());
    }
    if out.default.is_none() {
        let start = cx.file_start(*file);
        cx.error(
            Code::CredentialShape,
            &start,
            "one credential is the `default: true` one",
        );
    }
    out
}

pub(crate) fn lower(
    cx: &mut Cx,
    parsed: &Parsed,
    names: &CredentialNames,
    groups: &[Group],
) -> (Vec<Credential>, CredId) {
    let mut out = Vec::new();
    let Some((file, spec)) = &parsed.credentials else {
        let start = Span { file: 0, range: 0..0 };
        cx.error(Code::MissingFile, &start, "spec/credentials.yaml is missing");
        return (out, CredId(0));
    };
    let file = *file;
    for (index, (name, def)) in spec.credentials.iter().enumerate() {
        let at = cx.span(file, name);
        let d = &def.value;
        let text = |v: &Option<Loc<String>>| v.as_ref().map(|v| v.value.trim().to_string());
        let summary = text(&d.summary).unwrap_or_default();
        if summary.is_empty() {
            cx.error(
                Code::MissingKey,
                &at,
                format!("credential `{}` needs a `summary`", name.value),
            );
        }
        let Some(fetch_ref) = &d.fetch else {
            cx.error(
                Code::MissingKey,
                &at,
                format!("credential `{}` needs `fetch: group.method`", name.value),
            );
            continue;
        };
        let fetch_at = cx.span(file, fetch_ref);
        let found = fetch_ref.value.split_once('.').and_then(|(g, m)| {
            let group = groups.iter().find(|x| x.name == g)?;
            let e = group.endpoints.iter().find(|e| e.name == m)?;
            Some((group, e))
        });
        let Some((group, endpoint)) = found else {
            cx.error(
                Code::CredentialShape,
                &fetch_at,
                format!("`fetch: {}` names no endpoint (`group.method`)", fetch_ref.value),
            );
            continue;
        };
        if endpoint.auth == Some(CredId(index)) {
            cx.error(
                Code::CredentialShape,
                &fetch_at,
                "a credential cannot be fetched with itself",
            );
        }
        let param_of = |wire: &str| endpoint.params.iter().find(|p| p.wire == wire);
        let mut filled = BTreeSet::new();
        let mut inputs = Vec::new();
        for (param, input) in d.inputs.iter() {
            let pat = cx.span(file, param);
            let Some(p) = param_of(&param.value) else {
                cx.error(
                    Code::CredentialShape,
                    &pat,
                    format!("`{}` is not a parameter of `{}`", param.value, endpoint.id),
                );
                continue;
            };
            let i = &input.value;
            let slot = match i.slot.value.as_str() {
                "id" => Slot::Id,
                "secret" => Slot::Secret,
                "ticket" => Slot::Ticket,
                other => {
                    let sat = cx.span(file, &i.slot);
                    cx.error(
                        Code::BadValue,
                        &sat,
                        format!("`slot: {other}`: a credential input is an `id`, a `secret` or a `ticket`"),
                    );
                    continue;
                }
            };
            filled.insert(param.value.clone());
            inputs.push(Input {
                param: param.value.clone(),
                placement: p.placement,
                slot,
                flag: i.flag.value.clone(),
                env: i.env.value.clone(),
                help: i.help.value.clone(),
                missing: i.missing.as_ref().map(|r| r.value),
                refused: i.refused.as_ref().map(|r| r.value),
            });
        }
        let mut fixed = Vec::new();
        for (param, value) in d.with.iter() {
            let pat = cx.span(file, param);
            match param_of(&param.value) {
                None => cx.error(
                    Code::CredentialShape,
                    &pat,
                    format!("`{}` is not a parameter of `{}`", param.value, endpoint.id),
                ),
                Some(p) => {
                    filled.insert(param.value.clone());
                    fixed.push((param.value.clone(), value.value.clone(), p.placement));
                }
            }
        }
        for p in endpoint.params.iter().filter(|p| p.required) {
            if !filled.contains(&p.wire) {
                cx.error(
                    Code::CredentialShape,
                    &fetch_at,
                    format!(
                        "`{}` needs `{}`: give it under `inputs` or `with`",
                        endpoint.id, p.wire
                    ),
                );
            }
        }
        let Response::Fields(answer) = &endpoint.response else {
            cx.error(
                Code::CredentialShape,
                &fetch_at,
                format!("`{}` must answer fields", endpoint.id),
            );
            continue;
        };
        let mut answer_field = |key: &Option<Loc<String>>, what: &str, want: fn(&Ty) -> bool| -> String {
            match key {
                None => {
                    cx.error(
                        Code::MissingKey,
                        &at,
                        format!("credential `{}` needs `{what}`", name.value),
                    );
                    String::new()
                }
                Some(k) => {
                    let kat = cx.span(file, k);
                    match answer.iter().find(|f| f.wire == k.value) {
                        Some(f) if want(&f.ty) => {}
                        Some(_) => cx.error(
                            Code::CredentialShape,
                            &kat,
                            format!("`{what}: {}` has the wrong type for a {what}", k.value),
                        ),
                        None => cx.error(
                            Code::CredentialShape,
                            &kat,
                            format!("`{}` answers no field `{}`", endpoint.id, k.value),
                        ),
                    }
                    k.value.clone()
                }
            }
        };
        let token_field = answer_field(&d.token, "token", |t| *t == Ty::String);
        let expires_field = answer_field(&d.expires_in, "expires_in", |t| t.is_integer());
        let cache = match &d.cache {
            Some(c) => c.value.clone(),
            None => {
                cx.error(
                    Code::MissingKey,
                    &at,
                    format!("credential `{}` needs a `cache` key", name.value),
                );
                String::new()
            }
        };
        let code = |cx: &mut Cx, v: &Option<Loc<i64>>, what: &str| -> i64 {
            match v {
                Some(c) => c.value,
                None if d.param.is_some() => {
                    cx.error(
                        Code::MissingKey,
                        &at,
                        format!(
                            "credential `{}` is sent with calls and needs its `{what}` errcode",
                            name.value
                        ),
                    );
                    0
                }
                None => 0,
            }
        };
        let missing = code(cx, &d.missing, "missing");
        let invalid = code(cx, &d.invalid, "invalid");
        let expired = code(cx, &d.expired, "expired");
        let derived_from = if inputs.is_empty() {
            if endpoint.auth.is_none() {
                cx.error(
                    Code::CredentialShape,
                    &fetch_at,
                    "a credential without `inputs` lives under the credential its fetch carries, and this fetch carries none",
                );
            }
            endpoint.auth
        } else {
            None
        };
        let _ = names;
        out.push(Credential {
            name: name.value.clone(),
            variant: pascal(&name.value),
            summary,
            param: d.param.as_ref().map(|p| p.value.clone()),
            fetch: Fetch {
                id: endpoint.id.clone(),
                group: group.name.clone(),
                method: endpoint.method,
                path: endpoint.path.clone(),
                doc: endpoint.doc.clone(),
                auth: endpoint.auth,
                body: endpoint.body,
            },
            inputs,
            fixed,
            token_field,
            expires_field,
            cache,
            missing,
            invalid,
            expired,
            derived_from,
            span: at,
        });
    }
    // A fetch that needs a credential whose fetch needs the first would never end.
    for (i, c) in out.iter().enumerate() {
        let mut seen = vec![i];
        let mut next = c.fetch.auth;
        while let Some(CredId(j)) = next {
            if seen.contains(&j) {
                cx.error(
                    Code::CredentialShape,
                    &c.span,
                    format!("fetching `{}` needs itself", c.name),
                );
                break;
            }
            seen.push(j);
            next = out.get(j).and_then(|k| k.fetch.auth);
        }
    }
    (out, CredId(names.default.unwrap_or(0)))
}
