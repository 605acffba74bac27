//! The command line, built from the spec: a subcommand per group, one per endpoint beneath it,
//! a flag per parameter whose help gives its type, whether it is required, and its limits.

use std::collections::BTreeMap;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use serde_json::{Map, Value};
use wecom_sdk::registry::{self, Operation, Param, Placement};

pub fn cli() -> Command {
    let mut cli = Command::new("wecom")
        .about("Call any WeCom (企业微信) server API endpoint, or run a local mock of the API")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(
            "Credentials come from --corp-id/--secret or WECOM_CORP_ID/WECOM_SECRET; --base-url or \
             WECOM_BASE_URL points at another origin (`wecom mock` prints one). RUST_LOG=debug shows \
             each call. Exit codes: 0 success, 1 WeCom or the network failed the call, 2 the input was wrong.",
        )
        .arg(global("corp_id", "corp-id", "WECOM_CORP_ID", "The corp id (corpid)"))
        .arg(global("secret", "secret", "WECOM_SECRET", "The app secret").hide_env_values(true))
        .arg(global(
            "base_url",
            "base-url",
            "WECOM_BASE_URL",
            "The API origin (default https://qyapi.weixin.qq.com), e.g. http://127.0.0.1:8080",
        ))
        .arg(
            global("timeout", "timeout", "WECOM_TIMEOUT", "Seconds one HTTP exchange may take (default 30)")
                .value_parser(value_parser!(f64)),
        )
        .arg(global("redis", "redis", "WECOM_REDIS_URL", "Share tokens through this Redis (redis://host:port/)"))
        .arg(global("provider_corp_id", "provider-corp-id", "WECOM_PROVIDER_CORP_ID", "A service provider's corp id"))
        .arg(global("provider_secret", "provider-secret", "WECOM_PROVIDER_SECRET", "The provider's secret").hide_env_values(true))
        .arg(global("suite_id", "suite-id", "WECOM_SUITE_ID", "A third-party app's suite id"))
        .arg(global("suite_secret", "suite-secret", "WECOM_SUITE_SECRET", "The suite's secret").hide_env_values(true))
        .arg(global("suite_ticket", "suite-ticket", "WECOM_SUITE_TICKET", "The latest suite_ticket WeCom pushed").hide_env_values(true))
        .arg(
            Arg::new("no_validate")
                .long("no-validate")
                .global(true)
                .action(ArgAction::SetTrue)
                .help_heading("Connection")
                .help("Send requests even when they break a documented limit"),
        )
        .subcommand(
            Command::new("call")
                .about("Call the endpoint at PATH with parameters as query pairs and a JSON object")
                .arg(Arg::new("path").required(true).help("The documented path, e.g. /cgi-bin/user/get"))
                .arg(
                    Arg::new("query")
                        .long("query")
                        .short('q')
                        .action(ArgAction::Append)
                        .value_name("KEY=VALUE")
                        .help("A parameter, repeatable (query and body parameters alike)"),
                )
                .arg(Arg::new("json").long("json").short('j').value_name("OBJECT").help("Parameters as one JSON object"))
                .arg(output_arg()),
        )
        .subcommand(Command::new("endpoints").about("List every endpoint: method, path, group and name"))
        .subcommand(
            Command::new("mock")
                .about("Run the mock WeCom server on 127.0.0.1 (it accepts --corp-id and --secret, by default ww-mock-corp and mock-secret, and the provider and suite given)")
                .arg(Arg::new("port").long("port").default_value("8080").value_parser(value_parser!(u16)))
                .arg(
                    Arg::new("fixture")
                        .long("fixture")
                        .default_value("empty")
                        .value_parser(["empty", "departments", "full"])
                        .help("The address book to start from (`full` holds what the docs' examples name)"),
                ),
        );
    let mut groups: BTreeMap<&str, Vec<&'static Operation>> = BTreeMap::new();
    for op in registry::operations() {
        groups.entry(op.group).or_default().push(op);
    }
    for (group, ops) in groups {
        let mut command = Command::new(group)
            .about(format!("Endpoints of the `{group}` group"))
            .subcommand_required(true)
            .arg_required_else_help(true);
        for op in ops {
            command = command.subcommand(endpoint_command(op));
        }
        cli = cli.subcommand(command);
    }
    cli
}

fn global(id: &'static str, long: &'static str, env: &'static str, help: &'static str) -> Arg {
    Arg::new(id)
        .long(long)
        .env(env)
        .global(true)
        .help(help)
        .help_heading("Connection")
}

fn output_arg() -> Arg {
    Arg::new("output")
        .long("output")
        .short('o')
        .value_name("FILE")
        .help("Where a downloaded file goes (default: standard output)")
}

fn endpoint_command(op: &'static Operation) -> Command {
    let mut command = Command::new(op.name).about(op.summary).long_about(format!(
        "{}\n\n{} {} · {}",
        op.summary,
        op.meta.method.as_str(),
        op.meta.path,
        op.meta.doc
    ));
    if op.name.contains('_') {
        command = command.alias(op.name.replace('_', "-"));
    }
    for param in op.params {
        command = command.arg(param_arg(param));
    }
    if op.is_download() {
        command = command.arg(output_arg());
    }
    command
}

fn param_arg(param: &'static Param) -> Arg {
    let mut facts = vec![format!("type {}", param.type_name)];
    if param.required {
        facts.push("required".into());
    }
    if !param.limits.is_empty() {
        facts.push(param.limits.to_string());
    }
    if !param.scalar {
        facts.push("give JSON (a list may also be comma-separated)".into());
    }
    if param.placement == Placement::File {
        facts.push("a path to the file".into());
    }
    let help = if param.description.is_empty() {
        format!("[{}]", facts.join("; "))
    } else {
        format!("{} [{}]", param.description, facts.join("; "))
    };
    Arg::new(param.name)
        .long(param.name)
        .value_name("VALUE")
        .required(param.required)
        .help(help)
}

/// The parameters given as flags, as one JSON object for the typed request.
pub fn flag_input(op: &Operation, args: &ArgMatches) -> Result<Value, String> {
    let mut input = Map::new();
    for param in op.params {
        let Some(text) = args.get_one::<String>(param.name) else {
            continue;
        };
        input.insert(param.name.to_string(), flag_value(param, text)?);
    }
    Ok(Value::Object(input))
}

/// Scalars go as text (the typed request reads numbers and flags from text); lists and objects
/// as JSON, a list also as comma-separated text.
fn flag_value(param: &Param, text: &str) -> Result<Value, String> {
    if param.scalar {
        return Ok(Value::String(text.to_string()));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Ok(value),
        Err(_) if param.type_name.starts_with("list<") || param.type_name.starts_with("piped<") => {
            Ok(Value::Array(
                text.split(',')
                    .map(|item| Value::String(item.trim().to_string()))
                    .collect(),
            ))
        }
        Err(e) => Err(format!("--{} takes JSON ({}): {e}", param.name, param.type_name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        cli().debug_assert();
    }
}
