//! `cargo xtask bench`: every figure of docs/PERFORMANCE.md in one run on this machine.
//!
//! 1. throughput of the SDK beside a raw `reqwest` loop and wechatpy (`wecom-bench`, release);
//! 2. decoding 10,000 members typed and as `serde_json::Value`, with peak memory, and the
//!    SDK's encoding and decoding beside plain serde (criterion, `wecom-bench`'s `codec`);
//! 3. the token path (from the throughput run);
//! 4. the real spec's size: YAML lines and generated lines per endpoint, name clashes, codegen
//!    time;
//! 5. wecom-sdk's own compile time, debug, with `full` and with one group (`cargo build --timings`);
//! 6. the same for a synthetic spec of about 800 endpoints (renamed copies of every group), built
//!    as a workspace of its own.
//!
//! The report is printed and written to `target/bench/report.md`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::Error;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn run(root: &Path, program: &str, args: &[&str]) -> Result<String, Error> {
    eprintln!("$ {program} {}", args.join(" "));
    let output = Command::new(program)
        .args(args)
        .current_dir(root)
        .output()
        .map_err(io(root))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(Error::Bench(format!(
            "`{program} {}` failed:\n{}{}",
            args.join(" "),
            stdout,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(stdout)
}

/// Runs every benchmark; `quick` uses fewer requests (for a smoke run).
pub fn bench(root: &Path, quick: bool) -> Result<String, Error> {
    let dir = root.join("target/bench");
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut report = String::new();
    let machine = machine();
    let _ = writeln!(report, "Machine: {machine}\n");

    // 1 and 3: throughput and the token path.
    let python = wechatpy_python(root, &dir);
    let requests = if quick { "4000" } else { "20000" };
    let mut args = vec![
        "run",
        "--release",
        "--quiet",
        "-p",
        "wecom-bench",
        "--bin",
        "throughput",
        "--",
        "--requests",
        requests,
    ];
    let python_text = python.as_ref().map(|p| p.to_string_lossy().into_owned());
    if let Some(p) = &python_text {
        args.extend(["--python", p]);
    }
    let lines = run(root, "cargo", &args)?;
    let rows: Vec<serde_json::Value> = lines
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    report.push_str(&throughput_table(&rows, python.is_some()));

    // 2: decoding and encoding in-process.
    let criterion = run(
        root,
        "cargo",
        &["bench", "-p", "wecom-bench", "--bench", "codec", "--", "--noplot"],
    )?;
    report.push_str("\n## Decoding and encoding in-process (criterion, mean)\n\n");
    report.push_str(
        "| what | wecom-sdk (typed) | raw serde struct | `serde_json::Value` |\n|---|---|---|---|\n",
    );
    // An empty name is a comparison that does not apply.
    let cell = |name: &str| {
        Some(name)
            .filter(|n| !n.is_empty())
            .and_then(|n| criterion_mean(root, n))
            .map_or_else(|| "–".to_string(), human)
    };
    for (what, sdk, raw, value) in [
        (
            "`user/list` answer, 10,000 members (decode)",
            "user_list_10000/typed",
            "",
            "user_list_10000/value",
        ),
        (
            "`user/get` answer (decode)",
            "user_get/typed",
            "user_get/raw",
            "user_get/value",
        ),
        (
            "`message/send` request (build, validate, encode)",
            "message_send/request_sdk",
            "message_send/request_raw",
            "",
        ),
        (
            "`message/send` answer (decode)",
            "message_send/answer_sdk",
            "message_send/answer_raw",
            "",
        ),
    ] {
        let _ = writeln!(
            report,
            "| {what} | {} | {} | {} |",
            cell(sdk),
            cell(raw),
            cell(value)
        );
    }
    report.push('\n');
    for line in criterion.lines() {
        if line.starts_with("peak memory") {
            let _ = writeln!(report, "- {line}");
        }
    }

    report.push_str(&size(root, &dir)?);
    let path = dir.join("report.md");
    fs::write(&path, &report).map_err(io(&path))?;
    Ok(report)
}

/// Sections 4 to 6 only: the size and compile cost of the real spec and of the synthetic one.
pub fn size(root: &Path, dir: &Path) -> Result<String, Error> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let mut report = String::new();
    // 4 and 5: the real spec — codegen, size, compile cost.
    report.push_str("\n## The real spec\n\n");
    let spec = root.join("spec");
    let (gen_time, generated) = time_generate(&spec, 5)?;
    let endpoints = generated.api.endpoint_count();
    let yaml = yaml_lines(&spec)?;
    let lines = generated_lines(&root.join(codegen::emit::SDK_DIR))?;
    let full = compile_time(root, &[])?;
    let one = compile_time(root, &["--no-default-features", "--features", "user,default-tls"])?;
    let _ = writeln!(
        report,
        "| measurement | result |\n|---|---|\n\
         | endpoints | {endpoints} |\n\
         | YAML lines per endpoint (examples in side files not counted) | {:.1} ({yaml} lines) |\n\
         | generated lines per endpoint (`src/generated`, error table and registry aside) | {:.1} |\n\
         | generated lines per endpoint, registry included | {:.1} |\n\
         | public type names declared in two group modules | {} |\n\
         | `cargo xtask gen` (in process, median of 5) | {} |\n\
         | debug build of wecom-sdk, `full` | {full:.1} s ({:.3} s per endpoint) |\n\
         | debug build of wecom-sdk, one group (`user`) | {one:.1} s |",
        yaml as f64 / endpoints as f64,
        lines.without_registry as f64 / endpoints as f64,
        lines.with_registry as f64 / endpoints as f64,
        lines.clashes.len(),
        human(gen_time),
        full / endpoints as f64,
    );

    // 6: a synthetic spec of about 800 endpoints, built as a workspace of its own.
    report.push_str("\n## Scale: a synthetic spec of about 800 endpoints\n\n");
    let scale = scale(root, &dir.join("scale"), 800)?;
    report.push_str(&scale);
    report.push('\n');
    Ok(report)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{cpus} CPUs ({model}), {rustc}")
}

/// A Python with wechatpy installed, in `target/bench/venv` (made on first use), or `None`
/// when that cannot be arranged (then the report says wechatpy was not measured).
fn wechatpy_python(root: &Path, dir: &Path) -> Option<PathBuf> {
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    let has_wechatpy = |p: &Path| {
        Command::new(p)
            .args(["-c", "import wechatpy.work"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has_wechatpy(&python) {
        return Some(python);
    }
    let venv_text = venv.to_string_lossy().into_owned();
    let made = run(root, "python3", &["-m", "venv", &venv_text]).is_ok()
        && run(
            root,
            &python.to_string_lossy(),
            &["-m", "pip", "install", "--quiet", "--pre", "wechatpy"],
        )
        .is_ok();
    if made && has_wechatpy(&python) {
        Some(python)
    } else {
        eprintln!("note: could not install wechatpy; it is left out of the report");
        None
    }
}

fn throughput_table(rows: &[serde_json::Value], with_wechatpy: bool) -> String {
    let mut out = String::from("## Throughput against a local server answering fixed bodies\n\n");
    out.push_str("| endpoint | mode | raw reqwest + serde | wecom-sdk | SDK ÷ raw | wechatpy |\n|---|---|---|---|---|---|\n");
    let find = |bench: &str, mode: &str, client: &str| {
        rows.iter()
            .find(|r| r["bench"] == bench && r["mode"] == mode && r["client"] == client)
            .and_then(|r| r["per_second"].as_f64())
    };
    for bench in ["user/get", "message/send"] {
        for mode in ["sequential", "concurrent-64"] {
            let (raw, sdk) = (find(bench, mode, "raw"), find(bench, mode, "sdk"));
            let ratio = match (raw, sdk) {
                (Some(r), Some(s)) => format!("{:.2}", s / r),
                _ => "–".into(),
            };
            let py = match find(bench, mode, "wechatpy") {
                Some(p) => format!("{p:.0}/s"),
                None if with_wechatpy && mode == "sequential" => "failed".into(),
                None => "–".into(),
            };
            let rate = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.0}/s"));
            let _ = writeln!(
                out,
                "| `{bench}` | {mode} | {} | {} | {ratio} | {py} |",
                rate(raw),
                rate(sdk)
            );
        }
    }
    if let Some(cold) = rows.iter().find(|r| r["bench"] == "cold-token") {
        let _ = writeln!(
            out,
            "\nToken path: 1,000 concurrent calls on a cold client took {:.1} ms with {} `gettoken` request(s) (the server answers `gettoken` in 20 ms).",
            cold["seconds"].as_f64().unwrap_or(0.0) * 1000.0,
            cold["gettoken"]
        );
    }
    out
}

/// The mean of a criterion benchmark, from its saved estimate.
fn criterion_mean(root: &Path, name: &str) -> Option<Duration> {
    let path = root
        .join("target/criterion")
        .join(name)
        .join("new/estimates.json");
    let estimates: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).ok()?).ok()?;
    let nanos = estimates["mean"]["point_estimate"].as_f64()?;
    Some(Duration::from_nanos(nanos as u64))
}

fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.2} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.2} µs", s * 1e6)
    } else {
        format!("{:.0} ns", s * 1e9)
    }
}

