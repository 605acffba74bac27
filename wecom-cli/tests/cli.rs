//! The `wecom` binary as a process, against `wecom mock` as a process: every endpoint of the
//! spec called with its documented request, a member created and read back, and the errors a
//! shell user sees.

mod support;

use std::process::Command;

use serde_json::{Value, json};
use wecom_sdk::Credential;
use wecom_sdk::registry::{self, Placement};

use support::{Mock, WECOM, text};

/// What both the mock and the calls are configured with.
const CREDENTIALS: &[(&str, &str)] = &[
    ("WECOM_CORP_ID", "ww-mock-corp"),
    ("WECOM_SECRET", "mock-secret"),
    ("WECOM_PROVIDER_CORP_ID", "ww-provider"),
    ("WECOM_PROVIDER_SECRET", "provider-secret"),
    ("WECOM_SUITE_ID", "ww-suite"),
    ("WECOM_SUITE_SECRET", "suite-secret"),
    ("WECOM_SUITE_TICKET", "pushed-ticket"),
];

#[test]
fn every_endpoint_succeeds_with_its_documented_request() {
    let mock = Mock::start(CREDENTIALS);
    let dir = tempfile::tempdir().unwrap();
    let mut called = 0;
    for op in registry::operations() {
        let mut input: Value = op
            .example_request
            .map(|r| serde_json::from_str(r).unwrap())
            .unwrap_or(json!({}));
        // A credential's fetch takes what the mock was started with, by the inputs' env names.
        if let Some(kind) = Credential::ALL
            .iter()
            .find(|k| k.def().fetch.path == op.meta.path)
        {
            let mut fetch = serde_json::Map::new();
            for i in kind.def().inputs {
                let value = CREDENTIALS
                    .iter()
                    .find(|(env, _)| *env == i.env)
                    .map_or("", |(_, v)| *v);
                fetch.insert(i.param.into(), json!(value));
            }
            for (param, value, _) in kind.def().fixed {
                fetch.insert((*param).into(), json!(value));
            }
            input = Value::Object(fetch);
        }
        for param in op.params().iter().filter(|p| p.placement() == Placement::File) {
            if let Some(name) = input.get(param.name()).and_then(Value::as_str) {
                let path = dir.path().join(name);
                std::fs::write(&path, b"contents of an upload").unwrap();
                input[param.name()] = json!(path.to_string_lossy());
            }
        }
        mock.fixture(wecom_mock::Fixture::for_example(op.meta).name());
        let json = input.to_string();
        let out = dir.path().join("download");
        let mut args = vec!["call", op.meta.path, "--json", &json];
        let out_text = out.to_string_lossy().into_owned();
        if op.is_download() {
            args.extend(["--output", &out_text]);
        }
        let output = mock.wecom(&args);
        if op.is_download() {
            // The documented example names a file the mock does not keep: the documented
            // answer is the error (a round trip is `media_uploaded_through_the_cli_downloads_whole`).
            let documented: Value = serde_json::from_str(op.example_response).unwrap();
            let code = format!("WeCom error {}", documented["errcode"]);
            assert!(!output.status.success(), "{}", op.meta.id);
            assert!(
                text(&output.stderr).contains(&code),
                "{}: {}",
                op.meta.id,
                text(&output.stderr)
            );
            called += 1;
            continue;
        }
        assert!(
            output.status.success(),
            "{} failed:\n{}{}",
            op.meta.id,
            text(&output.stdout),
            text(&output.stderr)
        );
        let answer: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: stdout is not JSON ({e}): {}",
                op.meta.id,
                text(&output.stdout)
            )
        });
        assert!(answer.is_object(), "{}", op.meta.id);
        called += 1;
    }
    assert!(called >= 119, "{called}");
}

