//! `wecom-mock`: the mock WeCom server as a process.

use clap::Parser;

/// A local WeCom server generated from the wecom-rs spec.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080, env = "WECOM_MOCK_PORT")]
    port: u16,
    /// The corp id `gettoken` accepts.
    #[arg(long, default_value = "ww-mock-corp", env = "WECOM_CORP_ID")]
    corp_id: String,
    /// The secret `gettoken` accepts.
    #[arg(
        long,
        default_value = "mock-secret",
        env = "WECOM_SECRET",
        hide_env_values = true
    )]
    secret: String,
    /// The address book to start from: empty, departments or full (what the docs' examples name).
    #[arg(long, default_value = "empty")]
    fixture: wecom_mock::Fixture,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mock = wecom_mock::MockServer::builder()
        .corp(args.corp_id, args.secret)
        .port(args.port)
        .fixture(args.fixture)
        .start()
        .await?;
    println!("wecom mock listening on {}", mock.base_url());
    mock.run_until_interrupted().await
}