/// The median time of `runs` generations from `spec` (in this process, as `cargo xtask gen`
/// runs it), and the last generation.
fn time_generate(spec: &Path, runs: usize) -> Result<(Duration, codegen::Generated), Error> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let generated = codegen::generate(spec)?;
        times.push(started.elapsed());
        last = Some(generated);
    }
    times.sort();
    let generated = last.ok_or_else(|| Error::Bench("no generation ran".into()))?;
    Ok((times[times.len() / 2], generated))
}

/// The lines of the spec's YAML files (the error table aside: it is data, not endpoints).
fn yaml_lines(spec: &Path) -> Result<usize, Error> {
    let mut total = 0;
    for source in codegen::spec::read(spec).map_err(|(path, source)| Error::Io { path, source })? {
        if source.name.ends_with(".yaml") && !source.name.ends_with("errcodes.yaml") {
            total += source.text.lines().count();
        }
    }
    Ok(total)
}

struct Lines {
    without_registry: usize,
    with_registry: usize,
    /// Public type names declared in more than one module.
    clashes: Vec<String>,
}

/// Lines of the generated SDK sources (the error table aside), and the public names declared in
/// more than one of them.
fn generated_lines(dir: &Path) -> Result<Lines, Error> {
    let mut lines = Lines {
        without_registry: 0,
        with_registry: 0,
        clashes: Vec::new(),
    };
    let mut declared: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name == "errcodes.rs" {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(io(&path))?;
        let count = text.lines().count();
        lines.with_registry += count;
        if name != "registry.rs" {
            lines.without_registry += count;
        }
        for line in text.lines() {
            let decl = ["pub struct ", "pub enum ", "pub type ", "    pub struct "]
                .iter()
                .find_map(|p| line.strip_prefix(p));
            if let Some(rest) = decl {
                let ident: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                *declared.entry(ident).or_default() += 1;
            }
        }
    }
    lines.clashes = declared
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(k, _)| k)
        .collect();
    Ok(lines)
}