#[test]
fn media_uploaded_through_the_cli_downloads_whole() {
    let mock = Mock::start(CREDENTIALS);
    let dir = tempfile::tempdir().unwrap();
    let upload = dir.path().join("报告.pdf");
    let contents: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    std::fs::write(&upload, &contents).unwrap();
    let sent = mock.wecom(&[
        "media",
        "upload",
        "--type",
        "file",
        "--media",
        &upload.to_string_lossy(),
    ]);
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let answer: Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(answer["type"], "file", "{answer}");
    let media_id = answer["media_id"].as_str().unwrap().to_string();

    let out = dir.path().join("back");
    let got = mock.wecom(&[
        "media",
        "get",
        "--media-id",
        &media_id,
        "--output",
        &out.to_string_lossy(),
    ]);
    assert!(got.status.success(), "{}", text(&got.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), contents);

    let unknown = mock.wecom(&[
        "media",
        "get",
        "--media-id",
        "no-such-id",
        "--output",
        &out.to_string_lossy(),
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("WeCom error 40007"),
        "{}",
        text(&unknown.stderr)
    );
}

#[test]
fn a_member_created_through_the_cli_reads_back_through_it() {
    let mock = Mock::start(CREDENTIALS);
    let created = mock.wecom(&["department", "create", "--name", "研发中心", "--parentid", "1"]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let department: Value = serde_json::from_slice(&created.stdout).unwrap();
    let id = department["id"].to_string();

    let created = mock.wecom(&[
        "user",
        "create",
        "--userid",
        "zhangsan",
        "--name",
        "张三",
        "--mobile",
        "13800000000",
        "--department",
        &format!("[{id}]"),
    ]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let got = mock.wecom(&["user", "get", "--userid", "zhangsan"]);
    assert!(got.status.success(), "{}", text(&got.stderr));
    let member: Value = serde_json::from_slice(&got.stdout).unwrap();
    assert_eq!(member["name"], "张三");
    assert_eq!(member["department"], json!([id.parse::<u64>().unwrap()]));

    let listed = mock.wecom(&[
        "call",
        "/cgi-bin/user/simplelist",
        "--query",
        &format!("department_id={id}"),
    ]);
    let list: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(list["userlist"][0]["userid"], "zhangsan");
}

#[test]
fn each_kind_of_message_is_easy_to_send() {
    let mock = Mock::start(CREDENTIALS);
    let base = ["message", "send", "--agentid", "1000002", "--touser", "@all"];
    let send = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        mock.wecom(&args)
    };
    // The whole content as one object, as the docs show it beside the other parameters.
    let out = send(&["--content", r#"{"msgtype":"text","text":{"content":"你好"}}"#]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Or the kind's own flag, which sets msgtype (kebab-case too).
    let out = send(&["--text", r#"{"content":"你好"}"#]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = send(&["--markdown", r#"{"content":"**hi**"}"#]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let card =
        r#"{"card_type":"text_notice","sub_title_text":"hi","card_action":{"type":1,"url":"https://a.b"}}"#;
    let out = send(&["--template-card", card]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Content without its msgtype says what to give; two kinds at once are refused by clap.
    let out = send(&["--content", r#"{"text":{"content":"hi"}}"#]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--content") && stderr.contains("msgtype"),
        "{stderr}"
    );
    let out = send(&["--text", r#"{"content":"a"}"#, "--markdown", r#"{"content":"b"}"#]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = send(&[]);
    assert_eq!(out.status.code(), Some(2), "no content at all");
    // What the kind requires is checked before sending.
    let out = send(&["--text", "{}"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("content"), "{}", text(&out.stderr));
}

#[test]
fn refusals_show_errcode_errmsg_and_the_doc_link() {
    let mock = Mock::start(CREDENTIALS);
    let missing = mock.wecom(&["user", "get", "--userid", "nobody"]);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = text(&missing.stderr);
    assert!(stderr.contains("errcode: 60111"), "{stderr}");
    assert!(stderr.contains("errmsg: userid not found"), "{stderr}");
    assert!(
        stderr.contains("doc: https://developer.work.weixin.qq.com/document/path/90196"),
        "{stderr}"
    );
    assert!(missing.stdout.is_empty());
}

#[test]
fn bad_input_is_refused_before_sending_with_exit_code_2() {
    let mock = Mock::start(CREDENTIALS);
    let users: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
    let too_many = json!({"tagid": 1, "userlist": users}).to_string();
    let out = mock.wecom(&["call", "/cgi-bin/tag/addtagusers", "--json", &too_many]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("userlist") && stderr.contains("1000"), "{stderr}");

    let out = mock.wecom(&[
        "call",
        "/cgi-bin/user/get",
        "--query",
        "userid=a",
        "--query",
        "surprise=1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown field `surprise`"),
        "{}",
        text(&out.stderr)
    );

    let out = mock.wecom(&["call", "/cgi-bin/no/such"]);
    assert_eq!(out.status.code(), Some(2));

    let out = mock.wecom(&["user", "get"]);
    assert_eq!(out.status.code(), Some(2), "a missing required flag");
}

#[test]
fn help_shows_each_parameters_limits() {
    let out = Command::new(WECOM)
        .args(["tag", "add_users", "--help"])
        .output()
        .unwrap();
    let help = text(&out.stdout);
    assert!(
        help.contains("--userlist") && help.contains("at most 1000 items"),
        "{help}"
    );
    assert!(help.contains("POST /cgi-bin/tag/addtagusers"), "{help}");
}

#[test]
fn trace_logs_do_not_show_the_secret_or_the_token() {
    let mock = Mock::start(CREDENTIALS);
    let output = Command::new(WECOM)
        .args(["tag", "list"])
        .env("WECOM_BASE_URL", &mock.base_url)
        .env("WECOM_CORP_ID", "ww-mock-corp")
        .env("WECOM_SECRET", "mock-secret")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let logged = text(&output.stderr);
    assert!(logged.contains("tag.list"), "the call was logged");
    assert!(!logged.contains("mock-secret"), "{logged}");
    assert!(!logged.contains("mock-access-token-"), "{logged}");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(WECOM)
        .arg("endpoints")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone (as after `| head -1`); the command must not panic.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("GET") || first.starts_with("POST"), "{first}");
    assert!(out.status.success(), "{:?}: {}", out.status, text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
}

#[test]
fn a_bad_timeout_is_a_usage_error_not_a_panic() {
    let mock = Mock::start(CREDENTIALS);
    for bad in ["-1", "nan", "inf", "soon"] {
        let out = mock.wecom(&[
            "call",
            "/cgi-bin/user/get",
            "--query",
            "userid=a",
            &format!("--timeout={bad}"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "--timeout={bad}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
        let out = Command::new(WECOM)
            .args(["call", "/cgi-bin/user/get", "--query", "userid=a"])
            .env("WECOM_TIMEOUT", bad)
            .env("WECOM_BASE_URL", &mock.base_url)
            .envs(CREDENTIALS.iter().copied())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "WECOM_TIMEOUT={bad}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn the_mock_prints_what_another_shell_needs_and_only_its_own_flags() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(WECOM)
        .args(["mock", "--port", &port.to_string(), "--secret", "my secret"])
        .env_remove("WECOM_SECRET")
        .env_remove("WECOM_CORP_ID")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for _ in 0..4 {
        printed.push(lines.next().unwrap().unwrap());
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(printed[0].contains("listening on"), "{printed:?}");
    assert_eq!(
        printed[1],
        format!("export WECOM_BASE_URL=http://127.0.0.1:{port}")
    );
    assert!(
        printed.contains(&"export WECOM_CORP_ID=ww-mock-corp".to_string()),
        "{printed:?}"
    );
    assert!(
        printed.contains(&"export WECOM_SECRET='my secret'".to_string()),
        "{printed:?}"
    );

    let help = Command::new(WECOM).args(["mock", "--help"]).output().unwrap();
    let help = text(&help.stdout);
    for client_only in ["--base-url", "--timeout", "--redis", "--no-validate"] {
        assert!(
            !help.contains(client_only),
            "`wecom mock --help` lists {client_only}:\n{help}"
        );
    }
    assert!(help.contains("--corp-id") && help.contains("--fixture"), "{help}");
    let help = Command::new(WECOM)
        .args(["user", "get", "--help"])
        .output()
        .unwrap();
    assert!(text(&help.stdout).contains("--base-url"));
}
