//! `callback::CallbackService` over real HTTP on 127.0.0.1: served by axum (and once by plain
//! hyper), called with reqwest the way WeCom calls a callback URL, with Tencent's sample
//! configuration and vectors. The Redis test runs against the server at `WECOM_TEST_REDIS_URL`,
//! else a private `redis-server` it starts; without either it fails and says what to install,
//! unless `WECOM_TEST_REDIS=skip`, when it prints that it was skipped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wecom_sdk::Client;
use wecom_sdk::callback::{
    CallbackService, Crypto, Dedup, DedupError, PassiveReply, Received, ReplayGuard, parse_tree,
    parse_xml_tree,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

// Tencent's sample configuration and vectors (the 加解密方案说明 page and the WXBizMsgCrypt
// samples), as in `src/callback/tests.rs`.
const TOKEN: &str = "QDG6eK";
const ENCODING_AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const CORP_ID: &str = "wx5823bf96d3bd56c7";
const URL_SIGNATURE: &str = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3";
const URL_TIMESTAMP: &str = "1409659589";
const URL_NONCE: &str = "263014780";
const URL_ECHOSTR: &str =
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
const URL_ECHO: &str = "1616140317555161061";
const POST_SIGNATURE: &str = "477715d11cdb4164915debcba66cb864d751f3e6";
const POST_TIMESTAMP: &str = "1409659813";
const POST_NONCE: &str = "1372623149";
const POST_ENCRYPT: &str = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

const SUITE_ID: &str = "ww4asffe9xxx4c0f4c";

fn crypto(receive_id: &str) -> Crypto {
    Crypto::new(TOKEN, ENCODING_AES_KEY, receive_id).unwrap()
}

/// Serves `service` with axum on a free port of 127.0.0.1; the callback URL.
async fn serve(service: CallbackService) -> String {
    let app = axum::Router::new().route_service("/callback", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/callback")
}

/// A POST as WeCom sends it: the query and the body.
#[derive(Clone)]
struct Push {
    signature: String,
    timestamp: String,
    nonce: String,
    body: String,
}

/// Encrypts and signs `plaintext` as WeCom would, in an XML envelope to `to` (and `agent`).
fn push(crypto: &Crypto, plaintext: &str, to: &str, agent: Option<&str>) -> Push {
    let sealed = crypto.reply(plaintext).seal().unwrap();
    let agent = agent.map_or(String::new(), |a| format!("<AgentID><![CDATA[{a}]]></AgentID>"));
    Push {
        signature: sealed.msg_signature().to_string(),
        timestamp: sealed.timestamp().to_string(),
        nonce: sealed.nonce().to_string(),
        body: format!(
            "<xml><ToUserName><![CDATA[{to}]]></ToUserName>{agent}<Encrypt><![CDATA[{}]]></Encrypt></xml>",
            sealed.encrypt()
        ),
    }
}

/// The official sample POST (sReqData of Sample.cs).
fn official_push() -> Push {
    Push {
        signature: POST_SIGNATURE.into(),
        timestamp: POST_TIMESTAMP.into(),
        nonce: POST_NONCE.into(),
        body: format!(
            "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[{POST_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
        ),
    }
}

/// `url` with the query `pairs`, URL-encoded (`+`, `/` and `=` escaped, as WeCom sends them).
fn with_query(url: &str, pairs: &[(&str, &str)]) -> reqwest::Url {
    let mut url = reqwest::Url::parse(url).unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    url
}

fn push_url(url: &str, push: &Push) -> reqwest::Url {
    with_query(
        url,
        &[
            ("msg_signature", &push.signature),
            ("timestamp", &push.timestamp),
            ("nonce", &push.nonce),
        ],
    )
}

async fn post(url: &str, push: &Push) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .post(push_url(url, push))
        .body(push.body.clone())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The plaintext of an XML passive reply, after checking its signature.
fn open_xml_reply(crypto: &Crypto, body: &str) -> serde_json::Map<String, Value> {
    let envelope = parse_xml_tree(body.as_bytes()).unwrap();
    let text = |name: &str| envelope[name].as_str().unwrap().to_string();
    let plaintext = crypto
        .decrypt(
            &text("MsgSignature"),
            &text("TimeStamp"),
            &text("Nonce"),
            &text("Encrypt"),
        )
        .unwrap();
    parse_tree(&plaintext).unwrap()
}

/// A handler that counts its calls and keeps what it received.
#[derive(Clone, Default)]
struct Recorder {
    calls: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Received>>>,
}

impl Recorder {
    fn handler(&self) -> impl wecom_sdk::callback::Handler {
        let recorder = self.clone();
        move |received: Received| {
            let recorder = recorder.clone();
            async move {
                recorder.calls.fetch_add(1, Ordering::SeqCst);
                recorder.seen.lock().unwrap().push(received);
            }
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

fn contact_change(user: &str, create_time: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
         <CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>\
         <Event><![CDATA[change_contact]]></Event><ChangeType>update_user</ChangeType>\
         <UserID><![CDATA[{user}]]></UserID><Position><![CDATA[engineer]]></Position></xml>"
    )
}

fn text_message(content: &str, msg_id: u64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>\
         <CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>"
    )
}

#[tokio::test]
async fn url_verification_answers_the_decrypted_echo_of_tencents_sample() {
    let url = serve(CallbackService::builder(crypto(CORP_ID)).build()).await;
    let http = reqwest::Client::new();
    // As WeCom sends it: every value URL-encoded.
    let response = http
        .get(with_query(
            &url,
            &[
                ("msg_signature", URL_SIGNATURE),
                ("timestamp", URL_TIMESTAMP),
                ("nonce", URL_NONCE),
                ("echostr", URL_ECHOSTR),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        response.text().await.unwrap(),
        URL_ECHO,
        "the bare echo: no quotes, no newline"
    );
    // With the base64 `+`, `/` and `=` left unescaped, as some proxies pass them on.
    let raw = format!(
        "{url}?msg_signature={URL_SIGNATURE}&timestamp={URL_TIMESTAMP}&nonce={URL_NONCE}&echostr={URL_ECHOSTR}"
    );
    let response = http.get(&raw).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), URL_ECHO);
    // A wrong signature is refused, and nothing is decrypted.
    let response = http
        .get(with_query(
            &url,
            &[
                ("msg_signature", "0000000000000000000000000000000000000000"),
                ("timestamp", URL_TIMESTAMP),
                ("nonce", URL_NONCE),
                ("echostr", URL_ECHOSTR),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.text().await.unwrap(), "-40001 ValidateSignatureError");
    let response = http.get(format!("{url}?timestamp=1")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.text().await.unwrap(),
        "missing query parameter msg_signature"
    );
}

#[tokio::test]
async fn tencents_sample_post_reaches_its_handler_once_and_the_passive_reply_decrypts() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(None));
    let service = CallbackService::builder(crypto(CORP_ID))
        .on_msg_type("text", {
            let (calls, seen) = (calls.clone(), seen.clone());
            move |received: Received| {
                calls.fetch_add(1, Ordering::SeqCst);
                let said = received.text("Content").unwrap_or_default().to_string();
                *seen.lock().unwrap() = Some(received);
                async move { Ok(Some(PassiveReply::text(format!("you said {said}]]> ok")))) }
            }
        })
        .build();
    let url = serve(service).await;
    let (status, body) = post(&url, &official_push()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let received = seen.lock().unwrap().take().unwrap();
    assert_eq!(received.msg_type(), Some("text"));
    assert_eq!(received.text("Content"), Some("hello"));
    assert_eq!(received.from_user_name(), Some("mycreate"));
    assert_eq!(received.to_user_name(), Some(CORP_ID));
    assert_eq!(received.envelope_to_user_name(), Some(CORP_ID));
    assert_eq!(received.envelope_agent_id(), Some("218"));
    assert_eq!(received.agent_id(), Some(218));
    assert_eq!(received.msg_id(), Some("4561255354251345929"));
    assert_eq!(received.create_time(), Some(1409659813));
    assert_eq!(
        (received.timestamp(), received.nonce()),
        (POST_TIMESTAMP, POST_NONCE)
    );
    assert_eq!(received.event_name(), None);

    let reply = open_xml_reply(&crypto(CORP_ID), &body);
    assert_eq!(reply["ToUserName"], "mycreate", "back to the sender");
    assert_eq!(reply["FromUserName"], CORP_ID, "from the corp");
    assert_eq!(reply["MsgType"], "text");
    assert_eq!(reply["Content"], "you said hello]]> ok");
    let created: u64 = reply["CreateTime"].as_str().unwrap().parse().unwrap();
    assert!(created > 1_700_000_000, "created now: {created}");

    // WeCom resending the same request: answered, not handled again.
    let (status, body) = post(&url, &official_push()).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn bad_signatures_garbage_and_oversized_bodies_are_refused_without_secrets() {
    let recorder = Recorder::default();
    let service = CallbackService::builder(crypto(CORP_ID))
        .fallback(recorder.handler())
        .max_body_bytes(4096)
        .build();
    let url = serve(service).await;
    let crypto = crypto(CORP_ID);

    let mut forged = push(&crypto, &text_message("hi", 1), CORP_ID, None);
    forged.signature = "477715d11cdb4164915debcba66cb864d751f3e6".into();
    let (status, body) = post(&url, &forged).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::FORBIDDEN, "-40001 ValidateSignatureError")
    );

    let mut garbage = push(&crypto, &text_message("hi", 2), CORP_ID, None);
    garbage.body = "this is not an envelope".into();
    let (status, body) = post(&url, &garbage).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::BAD_REQUEST, "-40002 ParseXmlError")
    );

    // Signed, but not a ciphertext of whole AES blocks.
    let mut broken = push(&crypto, &text_message("hi", 3), CORP_ID, None);
    broken.signature = crypto.signature(&broken.timestamp, &broken.nonce, "AAAA");
    broken.body = "<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>".into();
    let (status, body) = post(&url, &broken).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::BAD_REQUEST, "-40007 DecryptAESError")
    );

    // For another receive id: decrypts, but is not ours.
    let other = Crypto::new(TOKEN, ENCODING_AES_KEY, "ww-someone-else").unwrap();
    let (status, body) = post(&url, &push(&other, &text_message("hi", 4), CORP_ID, None)).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::BAD_REQUEST, "-40005 ValidateCorpidError")
    );

    let mut huge = push(&crypto, &text_message(&"x".repeat(8000), 5), CORP_ID, None);
    let (status, _) = post(&url, &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Without a Content-Length: a chunked body that grows past the limit.
    huge.body.push_str(&" ".repeat(10));
    let chunks: Vec<Result<String, std::io::Error>> = huge
        .body
        .as_bytes()
        .chunks(1000)
        .map(|c| Ok(String::from_utf8_lossy(c).into_owned()))
        .collect();
    let response = reqwest::Client::new()
        .post(push_url(&url, &huge))
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let response = reqwest::Client::new().put(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET, POST");

    assert_eq!(recorder.calls(), 0, "nothing refused reached a handler");
}

#[tokio::test]
async fn an_event_nobody_handles_is_answered_200_empty() {
    let recorder = Recorder::default();
    let service = CallbackService::builder(crypto(CORP_ID))
        .on_msg_type("text", recorder.handler())
        .build();
    let url = serve(service).await;
    let event = format!(
        "<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>\
         <CreateTime>1409659813</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event>\
         <EventKey><![CDATA[]]></EventKey><AgentID>1000002</AgentID></xml>"
    );
    let (status, body) = post(&url, &push(&crypto(CORP_ID), &event, CORP_ID, Some("1000002"))).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(recorder.calls(), 0);
}

#[tokio::test]
async fn a_retry_is_handled_once_and_two_contact_changes_in_one_second_are_both_handled() {
    let changes = Recorder::default();
    let texts = Recorder::default();
    let service = CallbackService::builder(crypto(CORP_ID))
        .on_change("change_contact", "update_user", changes.handler())
        .on_msg_type("text", texts.handler())
        .build();
    let url = serve(service).await;
    let crypto = crypto(CORP_ID);

    let message = push(&crypto, &text_message("hi", 42), CORP_ID, Some("1000002"));
    assert_eq!(post(&url, &message).await.0, StatusCode::OK);
    assert_eq!(post(&url, &message).await.0, StatusCode::OK);
    // The same message re-encrypted (a new nonce and ciphertext): still the same MsgId.
    let again = push(&crypto, &text_message("hi", 42), CORP_ID, Some("1000002"));
    assert_eq!(post(&url, &again).await.0, StatusCode::OK);
    assert_eq!(texts.calls(), 1);

    // Same FromUserName (`sys`), same CreateTime, two members.
    let zhangsan = push(&crypto, &contact_change("zhangsan", 1700000000), CORP_ID, None);
    let lisi = push(&crypto, &contact_change("lisi", 1700000000), CORP_ID, None);
    assert_eq!(post(&url, &zhangsan).await, (StatusCode::OK, String::new()));
    assert_eq!(post(&url, &lisi).await, (StatusCode::OK, String::new()));
    assert_eq!(post(&url, &zhangsan).await, (StatusCode::OK, String::new()));
    assert_eq!(changes.calls(), 2);
    let users: Vec<String> = changes
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.text("UserID").unwrap().to_string())
        .collect();
    assert_eq!(users, ["zhangsan", "lisi"]);
    assert!(
        changes
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|r| r.agent_id().is_none())
    );
}

