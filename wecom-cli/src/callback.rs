//! `wecom callback serve | send | events`: see what WeCom sends before writing a handler, and
//! send any event of the spec to a handler, with no WeCom account.

use std::time::{SystemTime, UNIX_EPOCH};

use clap::ArgMatches;
use serde_json::{Value, json};
use wecom_sdk::callback::{
    CallbackService, Crypto, EVENTS, EventInfo, Received, RedisDedup, parse_tree, to_xml,
};

use crate::{FAILED, USAGE, print_line};

pub async fn run(args: &ArgMatches) -> Result<(), u8> {
    match args.subcommand() {
        Some(("serve", args)) => serve(args).await,
        Some(("send", args)) => send(args).await,
        Some(("events", _)) => {
            let mut stdout = std::io::stdout().lock();
            for e in EVENTS {
                let when: Vec<String> = e.when.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let line = format!("{:<40} {:<18} {}", e.name, e.group, when.join(" "));
                if !print_line(&mut stdout, &line)? {
                    break;
                }
            }
            Ok(())
        }
        _ => Err(USAGE),
    }
}

fn text<'a>(args: &'a ArgMatches, id: &str) -> &'a str {
    args.get_one::<String>(id).map(String::as_str).unwrap_or_default()
}

/// The crypto of the flags; a malformed EncodingAESKey is a usage error, said at once.
fn crypto(args: &ArgMatches) -> Result<Crypto, u8> {
    Crypto::new(
        text(args, "token"),
        text(args, "aes_key"),
        text(args, "receive_id"),
    )
    .map_err(|e| {
        eprintln!("error: --aes-key: {e}");
        USAGE
    })
}

/// What `serve` prints for a callback: its kind (MsgType/Event/ChangeType, or InfoType/ChangeType),
/// the spec's name for it (`null` when the spec does not describe it) and every element by wire name.
pub fn line(received: &Received) -> Value {
    let kind: Vec<&str> = match received.info_type() {
        Some(info) => [Some(info), received.change_type()]
            .into_iter()
            .flatten()
            .collect(),
        None => [received.msg_type(), received.event_name(), received.change_type()]
            .into_iter()
            .flatten()
            .collect(),
    };
    let event = received.event().ok().and_then(|e| e.name());
    json!({
        "kind": kind.join("/"),
        "event": event,
        "fields": Value::Object(received.tree().clone()),
    })
}

async fn serve(args: &ArgMatches) -> Result<(), u8> {
    let crypto = crypto(args)?;
    let port = args.get_one::<u16>("port").copied().unwrap_or(8000);
    let mut builder = CallbackService::builder(crypto).fallback(|received: Received| async move {
        let line = line(&received).to_string();
        // A closed pipe ends the output; the handler still answers WeCom.
        let _ = print_line(&mut std::io::stdout().lock(), &line);
    });
    if let Some(url) = args.get_one::<String>("redis_url").filter(|u| !u.is_empty()) {
        let dedup = RedisDedup::connect(url).await.map_err(|e| {
            eprintln!("error: --redis-url: {e}");
            FAILED
        })?;
        builder = builder.dedup(dedup);
    }
    let service = builder.build();
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return Err(FAILED);
        }
    };
    let addr = listener.local_addr().map_err(|_| FAILED)?;
    eprintln!("wecom callback: serving http://{addr}/ (any path); each callback prints as one JSON line");
    let app = axum::Router::new().fallback_service(service);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| {
            eprintln!("error: {e}");
            FAILED
        })
}

async fn send(args: &ArgMatches) -> Result<(), u8> {
    let crypto = crypto(args)?;
    let name = text(args, "event");
    let Some(info) = EventInfo::find(name) else {
        eprintln!("error: no callback event `{name}` in the spec; `wecom callback events` lists them");
        return Err(USAGE);
    };
    let mut tree = parse_tree(info.example.as_bytes()).map_err(|e| {
        eprintln!("error: the documented example of `{name}` does not parse: {e}");
        FAILED
    })?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for clock in ["CreateTime", "TimeStamp"] {
        if tree.contains_key(clock) {
            tree.insert(clock.to_string(), Value::String(now.to_string()));
        }
    }
    for pair in args.get_many::<String>("field").into_iter().flatten() {
        let Some((key, value)) = pair.split_once('=') else {
            eprintln!("error: --field {pair}: give NAME=VALUE");
            return Err(USAGE);
        };
        tree.insert(key.to_string(), Value::String(value.to_string()));
    }
    let document = to_xml(&tree);
    let nonce = format!("{:016x}", fastrand::u64(..));
    let sealed = crypto
        .reply(&document)
        .timestamp(now)
        .nonce(nonce.clone())
        .seal()
        .map_err(|e| {
            eprintln!("error: {e}");
            FAILED
        })?;
    let envelope = json!({
        "ToUserName": tree.get("ToUserName").or(tree.get("SuiteId")).cloned().unwrap_or(Value::String(String::new())),
        "Encrypt": sealed.encrypt(),
        "AgentID": tree.get("AgentID").cloned().unwrap_or(Value::String(String::new())),
    });
    let envelope = match envelope {
        Value::Object(map) => to_xml(&map),
        _ => return Err(FAILED),
    };
    let url = text(args, "url");
    let response = reqwest::Client::new()
        .post(url)
        .query(&[
            ("msg_signature", sealed.msg_signature()),
            ("timestamp", &now.to_string()),
            ("nonce", &nonce),
        ])
        .header("content-type", "text/xml")
        .body(envelope)
        .send()
        .await
        .map_err(|e| {
            eprintln!("error: cannot post to {url}: {e}");
            FAILED
        })?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let answer = crypto_reply(&crypto, &body);
    let line = json!({ "status": status.as_u16(), "body": body, "reply": answer });
    print_line(&mut std::io::stdout().lock(), &line.to_string())?;
    if status.is_success() { Ok(()) } else { Err(FAILED) }
}

/// A passive reply in the answer, decrypted (it is signed with the same token and key).
fn crypto_reply(crypto: &Crypto, body: &str) -> Value {
    let Ok(tree) = parse_tree(body.as_bytes()) else {
        return Value::Null;
    };
    let field = |k: &str| {
        tree.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match crypto.decrypt(
        &field("MsgSignature"),
        &field("TimeStamp"),
        &field("Nonce"),
        &field("Encrypt"),
    ) {
        Ok(plain) => Value::String(String::from_utf8_lossy(&plain).into_owned()),
        Err(_) => Value::Null,
    }
}
