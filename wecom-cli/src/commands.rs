//! The command line, built from the spec: a subcommand per group, one per endpoint beneath it,
//! a flag per parameter whose help gives its type, whether it is required, and its limits.

use std::collections::BTreeMap;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use serde_json::{Map, Value};
use wecom_sdk::Credential;
use wecom_sdk::registry::{self, Operation, Param, ParamKind, Placement};
use wecom_sdk::schema::Union;

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
        .subcommand(
            client_flags(Command::new("call"))
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
        .subcommand(callback_command())
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
                )
                .arg(
                    Arg::new("callback_url")
                        .long("callback-url")
                        .env("WECOM_CALLBACK_URL")
                        .value_name("URL")
                        .requires_all(["callback_token", "callback_aes_key"])
                        .help("Push each change of the address book, encrypted, to this callback URL as WeCom's change_contact events (needs --callback-token and --callback-aes-key)"),
                )
                .arg(
                    Arg::new("callback_token")
                        .long("callback-token")
                        .env("WECOM_CALLBACK_TOKEN")
                        .value_name("TOKEN")
                        .hide_env_values(true)
                        .help("The Token set beside the callback URL"),
                )
                .arg(
                    Arg::new("callback_aes_key")
                        .long("callback-aes-key")
                        .env("WECOM_CALLBACK_AES_KEY")
                        .value_name("KEY")
                        .hide_env_values(true)
                        .help("The EncodingAESKey set beside the callback URL (43 characters)"),
                ),
        );
    // One flag per input of each kind of credential, as spec/credentials.yaml names them.
    for kind in Credential::ALL {
        for input in kind.def().inputs {
            let mut arg = global(input.flag, input.flag, input.env, input.help);
            if input.slot != wecom_sdk::Slot::Id {
                arg = arg.hide_env_values(true);
            }
            cli = cli.arg(arg);
        }
    }
    // Flags of every command: an endpoint's kebab-case alias must not take one.
    let calling = client_flags(Command::new("calling"));
    let taken: Vec<String> = cli
        .get_arguments()
        .chain(calling.get_arguments())
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect();
    let mut groups: BTreeMap<&str, Vec<&'static Operation>> = BTreeMap::new();
    for op in registry::operations() {
        groups.entry(op.group).or_default().push(op);
    }
    for (group, ops) in groups {
        let mut command = client_flags(Command::new(group))
            .about(format!("Endpoints of the `{group}` group"))
            .subcommand_required(true)
            .arg_required_else_help(true);
        for op in ops {
            command = command.subcommand(endpoint_command(op, &taken));
        }
        cli = cli.subcommand(command);
    }
    cli
}

/// `wecom callback`: receive callbacks and print them, send one, list the events of the spec.
fn callback_command() -> Command {
    let secrets = |command: Command| {
        command
            .arg(
                Arg::new("token")
                    .long("token")
                    .env("WECOM_CALLBACK_TOKEN")
                    .hide_env_values(true)
                    .required(true)
                    .help("The callback Token set beside the callback URL"),
            )
            .arg(
                Arg::new("aes_key")
                    .long("aes-key")
                    .env("WECOM_CALLBACK_AES_KEY")
                    .hide_env_values(true)
                    .required(true)
                    .help("The EncodingAESKey (43 characters)"),
            )
            .arg(
                Arg::new("receive_id")
                    .long("receive-id")
                    .env("WECOM_CORP_ID")
                    .required(true)
                    .help("The receive id: the corp id for an app, the suite id for a suite's instruction callbacks, \"\" for a robot"),
            )
    };
    Command::new("callback")
        .about("Receive, decrypt and print the callbacks WeCom pushes, or send one to a handler")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            secrets(Command::new("serve"))
                .about("Serve the callback URL on 127.0.0.1 and print each verified callback as one JSON line")
                .arg(Arg::new("port").long("port").default_value("8000").value_parser(value_parser!(u16)))
                .arg(
                    Arg::new("redis_url")
                        .long("redis-url")
                        .env("WECOM_REDIS_URL")
                        .hide_env_values(true)
                        .help("Drop the retries every instance of a fleet has seen, in this Redis (default: in memory)"),
                ),
        )
        .subcommand(
            secrets(Command::new("send"))
                .about("Send an encrypted callback of the spec (its documented example, with your fields) to URL")
                .arg(Arg::new("url").long("url").required(true).help("The handler's callback URL"))
                .arg(
                    Arg::new("event")
                        .long("event")
                        .required(true)
                        .help("The event's name in the spec (`wecom callback events` lists them)"),
                )
                .arg(
                    Arg::new("field")
                        .long("field")
                        .action(ArgAction::Append)
                        .value_name("NAME=VALUE")
                        .help("An element of the document to set, by wire name (UserID=zhangsan), repeatable"),
                ),
        )
        .subcommand(Command::new("events").about("List the callback events of the spec: name, group and what identifies it"))
}