#[tokio::test]
async fn a_suite_ticket_is_answered_success_and_stored_through_the_client() {
    let wecom = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/service/get_suite_token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"errcode":0,"errmsg":"ok","suite_access_token":"suite-token-1","expires_in":7200}"#,
            "application/json",
        ))
        .mount(&wecom)
        .await;
    let client = Client::suite_builder(SUITE_ID, "suite-secret")
        .base_url(wecom.uri())
        .build()
        .unwrap();
    assert!(client.suite_access_token().await.is_err(), "no ticket yet");

    let recorder = Recorder::default();
    let service = CallbackService::builder(crypto(SUITE_ID))
        .client(client.clone())
        .on_info_type("suite_ticket", recorder.handler())
        .build();
    let url = serve(service).await;
    let ticket = format!(
        "<xml><SuiteId><![CDATA[{SUITE_ID}]]></SuiteId><InfoType> <![CDATA[suite_ticket]]> </InfoType>\
         <TimeStamp>1403610513</TimeStamp><SuiteTicket><![CDATA[pushed-ticket-1]]></SuiteTicket></xml>"
    );
    let pushed = push(&crypto(SUITE_ID), &ticket, SUITE_ID, None);
    assert_eq!(post(&url, &pushed).await, (StatusCode::OK, "success".to_string()));
    assert_eq!(recorder.calls(), 1);
    // A retry: `success` again, not handled again.
    assert_eq!(post(&url, &pushed).await, (StatusCode::OK, "success".to_string()));
    assert_eq!(recorder.calls(), 1);

    assert_eq!(
        client.suite_access_token().await.unwrap().expose(),
        "suite-token-1"
    );
    let requests = wecom.received_requests().await.unwrap();
    let fetch = requests
        .iter()
        .find(|r| r.url.path() == "/cgi-bin/service/get_suite_token")
        .unwrap();
    let sent: Value = serde_json::from_slice(&fetch.body).unwrap();
    assert_eq!(sent["suite_ticket"], "pushed-ticket-1");
    assert_eq!(sent["suite_id"], SUITE_ID);

    // Any other instruction callback is answered `success` too, handled or not.
    let auth = format!(
        "<xml><SuiteId><![CDATA[{SUITE_ID}]]></SuiteId><InfoType><![CDATA[cancel_auth]]></InfoType>\
         <TimeStamp>1403610513</TimeStamp><AuthCorpId><![CDATA[wxf8b4f85f3a794e77]]></AuthCorpId></xml>"
    );
    let pushed = push(&crypto(SUITE_ID), &auth, SUITE_ID, None);
    assert_eq!(post(&url, &pushed).await, (StatusCode::OK, "success".to_string()));
}

