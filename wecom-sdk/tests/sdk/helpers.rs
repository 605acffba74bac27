//! The seed's methods that are more than one HTTP call: JS-SDK tickets and signatures, the OAuth
//! link, message shortcuts, the member map, media links, uploads and downloads, page streams,
//! and the third-party credentials, each against a local server.

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use wecom_sdk::{Client, Credential, Error, Upload, media};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{CORP_ID, TOKEN, client, json, server_for, server_with_token, test_values};

async fn requests(server: &MockServer, wanted: &str) -> Vec<wiremock::Request> {
    let all = server.received_requests().await.expect("recording is on");
    all.into_iter().filter(|r| r.url.path() == wanted).collect()
}

#[tokio::test]
async fn jsapi_tickets_are_cached_and_signatures_check_out() {
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/get_jsapi_ticket"))
        .respond_with(json(
            r#"{"errcode":0,"errmsg":"ok","ticket":"corp-ticket","expires_in":7200}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/ticket/get"))
        .and(query_param("type", "agent_config"))
        .respond_with(json(
            r#"{"errcode":0,"errmsg":"ok","ticket":"agent-ticket","expires_in":7200}"#,
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    assert_eq!(client.jsapi().ticket().await.unwrap().expose(), "corp-ticket");
    assert_eq!(client.jsapi().ticket().await.unwrap().expose(), "corp-ticket");
    let signed = client
        .jsapi()
        .sign("https://app.example/page?x=1#top")
        .await
        .unwrap();
    assert_eq!(signed.url, "https://app.example/page?x=1");
    assert_eq!(
        signed.signature,
        wecom_sdk::jsapi_signature("corp-ticket", &signed.noncestr, signed.timestamp, &signed.url)
    );
    let agent = client
        .jsapi()
        .sign_agent("https://app.example/page")
        .await
        .unwrap();
    assert_eq!(
        agent.signature,
        wecom_sdk::jsapi_signature("agent-ticket", &agent.noncestr, agent.timestamp, &agent.url)
    );
    client.jsapi().agent_ticket().await.unwrap();
    assert_eq!(
        requests(&server, "/cgi-bin/get_jsapi_ticket").await.len(),
        1,
        "the corp ticket is cached"
    );
    assert_eq!(
        requests(&server, "/cgi-bin/ticket/get").await.len(),
        1,
        "the agent ticket is cached"
    );
}

#[tokio::test]
async fn the_oauth_link_uses_the_clients_corp() {
    let server = MockServer::start().await;
    let url = client(&server)
        .oauth()
        .authorize_url("https://app.example/cb")
        .unwrap()
        .state("abc")
        .to_string();
    assert_eq!(
        url,
        format!(
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid={CORP_ID}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=snsapi_base&state=abc#wechat_redirect"
        )
    );
}

#[tokio::test]
async fn message_shortcuts_send_the_documented_bodies() {
    let server = server_with_token(1).await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/message/send"))
        .respond_with(json(r#"{"errcode":0,"errmsg":"ok","msgid":"m"}"#))
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .message()
        .send_text(1000002, ["zhangsan", "lisi"], "你好")
        .safe(1)
        .await
        .unwrap();
    client
        .message()
        .send_markdown(1000002, ["@all"], "**构建** 完成")
        .await
        .unwrap();
    client
        .message()
        .send_text_card(
            1000002,
            ["zhangsan"],
            "领奖通知",
            "<div class=\"gray\">2016年9月26日</div>",
            "https://work.weixin.qq.com",
        )
        .toparty(["2"])
        .await
        .unwrap();
    // Department and tag ids as the SDK hands them out (`u32`), no `.to_string()` needed.
    let department: u32 = 4;
    client
        .message()
        .send_text(1000002, ["zhangsan"], "部门")
        .toparty([department, 5])
        .totag([12u32])
        .await
        .unwrap();
    let bodies: Vec<Value> = requests(&server, "/cgi-bin/message/send")
        .await
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        bodies,
        vec![
            json!({"touser": "zhangsan|lisi", "agentid": 1000002, "msgtype": "text", "text": {"content": "你好"}, "safe": 1}),
            json!({"touser": "@all", "agentid": 1000002, "msgtype": "markdown", "markdown": {"content": "**构建** 完成"}}),
            json!({"touser": "zhangsan", "toparty": "2", "agentid": 1000002, "msgtype": "textcard", "textcard": {
                "title": "领奖通知", "description": "<div class=\"gray\">2016年9月26日</div>", "url": "https://work.weixin.qq.com"}}),
            json!({"touser": "zhangsan", "toparty": "4|5", "totag": "12", "agentid": 1000002, "msgtype": "text", "text": {"content": "部门"}}),
        ]
    );
}

#[tokio::test]
async fn members_are_mapped_by_any_field() {
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/department/list"))
        .respond_with(json(r#"{"errcode":0,"errmsg":"ok","department":[{"id":1,"parentid":0,"order":1},{"id":2,"parentid":1,"order":1}]}"#))
        .mount(&server)
        .await;
    for (dept, body) in [
        (
            "1",
            r#"{"errcode":0,"errmsg":"ok","userlist":[{"userid":"zhangsan","name":"张三","email":"zs@example.com"}]}"#,
        ),
        (
            "2",
            r#"{"errcode":0,"errmsg":"ok","userlist":[{"userid":"lisi","name":"李四"},{"userid":"wangwu","name":"王五","email":"ww@example.com"}]}"#,
        ),
    ] {
        Mock::given(method("GET"))
            .and(path("/cgi-bin/user/list"))
            .and(query_param("department_id", dept))
            .respond_with(json(body))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let by_email = client
        .department()
        .map_users(None, |m| m.email.clone())
        .await
        .unwrap();
    assert_eq!(
        by_email.into_iter().collect::<Vec<_>>(),
        vec![
            ("ww@example.com".to_string(), "wangwu".to_string()),
            ("zs@example.com".to_string(), "zhangsan".to_string())
        ]
    );
    let by_name = client
        .department()
        .map_users(Some(2), |m| Some(m.name.clone()))
        .await
        .unwrap();
    assert_eq!(by_name.get("李四").map(String::as_str), Some("lisi"));
    assert_eq!(requests(&server, "/cgi-bin/department/list").await.len(), 1);
}

#[tokio::test]
async fn uploads_send_plain_utf8_names_from_bytes_files_and_streams() {
    let server = server_with_token(1).await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/media/upload"))
        .respond_with(json(r#"{"errcode":0,"errmsg":"","type":"file","media_id":"1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0","created_at":"1380000000"}"#))
        .mount(&server)
        .await;
    let client = client(&server);
    let dir = tempfile::tempdir().unwrap();
    let on_disk = dir.path().join("报告 2024.txt");
    std::fs::write(&on_disk, b"from a file on disk").unwrap();

    let uploaded = client
        .media()
        .upload(media::MediaType::FILE, Upload::from_path(&on_disk))
        .await
        .unwrap();
    assert_eq!(uploaded.created_at, 1380000000);
    client
        .media()
        .upload(
            media::MediaType::FILE,
            Upload::from_bytes("会议纪要.txt", &b"from memory"[..]),
        )
        .await
        .unwrap();
    let chunks = futures_util::stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"from ")),
        Ok(bytes::Bytes::from_static(b"a stream")),
    ]);
    client
        .media()
        .upload(
            media::MediaType::FILE,
            Upload::from_stream("流.txt", chunks, Some(13)),
        )
        .await
        .unwrap();

    let sent = requests(&server, "/cgi-bin/media/upload").await;
    assert_eq!(sent.len(), 3);
    for (request, (name, content)) in sent.iter().zip([
        ("报告 2024.txt", "from a file on disk"),
        ("会议纪要.txt", "from memory"),
        ("流.txt", "from a stream"),
    ]) {
        let body = String::from_utf8_lossy(&request.body);
        assert!(
            body.contains(&format!("name=\"media\"; filename=\"{name}\"")),
            "{body}"
        );
        assert!(!body.contains("filename*="), "{body}");
        assert!(body.contains(content), "{body}");
        assert_eq!(
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == "type")
                .map(|(_, v)| v.into_owned())
                .as_deref(),
            Some("file")
        );
    }

    // A file that is not there fails the call before anything is sent.
    let err = client
        .media()
        .upload(
            media::MediaType::FILE,
            Upload::from_path(dir.path().join("missing.txt")),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Io {
                endpoint: "media.upload",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(requests(&server, "/cgi-bin/media/upload").await.len(), 3);
}

#[tokio::test]
async fn downloads_stream_to_disk_and_name_the_file() {
    let server = server_with_token(1).await;
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    Mock::given(method("GET"))
        .and(path("/cgi-bin/media/get"))
        .and(query_param("media_id", "good"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "content-disposition",
                    "attachment; filename*=UTF-8''%E5%9B%BE%E7%89%87.jpg",
                )
                .set_body_raw(content.clone(), "image/jpeg"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/media/get"))
        .and(query_param("media_id", "bad"))
        .respond_with(json(r#"{"errcode":40007,"errmsg":"invalid media_id"}"#))
        .mount(&server)
        .await;
    let client = client(&server);
    let download = client.media().get("good").await.unwrap();
    assert_eq!(download.file_name(), Some("图片.jpg"));
    assert_eq!(download.content_length(), Some(200_000));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("saved.jpg");
    assert_eq!(download.save_to(&target).await.unwrap(), 200_000);
    assert_eq!(std::fs::read(&target).unwrap(), content);

    let streamed: Vec<u8> = client
        .media()
        .get("good")
        .await
        .unwrap()
        .into_stream()
        .map_ok(|b| b.to_vec())
        .try_concat()
        .await
        .unwrap();
    assert_eq!(streamed, content);

    let err = client.media().get("bad").await.unwrap_err();
    assert_eq!(err.code(), Some(40007));

    let link = client.media().get_url("good").await.unwrap();
    assert_eq!(
        link.expose(),
        format!(
            "{}/cgi-bin/media/get?access_token={TOKEN}&media_id=good",
            server.uri()
        )
    );
    assert_eq!(format!("{link:?}"), "[redacted]", "the link carries the token");
}

#[tokio::test]
async fn cursor_streams_follow_next_cursor_until_it_is_empty() {
    let server = server_with_token(1).await;
    let page = |cursor: &str, next: &str, ids: &[&str]| {
        let items: Vec<Value> = ids
            .iter()
            .map(|id| json!({"external_contact": {"external_userid": id, "name": id, "type": 1}, "follow_info": {"userid": "rocky"}}))
            .collect();
        (
            cursor.to_string(),
            json!({"errcode": 0, "errmsg": "ok", "external_contact_list": items, "next_cursor": next}),
        )
    };
    for (cursor, body) in [
        page("", "c2", &["a", "b"]),
        page("c2", "c3", &["c"]),
        page("c3", "", &["d"]),
    ] {
        Mock::given(method("POST"))
            .and(path("/cgi-bin/externalcontact/batch/get_by_user"))
            .and(move |request: &wiremock::Request| {
                let sent: Value = serde_json::from_slice(&request.body).unwrap_or_default();
                sent.get("cursor").and_then(Value::as_str).unwrap_or("") == cursor
            })
            .respond_with(json(&body.to_string()))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let ids: Vec<String> = client
        .external_contact()
        .batch_get_by_user(["rocky"])
        .limit(2)
        .stream()
        .map_ok(|item| item.external_contact.external_userid)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(
        requests(&server, "/cgi-bin/externalcontact/batch/get_by_user")
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn offset_streams_stop_at_a_short_page() {
    let server = server_with_token(1).await;
    for (offset, count) in [(0u64, 2usize), (2, 2), (4, 1)] {
        let list: Vec<Value> = (0..count)
            .map(|i| json!({"schedule_id": format!("s{}", offset as usize + i), "start_time": 1, "end_time": 2}))
            .collect();
        Mock::given(method("POST"))
            .and(path("/cgi-bin/oa/schedule/get_by_calendar"))
            .and(body_json(json!({"cal_id": "cal", "offset": offset, "limit": 2})))
            .respond_with(json(
                &json!({"errcode": 0, "errmsg": "ok", "schedule_list": list}).to_string(),
            ))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let ids: Vec<String> = client
        .schedule()
        .get_by_calendar("cal")
        .limit(2)
        .stream()
        .map_ok(|s| s.schedule_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["s0", "s1", "s2", "s3", "s4"]);
    assert_eq!(
        requests(&server, "/cgi-bin/oa/schedule/get_by_calendar")
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn a_page_error_ends_the_stream_with_that_error() {
    let server = server_with_token(1).await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/externalcontact/get_unassigned_list"))
        .respond_with(json(r#"{"errcode":0,"errmsg":"ok","info":[{"handover_userid":"zhangsan","external_userid":"woAJ2GCAAAd4uL12hdfsdasassdDmAAAAA","dimission_time":1550838571}],"is_last":false,"next_cursor":"next"}"#))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/externalcontact/get_unassigned_list"))
        .respond_with(json(r#"{"errcode":60011,"errmsg":"no privilege"}"#))
        .with_priority(2)
        .mount(&server)
        .await;
    let results: Vec<Result<_, Error>> = client(&server)
        .external_contact()
        .get_unassigned_list()
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert_eq!(results[1].as_ref().unwrap_err().code(), Some(60011));
}

#[tokio::test]
async fn the_provider_and_suite_tokens_are_fetched_and_cached() {
    let server = server_for(Some(Credential::ProviderAccessToken)).await;
    Mock::given(method("POST"))
        .and(path(Credential::SuiteAccessToken.def().fetch.path))
        .respond_with(json(r#"{"suite_access_token":"suite-token","expires_in":7200}"#))
        .expect(1)
        .mount(&server)
        .await;
    let (provider_id, provider_secret, _, provider_token) = test_values(Credential::ProviderAccessToken);
    let client = Client::builder_without_credentials()
        .provider(provider_id, provider_secret)
        .suite("ww-suite", "suite-secret")
        .base_url(server.uri())
        .build()
        .unwrap();
    // No ticket yet: a configuration error, and nothing is asked of WeCom.
    let err = client.suite_access_token().await.unwrap_err();
    assert!(
        matches!(err, Error::Config(ref m) if m.contains("suite_ticket")),
        "{err:?}"
    );
    client.set_suite_ticket("pushed-ticket");
    assert_eq!(client.suite_access_token().await.unwrap().expose(), "suite-token");
    assert_eq!(client.suite_access_token().await.unwrap().expose(), "suite-token");
    let sent: Value = serde_json::from_slice(
        &requests(&server, Credential::SuiteAccessToken.def().fetch.path).await[0].body,
    )
    .unwrap();
    assert_eq!(sent["suite_ticket"], "pushed-ticket");
    assert_eq!(
        client.provider_access_token().await.unwrap().expose(),
        provider_token
    );
    server.verify().await;
}

/// The crates that public signatures take are reachable through the SDK, at its versions.
#[test]
fn the_crates_in_public_signatures_are_reexported() {
    let http = wecom_sdk::reqwest::Client::new();
    let client = wecom_sdk::Client::builder("ww1", "secret")
        .http_client(http)
        .build();
    assert!(client.is_ok());
    let upload = wecom_sdk::Upload::from_bytes("a.txt", wecom_sdk::bytes::Bytes::from_static(b"hello"));
    assert_eq!(upload.known_size(), Some(5));
}
