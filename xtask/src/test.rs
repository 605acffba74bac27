//! `cargo xtask test`: the whole test suite, with the Redis fleet tests when a Redis can be had,
//! saying plainly which ran.
//!
//! The Redis tests need a `redis-server` on `PATH` (each test starts its own) or a server at
//! `WECOM_TEST_REDIS_URL`. Without either they are skipped, and the run says so before and after
//! the suite, unless `WECOM_TEST_REDIS=required` (what CI sets): then a missing Redis is an error.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Where the Redis tests get their server.
enum Redis {
    Url(String),
    Server(PathBuf),
    Missing,
}

impl Redis {
    fn find() -> Redis {
        if let Some(url) = std::env::var("WECOM_TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            return Redis::Url(url);
        }
        match on_path("redis-server") {
            Some(path) => Redis::Server(path),
            None => Redis::Missing,
        }
    }

    fn describe(&self) -> String {
        match self {
            Redis::Url(url) => format!("run, against the server at WECOM_TEST_REDIS_URL ({url})"),
            Redis::Server(path) => {
                format!("run, each against a redis-server of its own ({})", path.display())
            }
            Redis::Missing => "SKIPPED: no redis-server on PATH and WECOM_TEST_REDIS_URL is unset \
                               (apt install redis-server, then run this again)"
                .to_string(),
        }
    }
}

/// The first `name` on `PATH` that is a file.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Runs the suite in `root`; `cargo_args` go after `cargo test` (e.g. `--no-fail-fast`).
pub fn run<S: AsRef<OsStr>>(root: &Path, cargo_args: &[S]) -> ExitCode {
    let redis = Redis::find();
    let required = std::env::var("WECOM_TEST_REDIS").as_deref() == Ok("required");
    if required && matches!(redis, Redis::Missing) {
        eprintln!(
            "error: WECOM_TEST_REDIS=required, but there is no redis-server on PATH and \
             WECOM_TEST_REDIS_URL is unset"
        );
        return ExitCode::FAILURE;
    }
    println!("==> Redis fleet tests: {}", redis.describe());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["test", "--workspace", "--features", "wecom-sdk/redis"])
        .args(cargo_args);
    command.env(
        "WECOM_TEST_REDIS",
        match redis {
            Redis::Missing => "skip",
            _ => "required",
        },
    );
    println!("==> cargo test --workspace --features wecom-sdk/redis");
    let status = match command.status() {
        Ok(status) => status,
        Err(e) => {
            eprintln!("error: could not run cargo: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!();
    println!("==> Redis fleet tests: {}", redis.describe());
    if status.success() {
        println!("==> the suite passed");
        ExitCode::SUCCESS
    } else {
        println!("==> the suite failed ({status})");
        ExitCode::FAILURE
    }
}
