//! The README's program, as a user would write it, against the mock: it ends, pages included.

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use wecom_mock::{Fixture, MockServer};
use wecom_sdk::{Error, message};

#[tokio::test]
async fn the_readme_program_runs_to_its_end() {
    let mock = MockServer::builder()
        .fixture(Fixture::Full)
        .start()
        .await
        .unwrap();
    let client = mock.client();
    let program = async {
        let member = client.user().get("zhangsan").await?;
        println!("{} ({:?})", member.name, member.gender);

        let text = message::Message::Text(message::TextContent::new("部署完成"));
        let sent = client
            .message()
            .send(1000002, text)
            .touser(["zhangsan", "lisi"])
            .await?;
        println!(
            "message {:?}, not delivered to {:?}",
            sent.msgid, sent.invaliduser
        );

        let customers: Vec<_> = client
            .external_contact()
            .batch_get_by_user(["zhangsan"])
            .stream()
            .try_collect()
            .await?;
        Ok::<_, Error>(customers.len())
    };
    let customers = tokio::time::timeout(Duration::from_secs(20), program)
        .await
        .expect("the program ends")
        .expect("the program succeeds");
    // The mock's list is the documented page, twice: a first page with a cursor, then the last.
    assert!(customers > 0);
    let pages = mock.requests("/cgi-bin/externalcontact/batch/get_by_user");
    assert_eq!(pages, 2, "two pages, then the end");
}

#[tokio::test]
async fn a_page_stream_reads_in_a_plain_while_let_loop() {
    let mock = MockServer::start().await.unwrap();
    let client = mock.client();
    // No `pin!`: the stream is `Unpin`.
    let mut customers = client.external_contact().batch_get_by_user(["zhangsan"]).stream();
    let mut seen = 0;
    while let Some(customer) = customers.next().await {
        customer.unwrap();
        seen += 1;
    }
    assert!(seen > 0);
    // Asking again from the start sees the same list.
    let again: Vec<_> = client
        .external_contact()
        .batch_get_by_user(["zhangsan"])
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(again.len(), seen);
}
