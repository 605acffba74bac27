//! The access token's life: fetched once for many callers, replaced when it expires, refreshed
//! once when WeCom rejects it, never fetched in a loop when the secret is wrong.

use std::time::Duration;

use wecom_sdk::{Client, Error, ErrorCode};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer};

use crate::support::{CORP_ID, SECRET, TOKEN, client, json, server_with_token};

const MEMBER: &str = r#"{"errcode":0,"errmsg":"ok","userid":"zhangsan","name":"张三","gender":"1"}"#;

async fn mount_member(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/cgi-bin/user/get"))
        .respond_with(json(MEMBER))
        .mount(server)
        .await;
}

async fn count(server: &MockServer, wanted: &str) -> usize {
    let received = server.received_requests().await.expect("recording is on");
    received.iter().filter(|r| r.url.path() == wanted).count()
}

fn token_body(token: &str, expires_in: u64) -> String {
    format!(r#"{{"errcode":0,"errmsg":"ok","access_token":"{token}","expires_in":{expires_in}}}"#)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cold_client_fetches_one_token_for_a_hundred_concurrent_calls() {
    let server = server_with_token(1).await;
    mount_member(&server).await;
    let client = client(&server);
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.user().get("zhangsan").await })
        })
        .collect();
    for call in calls {
        let member = call.await.expect("the task ran").expect("the call succeeded");
        assert_eq!(member.userid, "zhangsan");
    }
    assert_eq!(count(&server, "/cgi-bin/gettoken").await, 1);
    assert_eq!(count(&server, "/cgi-bin/user/get").await, 100);
    server.verify().await;
}

#[tokio::test]
async fn an_expired_token_is_replaced() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .and(query_param("corpid", CORP_ID))
        .and(query_param("corpsecret", SECRET))
        .respond_with(json(&token_body(TOKEN, 1)))
        .mount(&server)
        .await;
    mount_member(&server).await;
    let client = Client::builder(CORP_ID, SECRET)
        .base_url(server.uri())
        .token_refresh_margin(Duration::ZERO)
        .build()
        .unwrap();

    client.user().get("zhangsan").await.unwrap();
    client.user().get("zhangsan").await.unwrap();
    assert_eq!(
        count(&server, "/cgi-bin/gettoken").await,
        1,
        "a live token is reused"
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.user().get("zhangsan").await.unwrap();
    assert_eq!(
        count(&server, "/cgi-bin/gettoken").await,
        2,
        "an expired token is fetched again"
    );
    assert_eq!(count(&server, "/cgi-bin/user/get").await, 3);
}

/// gettoken hands out `stale` first, then `fresh`; the API rejects `stale` with `code`.
async fn rejecting_server(code: i64) -> MockServer {
    rejecting_server_after(code, Duration::ZERO).await
}

