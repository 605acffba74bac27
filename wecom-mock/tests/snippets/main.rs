//! Every "Rust" snippet of the reference docs (`docs/api/*.md`) compiles, as printed, and runs
//! against the mock: none is refused locally, none fails to decode. The snippets are generated
//! into `generated.rs` by `cargo xtask gen` from the same code that prints them in the docs.

#[rustfmt::skip]
mod generated;

use wecom_mock::{Fixture, MockServer};
use wecom_sdk::Error;
use wecom_sdk::registry::{self, Placement};

#[tokio::test]
async fn every_snippet_of_the_docs_runs_against_the_mock() {
    let mock = MockServer::builder()
        .provider("ww-provider", "provider-secret")
        .suite("ww-suite", "suite-secret")
        .start()
        .await
        .unwrap();
    let client = mock.client();
    client.set_suite_ticket("ticket");
    // Snippets upload the files their examples name and save downloads beside them.
    let dir = tempfile::tempdir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();

    let (mut ran, mut refused_by_wecom) = (0, Vec::new());
    for op in registry::operations() {
        for param in op.params().iter().filter(|p| p.placement() == Placement::File) {
            let example: serde_json::Value =
                serde_json::from_str(op.example_request.unwrap_or("{}")).unwrap();
            if let Some(name) = example.get(param.name()).and_then(|v| v.as_str()) {
                std::fs::write(name, b"contents of a snippet's upload").unwrap();
            }
        }
        mock.load_fixture(Fixture::for_example(op.meta));
        let Some(outcome) = generated::run(op.meta.id, &client).await else {
            panic!("{}: no snippet", op.meta.id)
        };
        match outcome {
            Ok(()) => {}
            Err(error) => match error.downcast_ref::<Error>() {
                // The mock's answer to what the example names (a credential it does not know, a
                // file it does not keep): the snippet itself went out as written.
                Some(Error::Api(api)) => refused_by_wecom.push(format!("{}: {}", op.meta.id, api.code)),
                _ => panic!("{}: the snippet of the docs fails: {error}", op.meta.id),
            },
        }
        ran += 1;
    }
    assert!(ran >= 300, "{ran} snippets");
    // Only the credential fetches (their examples carry made-up secrets) and the downloads
    // (their examples name files the mock never received) are answered with an error.
    for refusal in &refused_by_wecom {
        let id = refusal.split(':').next().unwrap_or_default();
        let op = registry::operations().iter().find(|o| o.meta.id == id).unwrap();
        let fetch = wecom_sdk::Credential::ALL
            .iter()
            .any(|k| k.def().fetch.path == op.meta.path);
        assert!(fetch || op.is_download(), "refused: {refusal}");
    }
}
