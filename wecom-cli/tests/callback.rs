//! `wecom callback serve` and `wecom callback send` as processes: what is sent is verified,
//! decrypted and printed as one JSON line; a bad signature prints nothing; a bad key is a usage
//! error at start-up.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

const WECOM: &str = env!("CARGO_BIN_EXE_wecom");

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Tencent's sample configuration (加解密方案说明).
const CONFIG: &[(&str, &str)] = &[
    ("WECOM_CALLBACK_TOKEN", "QDG6eK"),
    (
        "WECOM_CALLBACK_AES_KEY",
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    ),
    ("WECOM_CORP_ID", "wx5823bf96d3bd56c7"),
];

fn wecom(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(WECOM)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("wecom runs")
}

#[test]
fn what_is_sent_is_printed_as_one_typed_json_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = Command::new(WECOM)
        .args(["callback", "serve", "--port", &port.to_string()])
        .envs(CONFIG.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut started = String::new();
    BufReader::new(serve.stderr.take().unwrap())
        .read_line(&mut started)
        .unwrap();
    assert!(started.contains("serving"), "{started}");
    let url = format!("http://127.0.0.1:{port}/callback");

    let sent = wecom(
        &[
            "callback",
            "send",
            "--url",
            &url,
            "--event",
            "create_user",
            "--field",
            "UserID=lisi",
        ],
        CONFIG,
    );
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let answer: Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(answer["status"], 200);

    // A handler configured with another token refuses it: 403, and `send` exits 1.
    let wrong: Vec<(&str, &str)> = vec![CONFIG[0], CONFIG[1], CONFIG[2], ("WECOM_CALLBACK_TOKEN", "other")];
    let refused = wecom(
        &["callback", "send", "--url", &url, "--event", "text_message"],
        &wrong,
    );
    assert_eq!(refused.status.code(), Some(1));
    let answer: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(answer["status"], 403);

    let sent = wecom(
        &["callback", "send", "--url", &url, "--event", "suite_ticket"],
        CONFIG,
    );
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let answer: Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(
        answer["body"], "success",
        "a suite's instruction callback is answered `success`"
    );

    serve.kill().unwrap();
    let out = serve.wait_with_output().unwrap();
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "the refused one printed nothing: {lines:?}");
    assert_eq!(lines[0]["kind"], "event/change_contact/create_user");
    assert_eq!(lines[0]["event"], "create_user");
    assert_eq!(lines[0]["fields"]["UserID"], "lisi");
    assert_eq!(lines[1]["kind"], "suite_ticket");
    assert_eq!(lines[1]["event"], "suite_ticket");
}

#[test]
fn a_malformed_key_or_an_unknown_event_is_a_usage_error() {
    let short = [CONFIG[0], ("WECOM_CALLBACK_AES_KEY", "short"), CONFIG[2]];
    let out = wecom(&["callback", "serve", "--port", "0"], &short);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-40004"), "{}", text(&out.stderr));
    let out = wecom(
        &[
            "callback",
            "send",
            "--url",
            "http://127.0.0.1:9/",
            "--event",
            "no_such_event",
        ],
        CONFIG,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("wecom callback events"),
        "{}",
        text(&out.stderr)
    );
    let listed = wecom(&["callback", "events"], &[]);
    assert!(
        text(&listed.stdout)
            .lines()
            .any(|l| l.starts_with("create_user "))
    );
}

#[path = "../../wecom-sdk/tests/common/redis_server.rs"]
mod redis_server;
use redis_server::Redis;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `wecom callback serve` on a free port; its URL.
fn serve(extra: &[(&str, &str)]) -> (std::process::Child, String) {
    let port = free_port();
    let mut child = Command::new(WECOM)
        .args(["callback", "serve", "--port", &port.to_string()])
        .envs(CONFIG.iter().copied())
        .envs(extra.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut started = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut started)
        .unwrap();
    assert!(started.contains("serving"), "{started}");
    (child, format!("http://127.0.0.1:{port}/"))
}

#[test]
fn a_retry_that_lands_on_another_process_of_the_fleet_is_dropped_there() {
    let Some(redis) = Redis::start() else { return };
    let shared = [("WECOM_REDIS_URL", redis.url.as_str())];
    let (mut first, first_url) = serve(&shared);
    let (mut second, second_url) = serve(&shared);
    let send = |url: &str, fields: &[&str]| {
        let mut args = vec!["callback", "send", "--url", url, "--event", "text_message"];
        for f in fields {
            args.extend(["--field", f]);
        }
        let out = wecom(&args, CONFIG);
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    // WeCom's retry of one message (same MsgId), answered by the other instance.
    send(&first_url, &["MsgId=1001"]);
    send(&second_url, &["MsgId=1001"]);
    // Another message reaches the second instance's handler.
    send(&second_url, &["MsgId=1002"]);
    for child in [&mut first, &mut second] {
        child.kill().unwrap();
    }
    let lines = |child: std::process::Child| -> Vec<Value> {
        let out = child.wait_with_output().unwrap();
        text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (first, second) = (lines(first), lines(second));
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["fields"]["MsgId"], "1001");
    assert_eq!(second.len(), 1, "the retry was dropped: {second:?}");
    assert_eq!(second[0]["fields"]["MsgId"], "1002");
}
