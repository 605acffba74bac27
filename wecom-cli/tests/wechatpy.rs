//! Every request the reference client (wechatpy 2.0.0a26) sends for the seed's groups, replayed
//! through `wecom call` against `wecom mock`: each wire name it carries is one the spec knows
//! (current or deprecated), and the mock answers each request.
//!
//! `tests/data/wechatpy-requests.jsonl` is what `tools/wechatpy-recording/record.py` recorded:
//! one JSON object per HTTP request (its path, query, JSON body and multipart file names).

mod support;

use serde_json::{Map, Value, json};
use wecom_sdk::ErrorCode;
use wecom_sdk::registry;

use support::{Mock, text};

/// wechatpy's API groups whose endpoints the spec covers; its other groups (email, living) are
/// areas the spec does not cover yet.
const SEED_GROUPS: &[&str] = &[
    "agent",
    "appchat",
    "batch",
    "calendar",
    "department",
    "external_contact",
    "external_contact_group_chat",
    "export",
    "invoice",
    "jsapi",
    "kf",
    "kf_message",
    "media",
    "menu",
    "message",
    "misc",
    "oa",
    "oauth",
    "schedule",
    "service",
    "tag",
    "user",
];

/// The credentials the recording used (the provider's and suite's are the literal values the
/// recording script passed), so that the mock issues tokens for them.
const CREDENTIALS: &[(&str, &str)] = &[
    ("WECOM_CORP_ID", "ww-mock-corp"),
    ("WECOM_SECRET", "mock-secret"),
    ("WECOM_PROVIDER_CORP_ID", "ww-mock-corp"),
    ("WECOM_PROVIDER_SECRET", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("WECOM_SUITE_ID", "id_value"),
    ("WECOM_SUITE_SECRET", "secret_value"),
    ("WECOM_SUITE_TICKET", "ticket_value"),
];

/// Requests a documented rule refuses before they leave, as it should: (wechatpy method, what
/// the refusal names, whether `--no-validate` sends it anyway). Those it sends, the mock must
/// answer.
const REFUSED_BY_A_DOCUMENTED_RULE: &[(&str, &str, bool)] = &[
    // `user.create(user_id, name)` without a mobile or an email: the docs require one of them.
    ("user.create", "at least one of `mobile`, `email`", true),
    // `message.send(agent_id, user_ids)` without a message: a message has a `msgtype`, and the
    // typed request cannot be built without one, validated or not.
    ("message.send", "missing field `msgtype`", false),
];

/// Requests wechatpy sends that the official docs overrule, so the spec refuses them: (wechatpy
/// method, what the refusal names, why).
const OVERRULED_BY_THE_DOCS: &[(&str, &str, &str)] = &[
    (
        "kf.get_account_list",
        "the spec says POST",
        "wechatpy GETs kf/account/list; the docs make it a POST with offset and limit",
    ),
    (
        "kf_message.send_articles_link",
        "unknown variant `news`",
        "wechatpy sends msgtype news with the article under link.link; the docs' type is link",
    ),
    (
        "kf_message.send_location",
        "unknown field `msgmenu`",
        "wechatpy puts the location under msgmenu; the docs' key is location",
    ),
    (
        "kf_message.send_miniprogram",
        "unknown field `msgmenu`",
        "wechatpy puts the mini program under msgmenu; the docs' key is miniprogram",
    ),
];

struct Recorded {
    group: String,
    method: String,
    http: String,
    path: String,
    /// Query and body parameters in one object, as `wecom call --json` takes them.
    input: Value,
    files: Vec<String>,
}

fn recording() -> Vec<Recorded> {
    let text = include_str!("data/wechatpy-requests.jsonl");
    text.lines()
        .map(|line| {
            let r: Value = serde_json::from_str(line).expect("a recorded request is JSON");
            let mut input = Map::new();
            for (k, v) in r["query"].as_object().unwrap() {
                input.insert(k.clone(), v.clone());
            }
            if let Some(body) = r["body"].as_object() {
                input.extend(body.clone());
            }
            Recorded {
                group: r["group"].as_str().unwrap().into(),
                method: r["method"].as_str().unwrap().into(),
                http: r["http"].as_str().unwrap().into(),
                path: r["path"].as_str().unwrap().into(),
                input: Value::Object(input),
                files: r["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect(),
            }
        })
        .collect()
}

/// What `wecom call` printed, judged: `Ok` when the request went out and the mock answered
/// errcode 0 or a documented error code; the complaint otherwise.
fn judge(out: &std::process::Output) -> Result<(), String> {
    let stderr = text(&out.stderr);
    for refusal in [
        "unknown field",
        "unknown variant",
        "no endpoint",
        "no such endpoint",
    ] {
        if stderr.contains(refusal) {
            return Err(stderr);
        }
    }
    if out.status.success() {
        return Ok(());
    }
    // `…: WeCom error 60111: …`: the mock answered with a code of the official table.
    let code = stderr
        .split("WeCom error ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.trim().parse::<i64>().ok());
    match code {
        Some(code) if ErrorCode::lookup(code).is_some() => Ok(()),
        _ => Err(stderr),
    }
}

#[test]
fn every_request_wechatpy_sends_for_the_seed_groups_goes_through() {
    let mock = Mock::start(CREDENTIALS);
    mock.fixture("full");
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("upload.png");
    std::fs::write(&upload, b"contents of an upload").unwrap();

    let recorded = recording();
    let seed: Vec<&Recorded> = recorded
        .iter()
        .filter(|r| SEED_GROUPS.contains(&r.group.as_str()))
        .collect();
    assert!(
        seed.len() > 200,
        "the recording holds {} seed requests",
        seed.len()
    );

    let mut problems = Vec::new();
    let mut refused = Vec::new();
    let mut overruled_seen: Vec<String> = Vec::new();
    for r in &seed {
        let who = format!("{}.{} ({} {})", r.group, r.method, r.http, r.path);
        let method = format!("{}.{}", r.group, r.method);
        let overruled = OVERRULED_BY_THE_DOCS.iter().find(|(m, _, _)| *m == method);
        let Some(op) = registry::find(&r.path) else {
            problems.push(format!("{who}: no endpoint of the spec has this path"));
            continue;
        };
        if op.meta.method.as_str() != r.http {
            let complaint = format!("the spec says {}", op.meta.method.as_str());
            match overruled {
                Some((_, why, _)) if complaint.contains(why) => overruled_seen.push(method),
                _ => problems.push(format!("{who}: {complaint}")),
            }
            continue;
        }
        let mut input = r.input.clone();
        for file in &r.files {
            input[file.as_str()] = json!(upload.to_string_lossy());
        }
        let json = input.to_string();
        let out = mock.wecom(&["call", &r.path, "--json", &json]);
        if let Err(complaint) = judge(&out) {
            if let Some((_, why, _)) = overruled
                && complaint.contains(why)
            {
                overruled_seen.push(method);
                continue;
            }
            let expected = REFUSED_BY_A_DOCUMENTED_RULE
                .iter()
                .find(|(m, why, _)| *m == method && complaint.contains(why));
            match expected {
                Some(rule) => {
                    refused.push(*rule);
                    let out = mock.wecom(&["call", &r.path, "--no-validate", "--json", &json]);
                    let sent = judge(&out);
                    match (rule.2, sent) {
                        (true, Err(complaint)) => {
                            problems.push(format!("{who}, sent with --no-validate: {complaint}"));
                        }
                        (false, Ok(())) => {
                            problems.push(format!("{who}: sent with --no-validate, expected a refusal"));
                        }
                        _ => {}
                    }
                }
                None => problems.push(format!("{who}: {complaint}")),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} requests:\n{}",
        problems.len(),
        seed.len(),
        problems.join("\n")
    );
    for rule in REFUSED_BY_A_DOCUMENTED_RULE {
        assert!(
            refused.contains(rule),
            "no recorded request met {rule:?} any more"
        );
    }
    for (method, _, why) in OVERRULED_BY_THE_DOCS {
        assert!(
            overruled_seen.iter().any(|m| m == method),
            "{method} is no longer refused ({why}): take it off the list"
        );
    }
}

#[test]
fn a_deprecated_name_is_sent_as_given_with_a_warning() {
    let mock = Mock::start(CREDENTIALS);
    mock.fixture("full");
    let out = mock.wecom(&[
        "call",
        "/cgi-bin/user/list",
        "--json",
        r#"{"department_id": "1", "fetch_child": "1"}"#,
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: `fetch_child` is deprecated"),
        "{stderr}"
    );
    // Nested names are found too.
    let out = mock.wecom(&[
        "call",
        "/cgi-bin/oa/calendar/add",
        "--json",
        r##"{"calendar": {"organizer": "zhangsan", "summary": "s", "color": "#FF3030"}}"##,
    ]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`calendar.organizer` is deprecated: use admins"),
        "{stderr}"
    );
}

#[test]
fn a_deprecated_endpoint_warns_and_answers() {
    let mock = Mock::start(CREDENTIALS);
    let out = mock.wecom(&[
        "call",
        "/cgi-bin/user/getuserinfo",
        "--json",
        r#"{"code": "CODE"}"#,
    ]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("oauth.legacy_get_user_info is deprecated"),
        "{stderr}"
    );
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(answer.get("UserId").is_some(), "{answer}");
}
