//! `cargo xtask bench`: every figure of docs/PERFORMANCE.md in one run on this machine.
//!
//! 1. throughput of the SDK beside a raw `reqwest` loop and wechatpy (`wecom-bench`, release);
//! 2. decoding 10,000 members typed and as `serde_json::Value`, with peak memory, and the
//!    SDK's encoding and decoding beside plain serde (criterion, `wecom-bench`'s `codec`);
//! 3. the token path (from the throughput run);
//! 4. `cargo xtask gen` time for the spec and a synthetic spec ten times larger;
//! 5. wecom-sdk's own compile time, debug, with `full` and with one group (`cargo build --timings`).
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

    // 4: codegen.
    report.push_str("\n## Code generation\n\n");
    let spec = root.join("spec");
    let (once, original) = time_generate(&spec, 5)?;
    let synthetic = dir.join("spec-x10");
    synthesize(&spec, &synthetic, 10)?;
    let (tenfold, endpoints) = time_generate(&synthetic, 3)?;
    let _ = writeln!(
        report,
        "- `spec/` ({} endpoints): {} (median of 5)\n- synthetic spec, ten copies of every group ({endpoints} endpoints): {} (median of 3), {:.1}× the time for {:.0}× the endpoints",
        original,
        human(once),
        human(tenfold),
        tenfold.as_secs_f64() / once.as_secs_f64(),
        endpoints as f64 / original as f64
    );

    // 5: compile cost.
    report.push_str("\n## Compile cost of wecom-sdk (debug, its own unit)\n\n");
    let full = compile_time(root, &[])?;
    let one = compile_time(root, &["--no-default-features", "--features", "user,default-tls"])?;
    let _ = writeln!(
        report,
        "- `full` (default features): {full:.1} s\n- one group (`user`): {one:.1} s"
    );

    let path = dir.join("report.md");
    fs::write(&path, &report).map_err(io(&path))?;
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
/// runs it), and the number of endpoints generated.
fn time_generate(spec: &Path, runs: usize) -> Result<(Duration, usize), Error> {
    let mut times = Vec::new();
    let mut endpoints = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let generated = codegen::generate(spec)?;
        times.push(started.elapsed());
        endpoints = generated.api.groups.iter().map(|g| g.endpoints.len()).sum();
    }
    times.sort();
    Ok((times[times.len() / 2], endpoints))
}

/// Writes `copies` renamed copies of every group of `spec` into `out` (shared types and the
/// error table once).
fn synthesize(spec: &Path, out: &Path, copies: usize) -> Result<(), Error> {
    let _ = fs::remove_dir_all(out);
    fs::create_dir_all(out).map_err(io(out))?;
    let mut files: Vec<PathBuf> = fs::read_dir(spec)
        .map_err(io(spec))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = fs::read_to_string(&path).map_err(io(&path))?;
        if stem == "shared" || stem == "errcodes" {
            fs::write(out.join(format!("{stem}.yaml")), &text).map_err(io(out))?;
            continue;
        }
        let types = defined_types(&text);
        for k in 0..copies {
            let mut copy = text.replace(&format!("group: {stem}\n"), &format!("group: {stem}_c{k}\n"));
            copy = copy.replace("    path: /cgi-bin/", &format!("    path: /cgi-bin/c{k}/"));
            for name in &types {
                copy = replace_word(&copy, name, &format!("{name}C{k}"));
            }
            let target = out.join(format!("{stem}_c{k}.yaml"));
            fs::write(&target, copy).map_err(io(&target))?;
        }
    }
    Ok(())
}

/// The names declared under `types:` (two-space indented PascalCase keys).
fn defined_types(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.strip_suffix(':'))
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

/// wecom-sdk's own compile time in seconds (debug), from `cargo build --timings`.
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