/// Builds a workspace of the SDK generated from `copies` renamed copies of every group, and
/// reports codegen time, generated lines and debug build times of all groups and of one.
fn scale(root: &Path, ws: &Path, about: usize) -> Result<String, Error> {
    let _ = fs::remove_dir_all(ws.join("spec"));
    let _ = fs::remove_dir_all(ws.join("wecom-sdk"));
    fs::create_dir_all(ws).map_err(io(ws))?;
    // The workspace manifest, with the SDK as its only member; the lock file, so versions match.
    let manifest = fs::read_to_string(root.join("Cargo.toml")).map_err(io(root))?;
    let mut doc: toml_edit::DocumentMut = manifest
        .parse()
        .map_err(|e| Error::Bench(format!("Cargo.toml: {e}")))?;
    doc["workspace"]["members"] = toml_edit::value(toml_edit::Array::from_iter(["wecom-sdk"]));
    fs::write(ws.join("Cargo.toml"), doc.to_string()).map_err(io(ws))?;
    fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock")).map_err(io(ws))?;
    copy_dir(&root.join("wecom-sdk/src"), &ws.join("wecom-sdk/src"))?;
    let sdk_manifest = fs::read_to_string(root.join("wecom-sdk/Cargo.toml")).map_err(io(root))?;
    let mut sdk: toml_edit::DocumentMut = sdk_manifest
        .parse()
        .map_err(|e| Error::Bench(format!("wecom-sdk/Cargo.toml: {e}")))?;
    sdk.remove("test");
    sdk.remove("example");
    sdk.remove("dev-dependencies");
    fs::write(ws.join("wecom-sdk/Cargo.toml"), sdk.to_string()).map_err(io(ws))?;

    let spec = root.join("spec");
    let real = codegen::generate(&spec)?.api.endpoint_count();
    let copies = about.div_ceil(real);
    synthesize(&spec, &ws.join("spec"), copies)?;
    let changes = crate::plan_from(ws, &ws.join("spec"))?;
    crate::apply(ws, &changes)?;
    let (gen_time, generated) = time_generate(&ws.join("spec"), 3)?;
    let endpoints = generated.api.endpoint_count();
    let groups = generated.api.groups.len();
    let lines = generated_lines(&ws.join(codegen::emit::SDK_DIR))?;
    let one_group = generated
        .api
        .groups
        .iter()
        .find(|g| g.name.starts_with("user_c"))
        .map_or_else(|| "user".to_string(), |g| g.name.clone());
    let full = compile_time(ws, &[])?;
    let features = format!("{one_group},default-tls");
    let one = compile_time(ws, &["--no-default-features", "--features", &features])?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Every group of `spec/` and {} renamed copies of it (their paths under `/cgi-bin/cN/`, their types renamed), \
         built as a workspace of its own in `target/bench/scale`.\n\n\
         | measurement | result |\n|---|---|\n\
         | endpoints, groups | {endpoints}, {groups} |\n\
         | `cargo xtask gen` (in process, median of 3) | {} |\n\
         | generated lines per endpoint (error table and registry aside) | {:.1} |\n\
         | public type names declared in two group modules | {} |\n\
         | debug build of wecom-sdk, every group | {full:.1} s ({:.3} s per endpoint) |\n\
         | debug build of wecom-sdk, one group (`{one_group}`) | {one:.1} s |",
        copies - 1,
        human(gen_time),
        lines.without_registry as f64 / endpoints as f64,
        lines.clashes.len(),
        full / endpoints as f64,
    );
    Ok(out)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Error> {
    fs::create_dir_all(to).map_err(io(to))?;
    for entry in fs::read_dir(from).map_err(io(from))? {
        let path = entry.map_err(io(from))?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            fs::copy(&path, &target).map_err(io(&path))?;
        }
    }
    Ok(())
}

