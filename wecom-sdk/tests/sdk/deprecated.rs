//! Names only an older revision of the docs (or wechatpy) uses: the typed API still sends them,
//! as given, beside or in place of their replacements; a deprecated endpoint still answers.

#![allow(deprecated)]

use serde_json::Value;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer};

use crate::support::{client, json, server_with_token};

async fn answering(route: &str, body: &str) -> MockServer {
    let server = server_with_token(1).await;
    Mock::given(path(route))
        .respond_with(json(body))
        .mount(&server)
        .await;
    server
}

async fn last_request(server: &MockServer, route: &str) -> wiremock::Request {
    let received = server.received_requests().await.expect("recording is on");
    received
        .into_iter()
        .filter(|r| r.url.path() == route)
        .last()
        .expect("the request reached the server")
}

#[tokio::test]
async fn a_deprecated_query_parameter_is_sent_as_given() {
    let server = answering(
        "/cgi-bin/user/list",
        r#"{"errcode":0,"errmsg":"ok","userlist":[]}"#,
    )
    .await;
    let client = client(&server);
    client.user().list(1).fetch_child(true).status(0).await.unwrap();
    let sent = last_request(&server, "/cgi-bin/user/list").await;
    let query: Vec<(String, String)> = sent
        .url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert!(query.contains(&("fetch_child".into(), "1".into())), "{query:?}");
    assert!(query.contains(&("status".into(), "0".into())), "{query:?}");
    assert!(query.contains(&("department_id".into(), "1".into())), "{query:?}");
}

#[tokio::test]
async fn a_stand_in_is_sent_in_place_of_the_name_it_replaces() {
    let route = "/cgi-bin/externalcontact/batch/get_by_user";
    let server = answering(route, r#"{"errcode":0,"errmsg":"ok","external_contact_list":[]}"#).await;
    let client = client(&server);
    // The typed way: the current name.
    client
        .external_contact()
        .batch_get_by_user(["zhangsan"])
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&last_request(&server, route).await.body).unwrap();
    assert_eq!(body["userid_list"], serde_json::json!(["zhangsan"]));
    assert!(body.get("userid").is_none(), "{body}");

    // wechatpy's way: the older single `userid`, instead of the list.
    let mut request =
        wecom_sdk::external_contact::ExternalContactBatchGetByUserRequest::new(Vec::<String>::new());
    request.userid_list = None;
    request.userid = Some("zhangsan".into());
    client.execute(&request).await.unwrap();
    let body: Value = serde_json::from_slice(&last_request(&server, route).await.body).unwrap();
    assert_eq!(body, serde_json::json!({"userid": "zhangsan"}));

    // Both, or neither, is refused before it leaves.
    let both = client
        .external_contact()
        .batch_get_by_user(["zhangsan"])
        .userid("lisi")
        .await
        .unwrap_err();
    assert!(both.to_string().contains("userid"), "{both}");
    let mut neither =
        wecom_sdk::external_contact::ExternalContactBatchGetByUserRequest::new(Vec::<String>::new());
    neither.userid_list = None;
    let err = client.execute(&neither).await.unwrap_err();
    assert!(matches!(err, wecom_sdk::Error::InvalidRequest { .. }), "{err:?}");
}

#[tokio::test]
async fn a_deprecated_endpoint_still_answers() {
    let route = "/cgi-bin/user/getuserinfo";
    let server = answering(
        route,
        r#"{"errcode":0,"errmsg":"ok","UserId":"zhangsan","DeviceId":"d1"}"#,
    )
    .await;
    let client = client(&server);
    let who = client.oauth().legacy_get_user_info("CODE").await.unwrap();
    assert_eq!(who.user_id.as_deref(), Some("zhangsan"));
    assert_eq!(who.device_id.as_deref(), Some("d1"));
}
