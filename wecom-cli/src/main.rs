//! `wecom`: call any WeCom endpoint from the shell, or run the mock.
//!
//! ```text
//! wecom call /cgi-bin/user/get --query userid=zhangsan
//! wecom user get --userid zhangsan
//! wecom mock --port 8080
//! ```
//!
//! The subcommands per group and endpoint are built from the spec (through
//! `wecom_sdk::registry`), so each parameter's `--help` shows its type and documented limits.

mod commands;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::ArgMatches;
use serde_json::{Map, Value};
use wecom_sdk::registry::{self, Answer, Operation};
use wecom_sdk::{Client, Error};

/// Exit codes: 0 success, 1 WeCom or the network failed the call, 2 the input was wrong.
const FAILED: u8 = 1;
const USAGE: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let matches = commands::cli().get_matches();
    match run(&matches).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => ExitCode::from(code),
    }
}

async fn run(matches: &ArgMatches) -> Result<(), u8> {
    match matches.subcommand() {
        Some(("mock", args)) => run_mock(args).await,
        Some(("endpoints", _)) => {
            for op in registry::operations() {
                println!(
                    "{:<5} {:<55} {}.{}",
                    op.meta.method.as_str(),
                    op.meta.path,
                    op.group,
                    op.name
                );
            }
            Ok(())
        }
        Some(("call", args)) => {
            let path = args
                .get_one::<String>("path")
                .map(String::as_str)
                .unwrap_or_default();
            let Some(op) = registry::find(path) else {
                eprintln!("error: no endpoint at `{path}`; `wecom endpoints` lists them");
                return Err(USAGE);
            };
            let input = call_input(args)?;
            send(op, input, args).await
        }
        Some((group, group_args)) => {
            let Some((name, args)) = group_args.subcommand() else {
                eprintln!("error: name an endpoint of `{group}` (`wecom {group} --help` lists them)");
                return Err(USAGE);
            };
            let Some(op) = registry::find_by_name(group, &name.replace('-', "_")) else {
                eprintln!("error: no endpoint `{group} {name}`");
                return Err(USAGE);
            };
            let input = commands::flag_input(op, args).map_err(|message| {
                eprintln!("error: {message}");
                USAGE
            })?;
            send(op, input, args).await
        }
        None => Err(USAGE),
    }
}

/// `--query k=v` pairs and a `--json` object, merged into one object of parameters.
fn call_input(args: &ArgMatches) -> Result<Value, u8> {
    let mut input = match args.get_one::<String>("json") {
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                eprintln!("error: --json must be a JSON object");
                return Err(USAGE);
            }
            Err(e) => {
                eprintln!("error: --json is not JSON: {e}");
                return Err(USAGE);
            }
        },
        None => Map::new(),
    };
    for pair in args.get_many::<String>("query").into_iter().flatten() {
        let Some((key, value)) = pair.split_once('=') else {
            eprintln!("error: --query takes key=value, got `{pair}`");
            return Err(USAGE);
        };
        input.insert(key.to_string(), Value::String(value.to_string()));
    }
    Ok(Value::Object(input))
}

/// The client the global options describe; `--redis` shares tokens through Redis.
async fn client(matches: &ArgMatches, op: &Operation) -> Result<Client, u8> {
    let text = |name: &str| matches.get_one::<String>(name).cloned().unwrap_or_default();
    let (corp_id, secret) = (text("corp_id"), text("secret"));
    if op.meta.auth == wecom_sdk::Auth::AccessToken && (corp_id.is_empty() || secret.is_empty()) {
        eprintln!(
            "error: {} needs the corp's access token: give --corp-id and --secret (or WECOM_CORP_ID and WECOM_SECRET)",
            op.meta.id
        );
        return Err(USAGE);
    }
    // Endpoints that take no corp credential (gettoken itself) still go through a client.
    let (corp_id, secret) = if corp_id.is_empty() || secret.is_empty() {
        ("-".to_string(), "-".to_string())
    } else {
        (corp_id, secret)
    };
    let base_url = matches
        .get_one::<String>("base_url")
        .cloned()
        .unwrap_or_else(|| wecom_sdk::DEFAULT_BASE_URL.to_string());
    let mut builder = Client::builder(corp_id, secret).base_url(base_url);
    if let (Some(corp), Some(secret)) = (
        matches.get_one::<String>("provider_corp_id"),
        matches.get_one::<String>("provider_secret"),
    ) {
        builder = builder.provider(corp.clone(), secret.clone());
    }
    if let (Some(suite), Some(secret)) = (
        matches.get_one::<String>("suite_id"),
        matches.get_one::<String>("suite_secret"),
    ) {
        builder = builder.suite(suite.clone(), secret.clone());
    }
    if let Some(seconds) = matches.get_one::<f64>("timeout") {
        builder = builder.timeout(Duration::from_secs_f64(*seconds));
    }
    if matches.get_flag("no_validate") {
        builder = builder.validate_requests(false);
    }
    if let Some(url) = matches.get_one::<String>("redis") {
        let store = wecom_sdk::RedisStore::connect(url).await.map_err(|e| {
            eprintln!("error: {e}");
            FAILED
        })?;
        builder = builder.token_store(store);
    }
    let client = builder.build().map_err(|e| {
        eprintln!("error: {e}");
        USAGE
    })?;
    if let Some(ticket) = matches.get_one::<String>("suite_ticket") {
        client.set_suite_ticket(ticket.clone());
    }
    Ok(client)
}

