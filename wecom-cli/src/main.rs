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

mod callback;
mod commands;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::ArgMatches;
use serde_json::{Map, Value};
use wecom_sdk::registry::{self, Answer, Operation};
use wecom_sdk::{Client, Credential, Error, Slot};

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

/// Writes one line to standard output: `Ok(false)` when the reader has gone (`wecom endpoints |
/// head -1`), which ends the output quietly; another write error fails the command.
fn print_line(out: &mut impl Write, line: &str) -> Result<bool, u8> {
    match writeln!(out, "{line}").and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            Err(FAILED)
        }
    }
}

async fn run(matches: &ArgMatches) -> Result<(), u8> {
    match matches.subcommand() {
        Some(("mock", args)) => run_mock(args).await,
        Some(("callback", args)) => callback::run(args).await,
        Some(("endpoints", _)) => {
            let mut stdout = std::io::stdout().lock();
            for op in registry::operations() {
                let line = format!(
                    "{:<5} {:<55} {}.{}",
                    op.meta.method.as_str(),
                    op.meta.path,
                    op.group,
                    op.name
                );
                if !print_line(&mut stdout, &line)? {
                    break;
                }
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

/// The client the global options describe: every kind of credential whose inputs are given;
/// `--redis` shares tokens through Redis.
async fn client(matches: &ArgMatches, op: &Operation) -> Result<Client, u8> {
    let text = |name: &str| matches.get_one::<String>(name).cloned().unwrap_or_default();
    let base_url = matches
        .get_one::<String>("base_url")
        .cloned()
        .unwrap_or_else(|| wecom_sdk::DEFAULT_BASE_URL.to_string());
    let mut builder = Client::builder_without_credentials().base_url(base_url);
    let mut tickets = Vec::new();
    let mut any = false;
    for kind in Credential::ALL {
        let def = kind.def();
        let value = |slot| def.input(slot).map(|i| text(i.flag)).unwrap_or_default();
        let (id, secret) = (value(Slot::Id), value(Slot::Secret));
        if id.is_empty() || secret.is_empty() {
            continue;
        }
        builder = builder.credential(*kind, id, secret);
        any = true;
        let ticket = value(Slot::Ticket);
        if !ticket.is_empty() {
            tickets.push((*kind, ticket));
        }
    }
    if let Some(kind) = op.meta.auth {
        let base = kind.def().derived_from.unwrap_or(kind);
        if !any
            || !Credential::ALL.iter().any(|k| {
                *k == base
                    && base
                        .def()
                        .inputs
                        .iter()
                        .all(|i| i.slot == Slot::Ticket || !text(i.flag).is_empty())
            })
        {
            let flags: Vec<String> = base
                .def()
                .inputs
                .iter()
                .map(|i| format!("--{} ({})", i.flag, i.env))
                .collect();
            eprintln!(
                "error: {} needs `{}`: give {}",
                op.meta.id,
                base.def().name,
                flags.join(", ")
            );
            return Err(USAGE);
        }
    }
    if !any {
        // Endpoints that take no credential (gettoken itself) still go through a client.
        builder = builder.corp_app("-", "-");
    }
    if let Some(seconds) = matches.get_one::<f64>("timeout") {
        let timeout = Duration::try_from_secs_f64(*seconds).map_err(|_| {
            eprintln!("error: --timeout must be a number of seconds, 0 or more (got {seconds})");
            USAGE
        })?;
        builder = builder.timeout(timeout);
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
    for (kind, ticket) in tickets {
        client.set_ticket(kind, ticket);
    }
    Ok(client)
}

/// Sends `input` to `op`; `args` are the endpoint's matches, which also hold the global options
/// (clap hands them down to every subcommand).
async fn send(op: &'static Operation, input: Value, args: &ArgMatches) -> Result<(), u8> {
    if let Some(note) = op.meta.deprecated {
        eprintln!("warning: {} is deprecated: {note}", op.meta.id);
    }
    for found in wecom_sdk::schema::deprecations(op.meta.params, &input) {
        eprintln!("warning: `{}` is deprecated: {}", found.path, found.note);
    }
    let client = client(args, op).await?;
    match op.call(&client, input).await {
        Ok(Answer::Json(value)) => {
            let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
            print_line(&mut std::io::stdout().lock(), &text)?;
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
                        match stdout.write_all(&chunk) {
                            Ok(()) => {}
                            // The reader stopped reading (`| head`): nothing more to say.
                            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                            Err(e) => {
                                eprintln!("error: cannot write the file to standard output: {e}");
                                return Err(FAILED);
                            }
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
    let port = args.get_one::<u16>("port").copied().unwrap_or(8080);
    let fixture = text("fixture").parse::<wecom_mock::Fixture>().map_err(|e| {
        eprintln!("error: {e}");
        USAGE
    })?;
    let mut builder = wecom_mock::MockServer::builder();
    let defaults = wecom_mock::Credentials::default();
    for kind in Credential::ALL {
        let def = kind.def();
        let value = |slot| def.input(slot).map(|i| text(i.flag)).unwrap_or_default();
        let (mut id, mut secret) = (value(Slot::Id), value(Slot::Secret));
        // One of the two given: the mock's default stands in for the other.
        if let Some((default_id, default_secret)) = defaults.get(*kind) {
            if id.is_empty() {
                id = default_id.to_string();
            }
            if secret.is_empty() {
                secret = default_secret.to_string();
            }
        }
        if !id.is_empty() && !secret.is_empty() {
            builder = builder.credential(*kind, id, secret);
        }
    }
    let callback_url = args.get_one::<String>("callback_url").cloned();
    if let Some(url) = &callback_url {
        builder = builder.callbacks(url, text("callback_token"), text("callback_aes_key"));
    }
    let mock = builder.port(port).fixture(fixture).start().await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidInput {
            eprintln!("error: {e}");
            USAGE
        } else {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            FAILED
        }
    })?;
    let mut stdout = std::io::stdout().lock();
    print_line(
        &mut stdout,
        &format!("wecom mock listening on {}", mock.base_url()),
    )?;
    // What another shell needs to call it: paste these lines.
    print_line(&mut stdout, &format!("export WECOM_BASE_URL={}", mock.base_url()))?;
    for (kind, id, secret) in mock.credentials().iter() {
        for input in kind.def().inputs {
            let value = match input.slot {
                Slot::Id => id,
                Slot::Secret => secret,
                _ => continue,
            };
            print_line(
                &mut stdout,
                &format!("export {}={}", input.env, shell_word(value)),
            )?;
        }
    }
    drop(stdout);
    if let Some(url) = callback_url {
        eprintln!("pushing address-book changes to {url}");
    }
    mock.run_until_interrupted().await.map_err(|_| FAILED)
}

/// `value` as one shell word: as is when it is plain, else single-quoted.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@%+=,".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}
