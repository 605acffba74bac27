//! Requests are checked against the documented limits before they leave: just inside a bound
//! goes out, just outside is refused locally, naming the endpoint, the field and the limit, and
//! nothing reaches the server.

use wecom_sdk::{Client, Error, message};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

use crate::support::{client, json, server_with_token};

/// A server that accepts anything, to count what reaches it.
async fn accepting() -> MockServer {
    let server = server_with_token(0..=1).await;
    Mock::given(method("POST"))
        .respond_with(json(r#"{"errcode":0,"errmsg":"ok"}"#))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex("^/cgi-bin/(?:[a-z_]+/)*[a-z_]+$"))
        .respond_with(json(r#"{"errcode":0,"errmsg":"ok"}"#))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

async fn requests_to(server: &MockServer, wanted: &str) -> usize {
    let received = server.received_requests().await.expect("recording is on");
    received.iter().filter(|r| r.url.path() == wanted).count()
}

/// The refusal of a request that breaks a limit: its field and message.
fn refusal(err: Error) -> (String, String, &'static str) {
    match err {
        Error::InvalidRequest {
            endpoint,
            field,
            message,
            doc,
        } => {
            assert!(
                doc.starts_with("https://developer.work.weixin.qq.com/document/path/"),
                "{doc}"
            );
            (field.unwrap_or_default(), message, endpoint)
        }
        other => panic!("expected a local refusal, got {other:?}"),
    }
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("user{i}")).collect()
}

#[tokio::test]
async fn item_counts_are_checked_with_the_limit_named() {
    let server = accepting().await;
    let client = client(&server);
    client
        .tag()
        .add_users(12)
        .userlist(ids(1000))
        .await
        .expect("1000 user ids are allowed");
    let err = client.tag().add_users(12).userlist(ids(1001)).await.unwrap_err();
    let (field, message, endpoint) = refusal(err.clone());
    assert_eq!((field.as_str(), endpoint), ("userlist", "tag.add_users"));
    assert!(message.contains("1000") && message.contains("1001"), "{message}");
    let shown = err.to_string();
    assert!(
        shown.contains("tag.add_users") && shown.contains("userlist") && shown.contains("1000"),
        "{shown}"
    );
    assert!(shown.contains("document/path/90214"), "{shown}");
    assert_eq!(
        requests_to(&server, "/cgi-bin/tag/addtagusers").await,
        1,
        "only the valid request was sent"
    );
}

#[tokio::test]
async fn lengths_count_bytes_or_characters_as_documented() {
    let server = accepting().await;
    let client = client(&server);
    // `userid`: 1 to 64 bytes.
    client
        .user()
        .get("u".repeat(64))
        .await
        .expect("64 bytes are allowed");
    let (field, message, _) = refusal(client.user().get("u".repeat(65)).await.unwrap_err());
    assert_eq!(field, "userid");
    assert!(message.contains("65 bytes"), "{message}");
    assert_eq!(refusal(client.user().get("").await.unwrap_err()).0, "userid");
    // `tagname`: at most 32 characters, so 32 Chinese characters (96 bytes) are fine.
    client
        .tag()
        .create("标".repeat(32))
        .await
        .expect("32 characters are allowed");
    let (field, message, _) = refusal(client.tag().create("标".repeat(33)).await.unwrap_err());
    assert_eq!(field, "tagname");
    assert!(message.contains("33 characters"), "{message}");
    assert_eq!(requests_to(&server, "/cgi-bin/user/get").await, 1);
    assert_eq!(requests_to(&server, "/cgi-bin/tag/create").await, 1);
}

#[tokio::test]
async fn ranges_values_and_patterns_are_checked() {
    let server = accepting().await;
    let client = client(&server);
    // Department `id`: at least 2 when given.
    client
        .department()
        .create("研发", 1)
        .id(2)
        .await
        .expect("id 2 is allowed");
    assert_eq!(
        refusal(client.department().create("研发", 1).id(1).await.unwrap_err()).0,
        "id"
    );
    // `size_type`: one of 1, 2, 3, 4.
    client
        .user()
        .get_join_qrcode()
        .size_type(4)
        .await
        .expect("size 4 is allowed");
    let (field, message, _) = refusal(client.user().get_join_qrcode().size_type(5).await.unwrap_err());
    assert_eq!(field, "size_type");
    assert!(message.contains("one of 1, 2, 3, 4"), "{message}");
    // `date`: YYYY-MM-DD.
    client
        .user()
        .get_active_stat("2020-03-27")
        .await
        .expect("a well-formed date");
    assert_eq!(
        refusal(client.user().get_active_stat("2020/03/27").await.unwrap_err()).0,
        "date"
    );
    assert_eq!(requests_to(&server, "/cgi-bin/department/create").await, 1);
    assert_eq!(requests_to(&server, "/cgi-bin/corp/get_join_qrcode").await, 1);
    assert_eq!(requests_to(&server, "/cgi-bin/user/get_active_stat").await, 1);
}

#[tokio::test]
async fn rules_across_parameters_are_checked() {
    let server = accepting().await;
    let client = client(&server);
    let (field, message, _) = refusal(client.tag().add_users(12).await.unwrap_err());
    assert_eq!(field, "userlist/partylist");
    assert!(
        message.contains("at least one of `userlist`, `partylist`"),
        "{message}"
    );
    client
        .tag()
        .add_users(12)
        .partylist([2])
        .await
        .expect("departments alone are enough");
    let text = message::Message::Text(message::TextContent::new("hi"));
    assert!(
        client.message().send(1, text).await.is_err(),
        "a message needs a receiver"
    );
    assert_eq!(requests_to(&server, "/cgi-bin/tag/addtagusers").await, 1);
    assert_eq!(requests_to(&server, "/cgi-bin/message/send").await, 0);
}

#[tokio::test]
async fn nested_limits_name_the_path() {
    let server = accepting().await;
    let client = client(&server);
    let article = |title: &str| message::NewsArticle::new(title).url("https://work.weixin.qq.com");
    let news =
        |n: usize, title: &str| message::Message::News(message::NewsContent::new(vec![article(title); n]));
    client
        .message()
        .send(1, news(8, "t"))
        .touser(["a"])
        .await
        .expect("8 articles are allowed");
    let (field, _, _) = refusal(
        client
            .message()
            .send(1, news(9, "t"))
            .touser(["a"])
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "news.articles");
    let long = "x".repeat(129);
    let (field, message, _) = refusal(
        client
            .message()
            .send(1, news(2, &long))
            .touser(["a"])
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "news.articles[0].title");
    assert!(message.contains("128"), "{message}");
    assert_eq!(requests_to(&server, "/cgi-bin/message/send").await, 1);
}

#[tokio::test]
async fn nothing_reaches_the_server_for_a_refused_request() {
    let server = MockServer::start().await;
    let client = client(&server);
    let err = client.tag().add_users(12).userlist(ids(1001)).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "not even gettoken"
    );
}

#[tokio::test]
async fn validation_can_be_turned_off() {
    let server = accepting().await;
    let client = Client::builder(crate::support::CORP_ID, crate::support::SECRET)
        .base_url(server.uri())
        .validate_requests(false)
        .build()
        .unwrap();
    client
        .tag()
        .add_users(12)
        .userlist(ids(1001))
        .await
        .expect("sent as asked");
    assert_eq!(requests_to(&server, "/cgi-bin/tag/addtagusers").await, 1);
}

#[tokio::test]
async fn what_each_card_type_needs_is_checked() {
    use message::{
        Message, TemplateCard, TemplateCardButton, TemplateCardButtonType, TemplateCardCardAction,
        TemplateCardImage, TemplateCardLinkType, TemplateCardMainTitle, TemplateCardType,
    };
    let server = accepting().await;
    let client = client(&server);
    let send = |card: TemplateCard| {
        client
            .message()
            .send(1, Message::TemplateCard(card))
            .touser(["a"])
    };

    // 按钮交互型 needs a task id (and its title and buttons).
    let buttons = TemplateCard::new(TemplateCardType::BUTTON_INTERACTION)
        .main_title(TemplateCardMainTitle::new().title("审批"))
        .button_list([TemplateCardButton::new("同意").key("agree")]);
    let (field, message, endpoint) = refusal(send(buttons.clone()).await.unwrap_err());
    assert_eq!(
        (field.as_str(), endpoint),
        ("template_card.task_id", "message.send")
    );
    assert!(
        message.contains("when `card_type` is `button_interaction`"),
        "{message}"
    );
    send(buttons.clone().task_id("task-1"))
        .await
        .expect("with a task id the card goes out");

    // A button that opens a URL needs the URL.
    let (field, message, _) = refusal(
        send(
            buttons
                .clone()
                .task_id("task-2")
                .button_list([TemplateCardButton::new("打开").type_(TemplateCardButtonType::URL)]),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(field, "template_card.button_list[0].url");
    assert!(message.contains("when `type` is `1`"), "{message}");

    // 图文展示型 needs the card's click action, and an image or the image-text area.
    let news = TemplateCard::new(TemplateCardType::NEWS_NOTICE)
        .main_title(TemplateCardMainTitle::new().title("新闻"));
    let (field, _, _) = refusal(send(news.clone()).await.unwrap_err());
    assert_eq!(field, "template_card.card_action");
    let action = TemplateCardCardAction::new()
        .type_(TemplateCardLinkType::URL)
        .url("https://work.weixin.qq.com");
    let (field, message, _) = refusal(send(news.clone().card_action(action.clone())).await.unwrap_err());
    assert_eq!(field, "template_card.card_image/image_text_area");
    assert!(
        message.contains("at least one of `card_image`, `image_text_area`"),
        "{message}"
    );
    send(
        news.card_action(action)
            .card_image(TemplateCardImage::new("https://work.weixin.qq.com/a.png")),
    )
    .await
    .expect("a complete news card goes out");

    // What another card type needs is not asked of this one.
    send(
        TemplateCard::new(TemplateCardType::TEXT_NOTICE)
            .sub_title_text("hi")
            .card_action(
                TemplateCardCardAction::new()
                    .type_(TemplateCardLinkType::URL)
                    .url("https://a.b"),
            ),
    )
    .await
    .expect("a text card needs no task id");
    assert_eq!(requests_to(&server, "/cgi-bin/message/send").await, 3);
}
