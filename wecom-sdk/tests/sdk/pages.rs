//! Page streams end: on an empty cursor, on a short page, and, when a server hands back a
//! cursor already followed, with a typed error instead of a loop.

use futures_util::{StreamExt, TryStreamExt};
use wecom_sdk::Error;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer};

use crate::support::{client, json, server_with_token};

const ROUTE: &str = "/cgi-bin/externalcontact/batch/get_by_user";

fn page(cursor: &str) -> String {
    format!(
        r#"{{"errcode":0,"errmsg":"ok","external_contact_list":[{{"external_contact":{{"external_userid":"wm1","name":"n","type":1}},"follow_info":{{"userid":"zhangsan"}}}}],"next_cursor":"{cursor}"}}"#
    )
}

async fn server_repeating(cursor: &str) -> MockServer {
    let server = server_with_token(1).await;
    Mock::given(path(ROUTE))
        .respond_with(json(&page(cursor)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_cursor_handed_back_twice_ends_the_stream_with_an_error() {
    let server = server_repeating("SAME").await;
    let client = client(&server);
    let mut stream = client.external_contact().batch_get_by_user(["zhangsan"]).stream();
    let mut items = 0;
    let mut error = None;
    while let Some(next) = stream.next().await {
        match next {
            Ok(_) => items += 1,
            Err(e) => error = Some(e),
        }
    }
    // The first page, the page at SAME (which hands back SAME again): two pages, then the error.
    assert_eq!(items, 2);
    match error {
        Some(Error::RepeatedCursor { endpoint, cursor }) => {
            assert_eq!(endpoint, "external_contact.batch_get_by_user");
            assert_eq!(cursor, "SAME");
        }
        other => panic!("expected RepeatedCursor, got {other:?}"),
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.iter().filter(|r| r.url.path() == ROUTE).count(), 2);
}

#[tokio::test]
async fn an_empty_cursor_ends_the_stream() {
    let server = server_repeating("").await;
    let client = client(&server);
    let all: Vec<_> = client
        .external_contact()
        .batch_get_by_user(["zhangsan"])
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}
