//! The mock against the SDK: every endpoint of the spec answers its documented example, bad
//! input gets WeCom's errcode, the address book keeps state, tokens and faults behave.

use std::time::Duration;

use serde_json::{Map, Value, json};
use wecom_mock::{Fault, Fixture, MockServer};
use wecom_sdk::registry::{self, Answer, Placement};
use wecom_sdk::{Credential, Error, Method, RetryPolicy, Slot, message, user};

fn mock_client(mock: &MockServer) -> wecom_sdk::Client {
    mock.client()
}

/// What a credential's fetch endpoint takes to succeed against `mock`: the credential it knows.
fn fetch_input(mock: &MockServer, kind: Credential) -> Value {
    let def = kind.def();
    let (id, secret) = mock.credentials().get(def.derived_from.unwrap_or(kind)).unwrap();
    let mut input = Map::new();
    for i in def.inputs {
        let value = match i.slot {
            Slot::Id => id.to_string(),
            Slot::Secret => secret.to_string(),
            _ => "pushed-ticket".to_string(),
        };
        input.insert(i.param.into(), json!(value));
    }
    for (param, value, _) in def.fixed {
        input.insert((*param).into(), json!(value));
    }
    Value::Object(input)
}

async fn full_mock() -> MockServer {
    MockServer::builder()
        .provider("ww-provider", "provider-secret")
        .suite("ww-suite", "suite-secret")
        .start()
        .await
        .unwrap()
}

/// The example request with files made real (the typed request reads a file parameter as a
/// path), in `dir`.
fn example_input(op: &registry::Operation, dir: &std::path::Path) -> Value {
    let mut input: Value = op
        .example_request
        .map(|r| serde_json::from_str(r).unwrap())
        .unwrap_or(json!({}));
    for param in op.params().iter().filter(|p| p.placement() == Placement::File) {
        if let Some(name) = input.get(param.name()).and_then(Value::as_str) {
            let path = dir.join(name);
            std::fs::write(&path, b"contents of a mock upload").unwrap();
            input[param.name()] = json!(path.to_string_lossy());
        }
    }
    input
}

#[tokio::test]
async fn every_endpoint_answers_its_documented_example_through_the_sdk() {
    let mock = full_mock().await;
    let client = mock_client(&mock);
    client.set_suite_ticket("ticket");
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for op in registry::operations() {
        let mut input = example_input(op, dir.path());
        // The credential endpoints' examples carry made-up credentials; the mock checks them.
        if let Some(kind) = Credential::ALL
            .iter()
            .find(|k| k.def().fetch.path == op.meta.path)
        {
            input = fetch_input(&mock, *kind);
        }
        mock.load_fixture(Fixture::for_example(op.meta));
        let result = op.call(&client, input).await;
        if op.is_download() {
            // The documented example names a file the mock does not keep; the documented
            // answer of a download is that error.
            let documented: Value = serde_json::from_str(op.example_response).unwrap();
            match result {
                Err(Error::Api(api)) => assert_eq!(Some(api.code), documented["errcode"].as_i64()),
                other => panic!("{}: expected the documented error, got {other:?}", op.meta.id),
            }
            checked += 1;
            continue;
        }
        match result {
            Ok(Answer::Json(value)) => assert!(value.is_object(), "{}: {value}", op.meta.id),
            Ok(Answer::File(mut file)) => {
                let mut bytes = Vec::new();
                while let Some(chunk) = file.chunk().await.unwrap() {
                    bytes.extend_from_slice(&chunk);
                }
                assert!(!bytes.is_empty(), "{}: an empty file", op.meta.id);
            }
            Ok(other) => panic!("{}: unexpected answer {other:?}", op.meta.id),
            Err(e) => panic!("{}: {e}", op.meta.id),
        }
        checked += 1;
    }
    assert!(checked >= 119, "{checked} endpoints");
}

