//! What a caller sees when a call fails: one typed error naming the endpoint, never a panic,
//! never a secret.

use std::time::Duration;

use wecom_sdk::{Client, Error, message};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{CORP_ID, SECRET, TOKEN, client, json, server_with_token};

async fn answering(status: u16, body: &str, content_type: &str) -> MockServer {
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/user/get"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.as_bytes().to_vec(), content_type))
        .mount(&server)
        .await;
    server
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET), "the secret leaked: {text}");
    assert!(!text.contains(TOKEN), "the access token leaked: {text}");
}

#[tokio::test]
async fn an_api_error_carries_code_message_endpoint_and_doc_link() {
    let server = answering(
        200,
        r#"{"errcode":60111,"errmsg":"userid not found, hint: [1684833894235730688668522], from ip: 11.177.150.119, more info at https://open.work.weixin.qq.com/devtool/query?e=60111"}"#,
        "application/json",
    )
    .await;
    let err = client(&server).user().get("nobody").await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(
        (api.code, api.endpoint, api.brief()),
        (60111, "user.get", "userid not found")
    );
    assert_eq!(api.hint(), Some("1684833894235730688668522"));
    let shown = err.to_string();
    assert!(
        shown.contains("user.get") && shown.contains("60111") && shown.contains("userid not found"),
        "{shown}"
    );
    assert!(
        shown.contains("https://developer.work.weixin.qq.com/document/path/90196"),
        "{shown}"
    );
    assert_no_secret(&shown);
    assert_no_secret(&format!("{err:?}"));
}

#[tokio::test]
async fn an_error_answer_keeps_its_business_fields() {
    let server = server_with_token(1).await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/send"))
        .respond_with(json(
            r#"{"errcode":81013,"errmsg":"user & party & tag all invalid, hint: [1684833894235730688668522], from ip: 11.177.150.119, more info at https://open.work.weixin.qq.com/devtool/query?e=81013","invaliduser":"YinAnPing"}"#,
        ))
        .mount(&server)
        .await;
    let text = message::Message::Text(message::TextContent::new("hello"));
    let err = client(&server)
        .message()
        .send(1000002, text)
        .touser(["YinAnPing"])
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    let partial: message::MessageSendResponse =
        api.decode_body().expect("the body decodes as the typed response");
    assert_eq!(partial.invaliduser, vec!["YinAnPing"]);
}

#[tokio::test]
async fn an_http_failure_names_the_status_and_quotes_the_body() {
    let server = answering(502, "<html>Bad Gateway</html>", "text/html").await;
    let err = client(&server).user().get("zhangsan").await.unwrap_err();
    match &err {
        Error::Http {
            endpoint,
            status,
            excerpt,
        } => {
            assert_eq!((*endpoint, *status), ("user.get", 502));
            assert!(excerpt.contains("Bad Gateway"), "{excerpt}");
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    assert_no_secret(&err.to_string());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_decode_error() {
    let server = answering(200, "<html>captive portal</html>", "text/html").await;
    let err = client(&server).user().get("zhangsan").await.unwrap_err();
    let Error::Decode {
        endpoint, excerpt, ..
    } = &err
    else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(*endpoint, "user.get");
    assert!(excerpt.contains("captive portal"), "{excerpt}");
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_says_where() {
    let server = answering(
        200,
        r#"{"errcode":0,"errmsg":"ok","userid":"zhangsan","department":{"not":"a list"}}"#,
        "application/json",
    )
    .await;
    let err = client(&server).user().get("zhangsan").await.unwrap_err();
    let Error::Decode {
        endpoint, message, ..
    } = &err
    else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(*endpoint, "user.get");
    assert!(message.contains("department"), "{message}");
}

#[tokio::test]
async fn a_truncated_body_is_a_decode_error() {
    let server = answering(
        200,
        r#"{"errcode":0,"errmsg":"ok","userid":"zhan"#,
        "application/json",
    )
    .await;
    let err = client(&server).user().get("zhangsan").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Decode {
                endpoint: "user.get",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/user/get"))
        .respond_with(json(r#"{"errcode":0}"#).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = Client::builder(CORP_ID, SECRET)
        .base_url(server.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.user().get("zhangsan").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                endpoint: "user.get",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("200ms"), "{err}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error_without_the_token() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder(CORP_ID, SECRET)
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = client.user().get("zhangsan").await.unwrap_err();
    let Error::Credential {
        endpoint: "user.get",
        source,
        ..
    } = &err
    else {
        panic!("expected a credential error for user.get, got {err:?}")
    };
    assert!(
        matches!(
            source.as_ref(),
            Error::Transport {
                endpoint: "token.get_token",
                ..
            }
        ),
        "{err:?}"
    );
    // The message names the root cause, not only reqwest's outermost words.
    let text = err.to_string();
    assert!(
        text.contains("could not reach WeCom") && text.to_lowercase().contains("connection refused"),
        "{text}"
    );
    let chain = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
    assert_no_secret(&chain);
    assert!(
        !chain.contains("corpsecret"),
        "the URL with the secret leaked: {chain}"
    );
}

#[tokio::test]
async fn a_token_answer_that_does_not_decode_is_not_quoted() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/gettoken"))
        .respond_with(json(&format!(
            r#"{{"errcode":0,"access_token":"{TOKEN}","expires_in":"soon"}}"#
        )))
        .mount(&server)
        .await;
    let err = client(&server).user().get("zhangsan").await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Credential { endpoint: "user.get", source, .. }
                if matches!(source.as_ref(), Error::Decode { endpoint: "token.get_token", .. })
        ),
        "{err:?}"
    );
    assert_no_secret(&format!("{err} {err:?}"));
}

#[tokio::test]
async fn requests_and_responses_print_no_credentials() {
    let request = wecom_sdk::token::TokenGetTokenRequest::new(CORP_ID, SECRET);
    assert_no_secret(&format!("{request:?}"));
    let reply: wecom_sdk::token::TokenGetTokenResponse =
        serde_json::from_str(&format!(r#"{{"access_token":"{TOKEN}","expires_in":7200}}"#)).unwrap();
    assert_no_secret(&format!("{reply:?}"));
    let client = Client::new(CORP_ID, SECRET).unwrap();
    assert_no_secret(&format!("{client:?}"));
}