/// As [`rejecting_server`], the refusal arriving after `delay` (so many calls are in flight).
async fn rejecting_server_after(code: i64, delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .respond_with(json(&token_body("stale", 7200)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .respond_with(json(&token_body("fresh", 7200)))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/user/get"))
        .and(query_param("access_token", "stale"))
        .respond_with(
            json(&format!(
                r#"{{"errcode":{code},"errmsg":"access_token expired"}}"#
            ))
            .set_delay(delay),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/user/get"))
        .and(query_param("access_token", "fresh"))
        .respond_with(json(MEMBER))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_and_the_call_repeated_once() {
    for code in [42001, 40014, 41001] {
        let server = rejecting_server(code).await;
        let client = client(&server);
        let member = client
            .user()
            .get("zhangsan")
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(member.name, "张三");
        assert_eq!(count(&server, "/cgi-bin/gettoken").await, 2, "{code}");
        assert_eq!(count(&server, "/cgi-bin/user/get").await, 2, "{code}");

        // The fresh token is kept: the next call needs no fetch.
        client.user().get("zhangsan").await.unwrap();
        assert_eq!(count(&server, "/cgi-bin/gettoken").await, 2, "{code}");
    }
}

#[tokio::test]
async fn a_token_rejected_again_after_the_refresh_is_an_error_not_a_loop() {
    let server = server_with_token(2).await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/user/get"))
        .respond_with(json(r#"{"errcode":42001,"errmsg":"access_token expired"}"#))
        .mount(&server)
        .await;
    let err = client(&server).user().get("zhangsan").await.unwrap_err();
    assert_eq!(err.code(), Some(42001));
    assert_eq!(err.endpoint(), Some("user.get"));
    assert_eq!(count(&server, "/cgi-bin/gettoken").await, 2);
    assert_eq!(count(&server, "/cgi-bin/user/get").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_secret_is_reported_at_once_and_never_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .respond_with(json(
            r#"{"errcode":40001,"errmsg":"invalid credential, hint: [1700000000_1_abc], from ip: 1.2.3.4"}"#,
        ))
        .mount(&server)
        .await;
    mount_member(&server).await;
    let client = client(&server);

    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.user().get("zhangsan").await })
        })
        .collect();
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        // The caller learns which of its calls failed, and why: the fetch it needed was refused.
        let Error::Credential {
            endpoint: "user.get",
            credential: "access_token",
            source,
        } = &err
        else {
            panic!("expected a credential error for user.get, got {err:?}")
        };
        let Error::Api(api) = source.as_ref() else {
            panic!("expected WeCom's refusal under it, got {source:?}")
        };
        assert_eq!(err.code(), Some(ErrorCode::INVALID_SECRET));
        assert_eq!(err.api().map(|api| api.code), Some(40001));
        let text = err.to_string();
        assert!(
            text.starts_with("user.get: could not get the `access_token` it needs: token.get_token"),
            "{text}"
        );
        assert_eq!(api.code, 40001);
        assert_eq!(api.endpoint, "token.get_token");
        assert_eq!(api.brief(), "invalid credential");
        assert!(
            api.body.is_none(),
            "gettoken answers are never kept: they may carry a token"
        );
    }
    assert_eq!(
        count(&server, "/cgi-bin/gettoken").await,
        1,
        "concurrent callers share the refused fetch"
    );
    assert_eq!(count(&server, "/cgi-bin/user/get").await, 0);

    // Right after, the refusal answers for itself; a while later a call asks again, once.
    let again = client.user().get("zhangsan").await.unwrap_err();
    assert_eq!(again.code(), Some(40001));
    assert_eq!(count(&server, "/cgi-bin/gettoken").await, 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let later = client.user().get("zhangsan").await.unwrap_err();
    assert_eq!(later.code(), Some(40001));
    assert_eq!(count(&server, "/cgi-bin/gettoken").await, 2);
}

#[tokio::test]
async fn gettoken_gets_the_corp_id_and_secret_and_nothing_else() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .respond_with(json(&token_body(TOKEN, 7200)))
        .expect(1)
        .mount(&server)
        .await;
    let token = client(&server).access_token().await.unwrap();
    assert_eq!(token.expose(), TOKEN);
    let received = server.received_requests().await.unwrap();
    let query: Vec<(String, String)> = received[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert_eq!(
        query,
        vec![
            ("corpid".into(), CORP_ID.into()),
            ("corpsecret".into(), SECRET.into())
        ]
    );
    server.verify().await;
}

#[tokio::test]
async fn calls_await_directly_or_through_send() {
    let server = server_with_token(1).await;
    mount_member(&server).await;
    let client = client(&server);
    let direct = client.user().get("zhangsan").await.unwrap();
    let sent = client.user().get("zhangsan").send().await.unwrap();
    assert_eq!(direct, sent);
    assert_eq!(
        direct.gender,
        Some(wecom_sdk::user::Gender::MALE),
        "gender arrives as the string \"1\""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_cold_calls_share_one_token_fetch() {
    let server = server_with_token(1).await;
    mount_member(&server).await;
    let client = client(&server);
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.user().get("zhangsan").await })
        })
        .collect();
    let mut failed = 0;
    for call in calls {
        failed += usize::from(call.await.unwrap().is_err());
    }
    assert_eq!(failed, 0);
    assert_eq!(count(&server, "/cgi-bin/gettoken").await, 1);
    assert_eq!(count(&server, "/cgi-bin/user/get").await, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_invalidated_under_500_calls_in_flight_is_refreshed_once() {
    let server = rejecting_server_after(42001, Duration::from_millis(500)).await;
    let client = client(&server);
    // Warm the cache with the token that is about to be rejected.
    assert_eq!(client.access_token().await.unwrap().expose(), "stale");
    let calls: Vec<_> = (0..500)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.user().get("zhangsan").await })
        })
        .collect();
    let mut failed = 0;
    for call in calls {
        failed += usize::from(call.await.unwrap().is_err());
    }
    assert_eq!(failed, 0, "every call succeeds after the one refresh");
    assert_eq!(
        count(&server, "/cgi-bin/gettoken").await,
        2,
        "the first fetch and one refresh"
    );
    assert_eq!(
        count(&server, "/cgi-bin/user/get").await,
        1000,
        "each call: once refused, once served"
    );
}