/// Sends `input` to `op`; `args` are the endpoint's matches, which also hold the global options
/// (clap hands them down to every subcommand).
async fn send(op: &'static Operation, input: Value, args: &ArgMatches) -> Result<(), u8> {
    let client = client(args, op).await?;
    match op.call(&client, input).await {
        Ok(Answer::Json(value)) => {
            let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
            println!("{text}");
            Ok(())
        }
        Ok(Answer::File(mut file)) => {
            if let Some(name) = file.file_name() {
                eprintln!("file: {name}");
            }
            match args.get_one::<String>("output") {
                Some(path) => {
                    let written = file.save_to(path).await.map_err(|e| report(&e))?;
                    eprintln!("wrote {written} bytes to {path}");
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    while let Some(chunk) = file.chunk().await.map_err(|e| report(&e))? {
                        if stdout.write_all(&chunk).is_err() {
                            return Err(FAILED);
                        }
                    }
                }
            }
            Ok(())
        }
        Ok(_) => Err(FAILED),
        Err(e) => Err(report(&e)),
    }
}

/// Prints a failure on stderr and picks the exit code: refusals of the input are usage errors.
fn report(error: &Error) -> u8 {
    eprintln!("error: {error}");
    if let Some(api) = error.api() {
        eprintln!("errcode: {}", api.code);
        eprintln!("errmsg: {}", api.message);
        eprintln!("doc: {}", api.doc);
        if let Some(info) = api.info() {
            eprintln!("meaning: {}", info.meaning);
            if !info.hint.is_empty() {
                eprintln!("hint: {}", info.hint);
            }
        }
    }
    match error {
        Error::InvalidRequest { .. } | Error::Config(_) => USAGE,
        _ => FAILED,
    }
}

async fn run_mock(args: &ArgMatches) -> Result<(), u8> {
    let text = |name: &str| args.get_one::<String>(name).cloned().unwrap_or_default();
    let or = |name: &str, default: &str| {
        args.get_one::<String>(name)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let port = args.get_one::<u16>("port").copied().unwrap_or(8080);
    let fixture = text("fixture").parse::<wecom_mock::Fixture>().map_err(|e| {
        eprintln!("error: {e}");
        USAGE
    })?;
    let mut builder = wecom_mock::MockServer::builder();
    if let (Some(corp), Some(secret)) = (
        args.get_one::<String>("provider_corp_id"),
        args.get_one::<String>("provider_secret"),
    ) {
        builder = builder.provider(corp.clone(), secret.clone());
    }
    if let (Some(suite), Some(secret)) = (
        args.get_one::<String>("suite_id"),
        args.get_one::<String>("suite_secret"),
    ) {
        builder = builder.suite(suite.clone(), secret.clone());
    }
    let mock = builder
        .corp(or("corp_id", "ww-mock-corp"), or("secret", "mock-secret"))
        .port(port)
        .fixture(fixture)
        .start()
        .await
        .map_err(|e| {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            FAILED
        })?;
    println!("wecom mock listening on {}", mock.base_url());
    mock.run_until_interrupted().await.map_err(|_| FAILED)
}