/// Writes every group folder of `spec` into `out` with `copies - 1` renamed copies beside it: each
/// copy's paths under `/cgi-bin/cN/` and its type and scalar names suffixed `CN`, so every name
/// stays unique.
/// The top-level files (shared names, credentials, error table) are copied once, as are the core
/// groups the credentials need.
fn synthesize(spec: &Path, out: &Path, copies: usize) -> Result<(), Error> {
    let _ = fs::remove_dir_all(out);
    fs::create_dir_all(out).map_err(io(out))?;
    let mut entries: Vec<PathBuf> = fs::read_dir(spec)
        .map_err(io(spec))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if path.is_file() {
            if name.ends_with(".yaml") {
                fs::copy(&path, out.join(&name)).map_err(io(&path))?;
            }
            continue;
        }
        if name == codegen::spec::schema::FOLDER {
            continue;
        }
        let header = fs::read_to_string(path.join(format!("{name}.yaml"))).unwrap_or_default();
        if header.lines().any(|l| l.trim() == "core: true") {
            copy_dir(&path, &out.join(&name))?;
            continue;
        }
        let mut names = Vec::new();
        for file in fs::read_dir(&path)
            .map_err(io(&path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
        {
            if file.extension().is_some_and(|x| x == "yaml") {
                names.extend(defined_types(&fs::read_to_string(&file).map_err(io(&file))?));
            }
        }
        // The first copy is the group itself (the credentials name its endpoints).
        copy_dir(&path, &out.join(&name))?;
        for k in 1..copies {
            let target = out.join(format!("{name}_c{k}"));
            copy_dir(&path, &target)?;
            for file in fs::read_dir(&target)
                .map_err(io(&target))?
                .filter_map(|e| e.ok().map(|e| e.path()))
            {
                if file.extension().is_none_or(|x| x != "yaml") {
                    continue;
                }
                // Callback events are unique by their `when`: the copies carry endpoints only.
                if file.file_name().is_some_and(|n| n == "events.yaml") {
                    fs::remove_file(&file).map_err(io(&file))?;
                    continue;
                }
                let mut text = fs::read_to_string(&file).map_err(io(&file))?;
                text = text.replace("    path: /cgi-bin/", &format!("    path: /cgi-bin/c{k}/"));
                for n in &names {
                    text = replace_word(&text, n, &format!("{n}C{k}"));
                }
                let renamed = target.join(
                    file.file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .replace(&format!("{name}.yaml"), &format!("{name}_c{k}.yaml")),
                );
                fs::remove_file(&file).map_err(io(&file))?;
                fs::write(&renamed, text).map_err(io(&renamed))?;
            }
        }
    }
    Ok(())
}

/// The names declared under `types:` and `scalars:` (two-space indented PascalCase keys).
fn defined_types(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split(':').next().filter(|_| l.contains(':')))
        .filter(|n| {
            n.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && n.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .map(str::to_string)
        .collect()
}

/// Replaces `word` where it stands as a whole identifier.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..i]);
        out.push_str(if ident(before) || ident(after) { word } else { with });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// wecom-sdk's own compile time in seconds (debug, in the workspace at `root`), from
/// `cargo build --timings`.
fn compile_time(root: &Path, features: &[&str]) -> Result<f64, Error> {
    run(root, "cargo", &["clean", "-p", "wecom-sdk"])?;
    let mut args = vec!["build", "-p", "wecom-sdk", "--timings"];
    args.extend(features);
    run(root, "cargo", &args)?;
    let html = root.join("target/cargo-timings/cargo-timing.html");
    let text = fs::read_to_string(&html).map_err(io(&html))?;
    let start = text
        .find("const UNIT_DATA = ")
        .ok_or_else(|| Error::Bench("no unit data in the timings report".into()))?
        + "const UNIT_DATA = ".len();
    let end = start + text[start..].find("];").unwrap_or(0) + 1;
    let units: serde_json::Value =
        serde_json::from_str(&text[start..end]).map_err(|e| Error::Bench(e.to_string()))?;
    units
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["name"] == "wecom-sdk")
        .and_then(|u| u["duration"].as_f64())
        .ok_or_else(|| Error::Bench("wecom-sdk is not in the timings report".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_copies_rename_types_only_as_whole_words() {
        assert_eq!(
            replace_word("type: Member, MemberStatus, list<Member>", "Member", "MemberC1"),
            "type: MemberC1, MemberStatus, list<MemberC1>"
        );
        assert_eq!(
            defined_types("types:\n  Member:\n    fields:\n  Gender:\nendpoints:\n  get:\n"),
            ["Member", "Gender"]
        );
    }
}