/// One raw request to the mock, the way any HTTP client would send it.
async fn raw(mock: &MockServer, op: &registry::Operation, token: &str, input: &Map<String, Value>) -> Value {
    let http = reqwest::Client::new();
    let mut url = reqwest::Url::parse(&format!("{}{}", mock.base_url(), op.meta.path)).unwrap();
    let (mut query, mut body) = (Vec::new(), Map::new());
    for (key, value) in input {
        let in_query = op.meta.method == Method::Get
            || op
                .params()
                .iter()
                .any(|p| p.name() == key && p.placement() == Placement::Query);
        if in_query {
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            query.push((key.clone(), text));
        } else {
            body.insert(key.clone(), value.clone());
        }
    }
    {
        let mut pairs = url.query_pairs_mut();
        pairs.append_pair("access_token", token);
        for (k, v) in &query {
            pairs.append_pair(k, v);
        }
    }
    let request = match op.meta.method {
        Method::Get => http.get(url),
        _ => http.post(url).json(&body),
    };
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_missing_required_parameter_gets_errcode_40058() {
    let mock = MockServer::start().await.unwrap();
    let token = mock.client().access_token().await.unwrap();
    let mut checked = 0;
    for op in registry::operations() {
        if op.meta.auth != Some(Credential::DEFAULT) || op.meta.body == wecom_sdk::BodyKind::Multipart {
            continue;
        }
        let Some(required) = op.params().iter().find(|p| p.required()) else {
            continue;
        };
        let mut input: Map<String, Value> = serde_json::from_str(op.example_request.unwrap()).unwrap();
        input.remove(required.name());
        let answer = raw(&mock, op, token.expose(), &input).await;
        assert_eq!(
            answer["errcode"],
            40058,
            "{} without `{}`: {answer}",
            op.meta.id,
            required.name()
        );
        assert!(
            answer["errmsg"].as_str().unwrap().contains(required.name()),
            "{}: {answer}",
            op.meta.id
        );
        checked += 1;
    }
    assert!(checked > 60, "{checked}");
}

#[tokio::test]
async fn limits_and_unknown_parameters_are_refused_by_the_mock() {
    let mock = MockServer::start().await.unwrap();
    let token = mock.client().access_token().await.unwrap();
    let op = registry::find("/cgi-bin/tag/addtagusers").unwrap();
    let users: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
    let too_many = json!({"tagid": 1, "userlist": users});
    let answer = raw(&mock, op, token.expose(), too_many.as_object().unwrap()).await;
    assert_eq!(answer["errcode"], 40058, "{answer}");
    assert!(
        answer["errmsg"].as_str().unwrap().contains("userlist"),
        "{answer}"
    );
    let unknown = json!({"tagid": 1, "userlist": ["a"], "surprise": 1});
    let answer = raw(&mock, op, token.expose(), unknown.as_object().unwrap()).await;
    assert_eq!(answer["errcode"], 40058);
    assert!(
        answer["errmsg"].as_str().unwrap().contains("surprise"),
        "{answer}"
    );
}

#[tokio::test]
async fn what_a_card_type_needs_is_checked_by_the_mock() {
    let mock = MockServer::start().await.unwrap();
    let token = mock.client().access_token().await.unwrap();
    let op = registry::find("/cgi-bin/message/send").unwrap();
    let card = |extra: Value| {
        let mut card = json!({
            "card_type": "button_interaction",
            "main_title": {"title": "审批"},
            "button_list": [{"text": "同意", "key": "agree"}]
        });
        card.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"touser": "@all", "agentid": 1000002, "msgtype": "template_card", "template_card": card})
    };
    let answer = raw(&mock, op, token.expose(), card(json!({})).as_object().unwrap()).await;
    assert_eq!(
        answer["errcode"], 40058,
        "a button card without task_id: {answer}"
    );
    assert!(answer["errmsg"].as_str().unwrap().contains("task_id"), "{answer}");
    let answer = raw(
        &mock,
        op,
        token.expose(),
        card(json!({"task_id": "t1"})).as_object().unwrap(),
    )
    .await;
    assert_eq!(answer["errcode"], 0, "{answer}");
    let news = json!({
        "touser": "zhangsan", "agentid": 1000002, "msgtype": "template_card",
        "template_card": {"card_type": "news_notice", "main_title": {"title": "新闻"},
                          "card_action": {"type": 1, "url": "https://work.weixin.qq.com"}}
    });
    let answer = raw(&mock, op, token.expose(), news.as_object().unwrap()).await;
    assert_eq!(answer["errcode"], 40058, "a news card without an image: {answer}");
    assert!(
        answer["errmsg"].as_str().unwrap().contains("card_image"),
        "{answer}"
    );
}

