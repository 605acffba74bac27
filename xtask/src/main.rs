use std::process::ExitCode;

use std::path::PathBuf;

const USAGE: &str = "usage: cargo xtask gen [--check] [--root DIR]

  gen            regenerate everything derived from spec/ (SDK sources, tests, features)
  gen --check    change nothing; fail naming every stale or orphaned file
  --root DIR     the workspace to work on (default: this one)";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut root = xtask::workspace_root();
    if let Some(i) = args.iter().position(|a| a == "--root") {
        let Some(dir) = args.get(i + 1).cloned() else {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        };
        root = PathBuf::from(dir);
        args.drain(i..i + 2);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["gen"] => generate(&root, false),
        ["gen", "--check"] | ["gen", "-c"] => generate(&root, true),
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

fn generate(root: &std::path::Path, check: bool) -> ExitCode {
    let changes = match xtask::plan(root) {
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
