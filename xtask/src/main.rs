use std::process::ExitCode;

use std::path::PathBuf;

const USAGE: &str = "usage: cargo xtask gen [--check] [--root DIR] [--spec DIR]
       cargo xtask test [CARGO TEST ARGS]
       cargo xtask bench [--quick | --size]

  gen            regenerate everything derived from spec/ (SDK sources, tests, features)
  gen --check    change nothing; fail naming every stale or orphaned file
  --root DIR     the workspace to work on (default: this one)
  --spec DIR     read the spec from DIR instead of ROOT/spec
  test           the whole test suite; the Redis fleet tests too when a redis-server is on PATH
                 (or WECOM_TEST_REDIS_URL is set), and says whether they ran.
                 WECOM_TEST_REDIS=required makes a missing Redis an error (CI sets it)
  bench          every figure of docs/PERFORMANCE.md, measured on this machine
  bench --quick  the same with fewer requests
  bench --size   only the spec's size and compile cost, real and at 800 endpoints";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut root = xtask::workspace_root();
    let mut spec = None;
    for flag in ["--root", "--spec"] {
        if let Some(i) = args.iter().position(|a| a == flag) {
            let Some(dir) = args.get(i + 1).cloned() else {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            };
            match flag {
                "--root" => root = PathBuf::from(dir),
                _ => spec = Some(PathBuf::from(dir)),
            }
            args.drain(i..i + 2);
        }
    }
    let spec = spec.unwrap_or_else(|| root.join("spec"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["test", rest @ ..] => xtask::test::run(&root, rest),
        ["gen"] => generate(&root, &spec, false),
        ["gen", "--check"] | ["gen", "-c"] => generate(&root, &spec, true),
        ["bench", "--size"] => match xtask::bench::size(&root, &root.join("target/bench")) {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        },
        ["bench"] | ["bench", "--quick"] => match xtask::bench::bench(&root, args.len() == 2) {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("{err}");
                ExitCode::FAILURE
            }
        },
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn generate(root: &std::path::Path, spec: &std::path::Path, check: bool) -> ExitCode {
    let changes = match xtask::plan_from(root, spec) {
        Ok(changes) => changes,
        Err(err) => {
            eprint!("{err}");
            if !err.to_string().ends_with('\n') {
                eprintln!();
            }
            return ExitCode::FAILURE;
        }
    };
    let foreign = changes.iter().any(|c| matches!(c, xtask::Change::Foreign { .. }));
    if check {
        if changes.is_empty() {
            println!("generated files are up to date with spec/");
            return ExitCode::SUCCESS;
        }
        for change in &changes {
            eprintln!("{}", change.describe());
        }
        eprintln!("run `cargo xtask gen` to bring them in line with spec/");
        return ExitCode::FAILURE;
    }
    if let Err(err) = xtask::apply(root, &changes) {
        eprintln!("{err}");
        return ExitCode::FAILURE;
    }
    for change in &changes {
        match change {
            xtask::Change::Write { path, .. } => println!("wrote {path}"),
            xtask::Change::Remove { path } => println!("removed {path}"),
            xtask::Change::Foreign { path } => {
                eprintln!("warning: {path} is in a generated folder but not generated; left alone")
            }
        }
    }
    if changes.is_empty() {
        println!("nothing to do: generated files match spec/");
    }
    if foreign {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
