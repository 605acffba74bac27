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
    /// Push each change of the address book, encrypted, to this callback URL (as WeCom's
    /// 通讯录变更回调 does); needs --callback-token and --callback-aes-key.
    #[arg(long, env = "WECOM_CALLBACK_URL", requires_all = ["callback_token", "callback_aes_key"])]
    callback_url: Option<String>,
    /// The Token configured beside the callback URL.
    #[arg(long, env = "WECOM_CALLBACK_TOKEN", hide_env_values = true)]
    callback_token: Option<String>,
    /// The EncodingAESKey configured beside the callback URL (43 characters).
    #[arg(long, env = "WECOM_CALLBACK_AES_KEY", hide_env_values = true)]
    callback_aes_key: Option<String>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut builder = wecom_mock::MockServer::builder()
        .corp(args.corp_id, args.secret)
        .port(args.port)
        .fixture(args.fixture);
    if let (Some(url), Some(token), Some(key)) =
        (&args.callback_url, args.callback_token, args.callback_aes_key)
    {
        builder = builder.callbacks(url, token, key);
    }
    let mock = builder.start().await?;
    println!("wecom mock listening on {}", mock.base_url());
    if let Some(url) = &args.callback_url {
        println!("pushing address-book changes to {url}");
    }
    mock.run_until_interrupted().await
}