#[tokio::test]
async fn tokens_are_checked_like_the_real_server() {
    let mock = MockServer::start().await.unwrap();
    let wrong = wecom_sdk::Client::builder("ww-mock-corp", "wrong")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    assert_eq!(wrong.access_token().await.unwrap_err().code(), Some(40001));
    let stranger = wecom_sdk::Client::builder("ww-other", "mock-secret")
        .base_url(mock.base_url())
        .build()
        .unwrap();
    assert_eq!(stranger.access_token().await.unwrap_err().code(), Some(40013));

    let op = registry::find("/cgi-bin/tag/list").unwrap();
    assert_eq!(raw(&mock, op, "", &Map::new()).await["errcode"], 41001);
    assert_eq!(raw(&mock, op, "made-up", &Map::new()).await["errcode"], 40014);
    let client = mock.client();
    let token = client.access_token().await.unwrap();
    let fetched = mock.requests("/cgi-bin/gettoken");
    mock.expire_tokens();
    assert_eq!(
        raw(&mock, op, token.expose(), &Map::new()).await["errcode"],
        42001
    );
    // The SDK refreshes an expired token by itself.
    client.tag().list().await.unwrap();
    assert_eq!(mock.requests("/cgi-bin/gettoken"), fetched + 1, "one refresh");
}

#[tokio::test]
async fn members_departments_and_tags_keep_state() {
    let mock = MockServer::start().await.unwrap();
    let client = mock.client();
    let dept = client.department().create("研发中心", 1).await.unwrap();
    assert_eq!(
        client
            .department()
            .create("研发中心", 1)
            .await
            .unwrap_err()
            .code(),
        Some(60008)
    );
    client
        .user()
        .create("zhangsan", "张三")
        .mobile("13800000000")
        .department([dept.id])
        .gender(user::Gender::MALE)
        .await
        .unwrap();
    assert_eq!(
        client
            .user()
            .create("ZhangSan", "重复")
            .mobile("13800000001")
            .await
            .unwrap_err()
            .code(),
        Some(60102)
    );
    let member = client.user().get("zhangsan").await.unwrap();
    assert_eq!(
        (member.name.as_str(), member.gender),
        ("张三", Some(user::Gender::MALE))
    );
    assert_eq!(member.department, vec![dept.id]);

    client.user().update("zhangsan").position("工程师").await.unwrap();
    let listed = client.user().list(dept.id).await.unwrap();
    assert_eq!(listed.userlist.len(), 1);
    assert_eq!(listed.userlist[0].position.as_deref(), Some("工程师"));

    let tag = client.tag().create("乒乓球协会").await.unwrap();
    let added = client
        .tag()
        .add_users(tag.tagid)
        .userlist(["zhangsan", "nobody"])
        .await
        .unwrap();
    assert_eq!(added.invalidlist, vec!["nobody"]);
    let got = client.tag().get(tag.tagid).await.unwrap();
    assert_eq!(
        got.userlist.iter().map(|m| m.userid.as_str()).collect::<Vec<_>>(),
        ["zhangsan"]
    );

    let sent = client
        .message()
        .send_text(1000002, ["zhangsan", "ghost"], "hi")
        .await
        .unwrap();
    assert_eq!(sent.invaliduser, vec!["ghost"]);
    let refused = client
        .message()
        .send_text(1000002, ["ghost"], "hi")
        .await
        .unwrap_err();
    let Error::Api(api) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(api.code, 81013);
    assert_eq!(
        api.decode_body::<message::MessageSendResponse>()
            .unwrap()
            .invaliduser,
        vec!["ghost"]
    );

    assert_eq!(
        client.department().delete(dept.id).await.unwrap_err().code(),
        Some(60005),
        "it has a member"
    );
    client.user().delete("zhangsan").await.unwrap();
    assert_eq!(
        client.user().get("zhangsan").await.unwrap_err().code(),
        Some(60111)
    );
    client.department().delete(dept.id).await.unwrap();
    assert!(
        client
            .department()
            .list()
            .await
            .unwrap()
            .department
            .iter()
            .all(|d| d.id != dept.id)
    );
    client.tag().delete(tag.tagid).await.unwrap();
    assert!(client.tag().list().await.unwrap().taglist.is_empty());
}