#[tokio::test]
async fn a_slow_handler_is_answered_within_the_budget_and_still_completes() {
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let done_tx = Arc::new(Mutex::new(Some(done_tx)));
    let service = CallbackService::builder(crypto(CORP_ID))
        .answer_within(Duration::from_millis(300))
        .on_msg_type("text", move |_: Received| {
            let done_tx = done_tx.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                if let Some(tx) = done_tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                Ok(Some(PassiveReply::text("too late")))
            }
        })
        .build();
    let url = serve(service).await;
    let started = Instant::now();
    let (status, body) = post(
        &url,
        &push(&crypto(CORP_ID), &text_message("hi", 7), CORP_ID, None),
    )
    .await;
    let took = started.elapsed();
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert!(took < Duration::from_millis(1200), "answered after {took:?}");
    tokio::time::timeout(Duration::from_secs(10), done_rx)
        .await
        .expect("the handler finished in the background")
        .unwrap();
}

#[tokio::test]
async fn a_handler_that_panics_or_fails_is_answered_200_and_the_server_keeps_serving() {
    let survivors = Recorder::default();
    let service = CallbackService::builder(crypto(CORP_ID))
        .on_msg_type("text", |received: Received| async move {
            if received.text("Content") == Some("boom") {
                panic!("the handler blew up");
            }
        })
        .on_msg_type("image", |_: Received| async {
            Err::<(), _>("no such image".into())
        })
        .fallback(survivors.handler())
        .build();
    let url = serve(service).await;
    let crypto = crypto(CORP_ID);
    let (status, body) = post(&url, &push(&crypto, &text_message("boom", 1), CORP_ID, None)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    let image = format!(
        "<xml><ToUserName>{CORP_ID}</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>1</CreateTime>\
         <MsgType>image</MsgType><MediaId>m</MediaId><MsgId>2</MsgId></xml>"
    );
    let (status, body) = post(&url, &push(&crypto, &image, CORP_ID, None)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    // Still serving.
    let (status, _) = post(&url, &push(&crypto, &text_message("fine", 3), CORP_ID, None)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = post(&url, &push(&crypto, &contact_change("wangwu", 5), CORP_ID, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(survivors.calls(), 1);
}

#[tokio::test]
async fn a_robot_json_callback_gets_a_json_passive_reply() {
    // Robots (智能机器人) use the receive id "" and JSON envelopes and documents.
    let robot = crypto("");
    let service = CallbackService::builder(robot.clone())
        .on_msg_type("text", |received: Received| async move {
            let said = received.tree()["text"]["content"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            Ok(Some(PassiveReply::json(
                &json!({"msgtype": "text", "text": {"content": format!("echo {said}")}}),
            )))
        })
        .build();
    let url = serve(service).await;
    let message = json!({
        "msgid": "CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=", "aibotid": "AIBOTID", "chattype": "single",
        "from": {"userid": "zhangsan"}, "msgtype": "text", "text": {"content": "hi"}
    });
    let sealed = robot.reply(&message.to_string()).seal().unwrap();
    let pushed = Push {
        signature: sealed.msg_signature().into(),
        timestamp: sealed.timestamp().to_string(),
        nonce: sealed.nonce().into(),
        body: json!({"encrypt": sealed.encrypt()}).to_string(),
    };
    let (status, body) = post(&url, &pushed).await;
    assert_eq!(status, StatusCode::OK);
    let envelope: Value = serde_json::from_str(&body).unwrap();
    let text = |name: &str| envelope[name].as_str().unwrap().to_string();
    let plaintext = robot
        .decrypt(
            &text("msgsignature"),
            &text("timestamp"),
            &text("nonce"),
            &text("encrypt"),
        )
        .unwrap();
    let reply: Value = serde_json::from_slice(&plaintext).unwrap();
    assert_eq!(reply, json!({"msgtype": "text", "text": {"content": "echo hi"}}));
}

#[tokio::test]
async fn plain_hyper_serves_it_too() {
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;

    let service = CallbackService::builder(crypto(CORP_ID)).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    let response = reqwest::Client::new()
        .get(with_query(
            &format!("http://{addr}/any/path"),
            &[
                ("msg_signature", URL_SIGNATURE),
                ("timestamp", URL_TIMESTAMP),
                ("nonce", URL_NONCE),
                ("echostr", URL_ECHOSTR),
            ],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), URL_ECHO);
}

#[tokio::test]
async fn the_replay_guard_refuses_stale_timestamps_and_answers_a_seen_nonce_as_a_retry() {
    let recorder = Recorder::default();
    let service = CallbackService::builder(crypto(CORP_ID))
        .without_dedup()
        .replay_guard(ReplayGuard::new(Duration::from_secs(300), 1000))
        .fallback(recorder.handler())
        .build();
    let url = serve(service).await;
    let fresh = push(&crypto(CORP_ID), &contact_change("zhangsan", 1), CORP_ID, None);
    assert_eq!(post(&url, &fresh).await, (StatusCode::OK, String::new()));
    assert_eq!(post(&url, &fresh).await, (StatusCode::OK, String::new()));
    assert_eq!(recorder.calls(), 1, "the nonce was seen");
    // Tencent's sample, signed in 2014.
    assert_eq!(
        post(&url, &official_push()).await,
        (StatusCode::FORBIDDEN, "replayed request".to_string())
    );
    assert_eq!(recorder.calls(), 1);
}

/// A dedup backend that is down.
struct Down;

impl Dedup for Down {
    fn first_time<'a>(&'a self, _key: &'a str, _ttl: Duration) -> BoxFuture<'a, Result<bool, DedupError>> {
        Box::pin(async { Err(DedupError("connection refused".into())) })
    }
}

#[tokio::test]
async fn a_dedup_backend_that_fails_does_not_drop_the_event() {
    let recorder = Recorder::default();
    let service = CallbackService::builder(crypto(CORP_ID))
        .dedup(Down)
        .fallback(recorder.handler())
        .build();
    let url = serve(service).await;
    let change = push(&crypto(CORP_ID), &contact_change("zhangsan", 1), CORP_ID, None);
    assert_eq!(post(&url, &change).await.0, StatusCode::OK);
    assert_eq!(post(&url, &change).await.0, StatusCode::OK);
    assert_eq!(recorder.calls(), 2, "handled, even twice, rather than lost");
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything logged while handling a message, a failing handler and a suite ticket, at TRACE
/// level, holds none of the documents' text, the ticket, the token or the key. The runtime is
/// single-threaded, so the test's subscriber sees the server's tasks too.
#[tokio::test(flavor = "current_thread")]
async fn logs_hold_no_document_text_and_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let _guard = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish(),
    );
    let wecom = MockServer::start().await;
    let client = Client::suite_builder(SUITE_ID, "suite-secret")
        .base_url(wecom.uri())
        .build()
        .unwrap();
    let service = CallbackService::builder(crypto(SUITE_ID))
        .client(client)
        .on_msg_type("text", |_: Received| async {
            Err::<(), _>("handler error".into())
        })
        .fallback(|_: Received| async { PassiveReply::text("reply-text-7f3e") })
        .build();
    let url = serve(service).await;
    let crypto = crypto(SUITE_ID);
    let ticket = format!(
        "<xml><SuiteId>{SUITE_ID}</SuiteId><InfoType>suite_ticket</InfoType><TimeStamp>1</TimeStamp>\
         <SuiteTicket>ticket-value-4c1a</SuiteTicket></xml>"
    );
    assert_eq!(
        post(&url, &push(&crypto, &ticket, SUITE_ID, None)).await.1,
        "success"
    );
    let text = text_message("content-text-9b2d", 11).replace(CORP_ID, SUITE_ID);
    assert_eq!(
        post(&url, &push(&crypto, &text, SUITE_ID, None)).await.0,
        StatusCode::OK
    );
    let change = contact_change("member-id-5e6f", 3).replace(CORP_ID, SUITE_ID);
    let (status, body) = post(&url, &push(&crypto, &change, SUITE_ID, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.is_empty(), "an encrypted reply");
    let mut forged = push(&crypto, &change, SUITE_ID, None);
    forged.signature = "0".repeat(40);
    assert_eq!(post(&url, &forged).await.0, StatusCode::FORBIDDEN);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("callback handler failed"), "{logs}");
    assert!(logs.contains("ValidateSignatureError"), "{logs}");
    for secret in [
        "ticket-value-4c1a",
        "content-text-9b2d",
        "member-id-5e6f",
        "reply-text-7f3e",
        TOKEN,
        ENCODING_AES_KEY,
        "suite-secret",
    ] {
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
}

#[cfg(feature = "redis")]
#[path = "common/redis_server.rs"]
mod redis_server;

/// The tests that need Redis (feature `redis`): several instances, one server.
#[cfg(feature = "redis")]
mod fleet {
    use super::redis_server::Redis;
    use super::*;

    #[tokio::test]
    async fn two_instances_sharing_redis_handle_each_callback_once() {
        let Some(redis) = Redis::start() else { return };
        let prefix = format!("wecom-test-{:016x}:", fastrand::u64(..));
        let recorder = Recorder::default();
        let instance = || async {
            let dedup = wecom_sdk::callback::RedisDedup::connect(&redis.url)
                .await
                .expect("Redis is up")
                .with_prefix(prefix.clone());
            serve(
                CallbackService::builder(crypto(CORP_ID))
                    .dedup(dedup)
                    .fallback(recorder.handler())
                    .build(),
            )
            .await
        };
        let (a, b) = (instance().await, instance().await);
        let crypto = crypto(CORP_ID);

        // WeCom's first attempt reached instance a, its retry instance b.
        let message = push(&crypto, &text_message("hi", 9001), CORP_ID, Some("1000002"));
        assert_eq!(post(&a, &message).await.0, StatusCode::OK);
        assert_eq!(post(&b, &message).await.0, StatusCode::OK);
        assert_eq!(recorder.calls(), 1);

        // Two contact changes in one second, each sent to both at once.
        let zhangsan = push(&crypto, &contact_change("zhangsan", 1700000001), CORP_ID, None);
        let lisi = push(&crypto, &contact_change("lisi", 1700000001), CORP_ID, None);
        let answers = futures_util::future::join_all([
            post(&a, &zhangsan),
            post(&b, &zhangsan),
            post(&a, &lisi),
            post(&b, &lisi),
        ])
        .await;
        assert!(answers.iter().all(|(status, _)| *status == StatusCode::OK));
        assert_eq!(recorder.calls(), 3);
    }

    #[tokio::test]
    async fn a_suite_ticket_pushed_to_one_instance_serves_the_whole_fleet() {
        let Some(redis) = Redis::start() else { return };
        let wecom = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/cgi-bin/service/get_suite_token"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"errcode":0,"errmsg":"ok","suite_access_token":"fleet-suite-token","expires_in":7200}"#,
                "application/json",
            ))
            .mount(&wecom)
            .await;
        // A suite id of its own, so that runs sharing a server do not share tickets.
        let suite_id = format!("ww-fleet-{:016x}", fastrand::u64(..));
        let member = || async {
            let store = wecom_sdk::RedisStore::connect(&redis.url)
                .await
                .expect("Redis is up");
            Client::suite_builder(suite_id.clone(), "suite-secret")
                .base_url(wecom.uri())
                .token_store(store)
                .build()
                .unwrap()
        };
        let (receiving, fetching) = (member().await, member().await);
        let url = serve(
            CallbackService::builder(crypto(&suite_id))
                .client(receiving)
                .build(),
        )
        .await;
        let ticket = format!(
            "<xml><SuiteId><![CDATA[{suite_id}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType>\
             <TimeStamp>1403610513</TimeStamp><SuiteTicket><![CDATA[fleet-ticket]]></SuiteTicket></xml>"
        );
        let pushed = push(&crypto(&suite_id), &ticket, &suite_id, None);
        assert_eq!(post(&url, &pushed).await, (StatusCode::OK, "success".to_string()));

        // The other process was never pushed the ticket, and fetches with it.
        assert_eq!(
            fetching.suite_access_token().await.unwrap().expose(),
            "fleet-suite-token"
        );
        let requests = wecom.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1);
        let sent: Value = serde_json::from_slice(&requests[0].body).unwrap();
        assert_eq!(sent["suite_ticket"], "fleet-ticket");
    }
}
