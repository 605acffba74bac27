//! The mock pushes callbacks: each change made through its address book reaches a real
//! `CallbackService` over HTTP on 127.0.0.1, encrypted and signed, as the spec's typed event,
//! in order; refusals, silence and bad settings are recorded, retried or refused, and never
//! fail the API call.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wecom_mock::{MockServer, SentCallback};
use wecom_sdk::callback::{CallbackService, Crypto, Event, Received};
use wecom_sdk::user;

const TOKEN: &str = "mock-callback-token";
/// The EncodingAESKey of WeCom's 加解密方案说明 page.
const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
/// The mock's default corp id: the receive id of its callbacks.
const CORP: &str = "ww-mock-corp";
/// How long a test waits for callbacks before it fails.
const WAIT: Duration = Duration::from_secs(20);

/// A `CallbackService` on 127.0.0.1 that records every `change_contact` event it is handed.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    async fn start(token: &str) -> Receiver {
        let crypto = Crypto::new(token, AES_KEY, CORP).unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let record = {
            let received = Arc::clone(&received);
            move |r: Received| {
                let received = Arc::clone(&received);
                async move { received.lock().unwrap().push(r) }
            }
        };
        let service = CallbackService::builder(crypto)
            .on_event("change_contact", record)
            .build();
        let app = axum::Router::new().route_service("/callback", service);
        let (url, task) = serve(app).await;
        Receiver {
            url: format!("{url}/callback"),
            received,
            task,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Serves `app` on a free port of 127.0.0.1: its origin, and the task.
async fn serve(app: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (origin, task)
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn names(sent: &[SentCallback]) -> Vec<&'static str> {
    sent.iter().map(|s| s.event).collect()
}

#[tokio::test]
async fn every_change_through_the_sdk_arrives_as_its_typed_event_in_order() {
    let receiver = Receiver::start(TOKEN).await;
    let mock = MockServer::builder()
        .callbacks(&receiver.url, TOKEN, AES_KEY)
        .start()
        .await
        .unwrap();
    let client = mock.client();
    let started = now();

    let dept = client.department().create("研发中心", 1).await.unwrap().id;
    client
        .user()
        .create("zhangsan", "张三")
        .department([1, dept])
        .mobile("13800000000")
        .gender(user::Gender::MALE)
        .email("zhangsan@example.com")
        .await
        .unwrap();
    client
        .user()
        .update("zhangsan")
        .position("产品经理")
        .department([dept])
        .await
        .unwrap();
    let tag = client.tag().create("UI").await.unwrap().tagid;
    client.tag().add_users(tag).userlist(["zhangsan"]).await.unwrap();
    client
        .tag()
        .delete_users(tag)
        .userlist(["zhangsan"])
        .await
        .unwrap();
    client.user().delete("zhangsan").await.unwrap();
    client.department().update(dept).name("研发部").await.unwrap();
    client.department().delete(dept).await.unwrap();

    let expected = [
        "create_party",
        "create_user",
        "update_user",
        "update_tag",
        "update_tag",
        "delete_user",
        "update_party",
        "delete_party",
    ];
    let sent = mock.wait_for_callbacks(expected.len(), WAIT).await;
    assert_eq!(names(&sent), expected, "{sent:#?}");
    for s in &sent {
        assert_eq!(s.status, Some(200), "{s:#?}");
        assert_eq!(s.attempts, 1, "{s:#?}");
        assert!(s.answer.is_empty(), "{s:#?}");
    }
    assert_eq!(mock.callback_failures(), 0);

    let received = receiver.received();
    assert_eq!(received.len(), expected.len());
    for r in &received {
        // The envelope names the corp and no app; the document is a contact change from sys.
        assert_eq!(r.envelope_to_user_name(), Some(CORP));
        assert_eq!(r.envelope_agent_id(), Some(""));
        assert_eq!(r.to_user_name(), Some(CORP));
        assert_eq!(r.from_user_name(), Some("sys"));
        assert_eq!(r.msg_type(), Some("event"));
        assert_eq!(r.event_name(), Some("change_contact"));
        assert_eq!(r.agent_id(), None);
        let created = r.create_time().unwrap();
        assert!(
            (started - 5..=now() + 5).contains(&created),
            "CreateTime {created}"
        );
    }
    let events: Vec<Event> = received.iter().map(|r| r.event().unwrap()).collect();

    let Event::CreateParty(e) = &events[0] else {
        panic!("{:?}", events[0])
    };
    assert_eq!(
        (e.id, e.name.as_deref(), e.parent_id),
        (dept, Some("研发中心"), 1)
    );

    let Event::CreateUser(e) = &events[1] else {
        panic!("{:?}", events[1])
    };
    assert_eq!(e.user_id, "zhangsan");
    assert_eq!(e.name.as_deref(), Some("张三"));
    assert_eq!(e.department, [1, dept]);
    assert_eq!(e.mobile.as_deref(), Some("13800000000"));
    assert_eq!(e.gender, Some(user::Gender::MALE));
    assert_eq!(e.email.as_deref(), Some("zhangsan@example.com"));
    assert_eq!(e.status, Some(user::MemberStatus::ACTIVE));
    assert!(e.position.is_none() && e.direct_leader.is_empty());
    // Department as WeCom writes it: ids joined by commas.
    assert_eq!(received[1].text("Department"), Some(format!("1,{dept}").as_str()));

    let Event::UpdateUser(e) = &events[2] else {
        panic!("{:?}", events[2])
    };
    assert_eq!(e.user_id, "zhangsan");
    assert_eq!(e.position.as_deref(), Some("产品经理"));
    assert_eq!(e.department, [dept]);
    // Only what changed.
    assert!(
        e.name.is_none() && e.mobile.is_none() && e.new_user_id.is_none(),
        "{e:?}"
    );

    let Event::UpdateTag(e) = &events[3] else {
        panic!("{:?}", events[3])
    };
    assert_eq!(e.tag_id, tag);
    assert_eq!(e.add_user_items, ["zhangsan"]);
    assert!(e.del_user_items.is_empty() && e.add_party_items.is_empty() && e.del_party_items.is_empty());

    let Event::UpdateTag(e) = &events[4] else {
        panic!("{:?}", events[4])
    };
    assert_eq!(e.tag_id, tag);
    assert_eq!(e.del_user_items, ["zhangsan"]);
    assert!(e.add_user_items.is_empty());

    let Event::DeleteUser(e) = &events[5] else {
        panic!("{:?}", events[5])
    };
    assert_eq!(e.user_id, "zhangsan");

    let Event::UpdateParty(e) = &events[6] else {
        panic!("{:?}", events[6])
    };
    assert_eq!(
        (e.id, e.name.as_deref(), e.parent_id),
        (dept, Some("研发部"), None)
    );

    let Event::DeleteParty(e) = &events[7] else {
        panic!("{:?}", events[7])
    };
    assert_eq!(e.id, dept);

    // What the mock records is what the app decrypted.
    for (s, r) in sent.iter().zip(&received) {
        let tree = wecom_sdk::callback::parse_tree(s.document.as_bytes()).unwrap();
        assert_eq!(&tree, r.tree());
    }
}

#[tokio::test]
async fn a_receiver_with_another_token_answers_403_and_the_call_still_succeeds() {
    let receiver = Receiver::start("another-token").await;
    let mock = MockServer::builder()
        .callbacks(&receiver.url, TOKEN, AES_KEY)
        .start()
        .await
        .unwrap();
    let client = mock.client();
    client
        .user()
        .create("zhangsan", "张三")
        .mobile("13800000000")
        .await
        .unwrap();

    let sent = mock.wait_for_callbacks(1, WAIT).await;
    assert_eq!(names(&sent), ["create_user"]);
    assert_eq!(sent[0].status, Some(403), "{:#?}", sent[0]);
    assert!(sent[0].answer.contains("-40001"), "{:#?}", sent[0]);
    // An answer is final: no resend.
    assert_eq!(sent[0].attempts, 1);
    assert_eq!(mock.callback_failures(), 1);
    assert!(receiver.received().is_empty());
    // The change was made all the same.
    assert_eq!(client.user().get("zhangsan").await.unwrap().name, "张三");

    // The admin route lists the same.
    let listed: serde_json::Value = reqwest::get(format!("{}/__mock/callbacks", mock.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["event"], "create_user");
    assert_eq!(listed[0]["status"], 403);
}

#[tokio::test]
async fn a_callback_without_an_answer_in_time_is_resent_as_is() {
    // The app is slow the first time only.
    let hits = Arc::new(AtomicUsize::new(0));
    let queries = Arc::new(Mutex::new(Vec::<String>::new()));
    let app = {
        let (hits, queries) = (Arc::clone(&hits), Arc::clone(&queries));
        axum::Router::new().route(
            "/callback",
            axum::routing::post(move |uri: axum::http::Uri| {
                let (hits, queries) = (Arc::clone(&hits), Arc::clone(&queries));
                async move {
                    queries
                        .lock()
                        .unwrap()
                        .push(uri.query().unwrap_or("").to_string());
                    if hits.fetch_add(1, Ordering::SeqCst) == 0 {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                    ""
                }
            }),
        )
    };
    let (origin, _task) = serve(app).await;
    let mock = MockServer::builder()
        .callbacks(format!("{origin}/callback"), TOKEN, AES_KEY)
        .callback_timeout(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    mock.client().department().create("研发中心", 1).await.unwrap();

    let sent = mock.wait_for_callbacks(1, WAIT).await;
    assert_eq!(names(&sent), ["create_party"]);
    assert_eq!(sent[0].status, Some(200), "{:#?}", sent[0]);
    assert_eq!(sent[0].attempts, 2);
    assert_eq!(mock.callback_failures(), 0);
    let queries = queries.lock().unwrap().clone();
    assert_eq!(queries.len(), 2);
    assert_eq!(queries[0], queries[1], "a resend is the same request");
    assert!(queries[0].starts_with("msg_signature="), "{}", queries[0]);
}

#[tokio::test]
async fn an_app_that_is_not_there_is_given_up_on_after_the_retries() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mock = MockServer::builder()
        .callbacks(format!("http://127.0.0.1:{port}/callback"), TOKEN, AES_KEY)
        .callback_timeout(Duration::from_millis(500))
        .callback_retries(2)
        .start()
        .await
        .unwrap();
    mock.client().department().create("研发中心", 1).await.unwrap();

    let sent = mock.wait_for_callbacks(1, WAIT).await;
    assert_eq!(names(&sent), ["create_party"]);
    assert_eq!(sent[0].status, None);
    assert_eq!(sent[0].attempts, 3);
    assert!(sent[0].error.is_some());
    assert_eq!(mock.callback_failures(), 1);
}

#[tokio::test]
async fn without_callbacks_nothing_is_pushed() {
    let mock = MockServer::start().await.unwrap();
    mock.client().department().create("研发中心", 1).await.unwrap();
    assert!(
        mock.wait_for_callbacks(1, Duration::from_millis(200))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn settings_that_cannot_work_are_refused_at_start() {
    let refused = |builder: wecom_mock::MockBuilder| async move {
        let error = builder.start().await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{error}");
        error.to_string()
    };
    let url = "http://127.0.0.1:8000/callback";
    let message = refused(MockServer::builder().callbacks(url, TOKEN, "not-a-key-but-a-secret")).await;
    assert!(
        message.contains("EncodingAESKey") && !message.contains("not-a-key-but-a-secret"),
        "{message}"
    );
    refused(MockServer::builder().callbacks("ftp://127.0.0.1/cb", TOKEN, AES_KEY)).await;
    refused(MockServer::builder().callbacks("not a url", TOKEN, AES_KEY)).await;
    refused(MockServer::builder().callbacks(url, "", AES_KEY)).await;

    // Debug of the builder keeps the secrets.
    let shown = format!("{:?}", MockServer::builder().callbacks(url, "tok-1234", AES_KEY));
    assert!(
        shown.contains(url) && !shown.contains("tok-1234") && !shown.contains(AES_KEY),
        "{shown}"
    );
}