/// The flags of the commands that call WeCom (not of `wecom mock`): where to, how long, token
/// sharing, validation. Global within the command, so they go before or after its subcommand.
fn client_flags(command: Command) -> Command {
    command
        .arg(global(
            "base_url",
            "base-url",
            "WECOM_BASE_URL",
            "The API origin (default https://qyapi.weixin.qq.com), e.g. http://127.0.0.1:8080",
        ))
        .arg(
            global(
                "timeout",
                "timeout",
                "WECOM_TIMEOUT",
                "Seconds one HTTP exchange may take (default 30)",
            )
            .value_parser(value_parser!(f64)),
        )
        .arg(global(
            "redis",
            "redis",
            "WECOM_REDIS_URL",
            "Share tokens through this Redis (redis://host:port/)",
        ))
        .arg(
            Arg::new("no_validate")
                .long("no-validate")
                .global(true)
                .action(ArgAction::SetTrue)
                .help_heading("Connection")
                .help("Send requests even when they break a documented limit"),
        )
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

fn endpoint_command(op: &'static Operation, taken: &[String]) -> Command {
    let deprecated = op
        .meta
        .deprecated
        .map(|note| format!("\n\nDeprecated: {note}."))
        .unwrap_or_default();
    let mut command = Command::new(op.name)
        .about(match op.meta.deprecated {
            Some(_) => format!("(deprecated) {}", op.summary),
            None => op.summary.to_string(),
        })
        .long_about(format!(
            "{}\n\n{} {} · {}{deprecated}",
            op.summary,
            op.meta.method.as_str(),
            op.meta.path,
            op.meta.doc
        ));
    if op.name.contains('_') {
        command = command.alias(op.name.replace('_', "-"));
    }
    for param in op.params() {
        let mut arg = param_arg(param, op.param_doc(param.name()), taken);
        if let (true, ParamKind::Union(union)) = (param.flatten(), param.kind()) {
            // Each kind of content has a flag of its own: `--text '{"content":"hi"}'`.
            let variants: Vec<&'static str> = variant_flags(op, union).collect();
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            arg = arg.required(false).help(format!(
                "{help} Or give one of {} instead.",
                variants
                    .iter()
                    .map(|v| format!("--{v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let mut group = clap::ArgGroup::new(format!("{}-kind", param.name()))
                .arg(param.name())
                .multiple(false)
                .required(param.required());
            for variant in union.variants().iter().filter(|v| variants.contains(&v.name())) {
                let name = variant.name();
                let kebab = name.replace('_', "-");
                let alias = (kebab != name && !taken.contains(&kebab)).then_some(kebab);
                command = command.arg(
                    Arg::new(name)
                        .long(name)
                        .visible_aliases(alias)
                        .value_name("JSON")
                        .help(format!(
                            "The `{tag}: {name}` content: its `{name}` object as JSON (sets `{tag}`) [type {}]",
                            variant.object().name(),
                            tag = union.tag(),
                        )),
                );
                group = group.arg(name);
            }
            command = command.group(group);
        }
        command = command.arg(arg);
    }
    if op.is_download() {
        command = command.arg(output_arg());
    }
    command
}

fn param_arg(param: &'static Param, description: &'static str, taken: &[String]) -> Arg {
    let mut facts = vec![format!("type {}", param.kind())];
    if param.required() {
        facts.push("required".into());
    }
    facts.extend(param.limits().describe());
    if let ParamKind::IntEnum(e) | ParamKind::StrEnum(e) = param.kind() {
        let names: Vec<String> = e
            .values()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        facts.push(format!("one of {} (a name or a value)", names.join(", ")));
    }
    if param.kind().is_list() {
        facts.push("a list: JSON, or values separated by commas".into());
    } else if !param.kind().is_scalar() && param.placement() != Placement::File {
        facts.push("give JSON".into());
    }
    if param.placement() == Placement::File {
        facts.push("a path to the file".into());
    }
    if let Some(replacement) = param.deprecated() {
        facts.push(format!("deprecated: {replacement}"));
    }
    let help = if description.is_empty() {
        format!("[{}]", facts.join("; "))
    } else {
        format!("{description} [{}]", facts.join("; "))
    };
    let mut arg = Arg::new(param.name())
        .long(param.name())
        .value_name("VALUE")
        .required(param.required())
        .help(help);
    let kebab = param.name().replace('_', "-");
    if kebab != param.name() && !taken.contains(&kebab) {
        arg = arg.visible_alias(kebab);
    }
    if param.deprecated().is_some() {
        arg = arg.hide(true);
    }
    arg
}

/// The parameters given as flags, as one JSON object for the typed request (the deprecated names
/// among them are reported when it is sent).
pub fn flag_input(op: &Operation, args: &ArgMatches) -> Result<Value, String> {
    let mut input = Map::new();
    for param in op.params() {
        if let (true, ParamKind::Union(union)) = (param.flatten(), param.kind()) {
            flattened(op, param, union, args, &mut input)?;
            continue;
        }
        let Some(text) = args.get_one::<String>(param.name()) else {
            continue;
        };
        let value = flag_value(param.kind(), text).map_err(|e| format!("--{}: {e}", param.name()))?;
        input.insert(param.name().to_string(), value);
    }
    Ok(Value::Object(input))
}

/// The variants of a flattened union that get a flag: those whose name no parameter takes.
fn variant_flags(op: &Operation, union: &'static Union) -> impl Iterator<Item = &'static str> {
    let params = op.params();
    union
        .variants()
        .iter()
        .map(|v| v.name())
        .filter(move |name| !params.iter().any(|p| p.name() == *name))
}

/// A flattened union's tag and payload, beside the other parameters: from the one JSON object
/// (`--content '{"msgtype":"text","text":{…}}'`) or from a variant's flag (`--text '{…}'`).
fn flattened(
    op: &Operation,
    param: &Param,
    union: &'static Union,
    args: &ArgMatches,
    input: &mut Map<String, Value>,
) -> Result<(), String> {
    let tag = union.tag();
    if let Some(text) = args.get_one::<String>(param.name()) {
        let example = union
            .variants()
            .first()
            .map(|v| format!(", e.g. {{\"{tag}\":\"{0}\",\"{0}\":{{…}}}}", v.name()))
            .unwrap_or_default();
        let object = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) if object.contains_key(tag) => object,
            Ok(_) => {
                return Err(format!(
                    "--{}: give one JSON object with `{tag}` and the object it names{example}",
                    param.name()
                ));
            }
            Err(e) => return Err(format!("--{}: takes JSON: {e}", param.name())),
        };
        input.extend(object);
        return Ok(());
    }
    for name in variant_flags(op, union) {
        if let Some(text) = args.get_one::<String>(name) {
            let payload =
                serde_json::from_str::<Value>(text).map_err(|e| format!("--{name}: takes JSON: {e}"))?;
            input.insert(tag.to_string(), Value::String(name.to_string()));
            input.insert(name.to_string(), payload);
        }
    }
    Ok(())
}

/// A flag's text as the JSON the typed request takes: scalars as text (the typed request reads
/// numbers and flags from text), an enum by its spec name too, lists as JSON or comma-separated
/// (one value is a one-item list), objects as JSON.
pub fn flag_value(kind: &ParamKind, text: &str) -> Result<Value, String> {
    match kind {
        ParamKind::IntEnum(e) | ParamKind::StrEnum(e) => {
            let named = e
                .values()
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
                .map(|(_, value)| match value {
                    wecom_sdk::schema::Lit::Int(i) => Value::String(i.to_string()),
                    wecom_sdk::schema::Lit::Str(s) => Value::String(s.to_string()),
                });
            Ok(named.unwrap_or_else(|| Value::String(text.to_string())))
        }
        k if k.is_scalar() => Ok(Value::String(text.to_string())),
        ParamKind::File => Ok(Value::String(text.to_string())),
        ParamKind::List(inner) | ParamKind::Piped(inner) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => Ok(Value::Array(items)),
            _ => text
                .split(',')
                .map(|item| flag_value(inner, item.trim()))
                .collect::<Result<Vec<Value>, String>>()
                .map(Value::Array),
        },
        other => serde_json::from_str::<Value>(text).map_err(|e| format!("takes JSON ({other}): {e}")),
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