#[tokio::test]
async fn faults_are_injected_on_demand() {
    let mock = MockServer::start().await.unwrap();
    let client = wecom_sdk::Client::builder("ww-mock-corp", "mock-secret")
        .base_url(mock.base_url())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    client.tag().list().await.unwrap();

    mock.inject(Fault::errcode(45009).on("/cgi-bin/tag/list").times(1));
    assert!(matches!(client.tag().list().await, Err(Error::RateLimited(_))));
    client
        .tag()
        .list()
        .await
        .expect("the fault retired after one call");

    mock.inject(
        Fault::delay(Duration::from_secs(1))
            .on("/cgi-bin/tag/list")
            .times(1),
    );
    assert!(matches!(client.tag().list().await, Err(Error::Timeout { .. })));

    mock.inject(Fault::drop_connection().on("/cgi-bin/tag/list").times(1));
    assert!(matches!(
        client.tag().list().await,
        Err(Error::Transport { .. } | Error::Decode { .. })
    ));

    mock.inject(Fault::http(502).times(1));
    assert!(matches!(
        client.tag().list().await,
        Err(Error::Http { status: 502, .. })
    ));

    mock.inject(Fault::errcode(-1).share(0.0));
    client.tag().list().await.expect("a share of 0 hits nothing");
    mock.clear_faults();

    // With the SDK's default policy, a busy answer is retried through.
    let retrying = mock.client();
    mock.inject(Fault::errcode(-1).on("/cgi-bin/tag/list").times(2));
    retrying.tag().list().await.unwrap();
}

#[tokio::test]
async fn uploaded_media_downloads_whole_and_unknown_ids_are_refused() {
    use wecom_sdk::Upload;
    let mock = MockServer::start().await.unwrap();
    let client = mock_client(&mock);
    let contents: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let sent = client
        .media()
        .upload("file", Upload::from_bytes("季度报告.pdf", contents.clone()))
        .await
        .unwrap();
    assert_eq!(
        sent.type_.to_string(),
        "file",
        "the answer names the type uploaded"
    );

    let mut file = client.media().get(sent.media_id.clone()).await.unwrap();
    assert_eq!(file.file_name(), Some("季度报告.pdf"));
    let mut back = Vec::new();
    while let Some(chunk) = file.chunk().await.unwrap() {
        back.extend_from_slice(&chunk);
    }
    assert_eq!(back, contents);

    let image = client
        .media()
        .upload("image", Upload::from_bytes("a.png", vec![7u8; 64]))
        .await
        .unwrap();
    assert_ne!(image.media_id, sent.media_id);
    assert_eq!(image.type_.to_string(), "image");

    match client.media().get("no-such-media").await {
        Err(Error::Api(api)) => assert_eq!(api.code, 40007),
        other => panic!("expected 40007, got {other:?}"),
    }
}

#[tokio::test]
async fn credentials_no_client_could_present_are_refused_at_start() {
    for (corp, secret) in [("", "s"), ("ww1", "")] {
        let started = MockServer::builder().corp(corp, secret).start().await;
        let Err(e) = started else {
            panic!("({corp:?}, {secret:?}) started");
        };
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("access_token"), "{e}");
    }
    let mock = MockServer::builder().corp("ww1", "s").start().await.unwrap();
    assert!(mock.try_client().is_ok());
}
