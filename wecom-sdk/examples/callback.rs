//! A callback app: receives what WeCom pushes to its callback URL, answers a member's text
//! message with a passive text reply (an echo), and logs the address book's changes as the
//! spec's typed events.
//!
//! It serves `CallbackService` under axum at `http://127.0.0.1:$PORT/callback` (PORT defaults
//! to 8000), configured from `WECOM_CALLBACK_TOKEN`, `WECOM_CALLBACK_AES_KEY` (the Token and
//! EncodingAESKey set beside the callback URL) and `WECOM_CORP_ID` (the receive id).
//!
//! Against the mock, which pushes each change of its address book as WeCom would:
//!
//! ```sh
//! # the same three variables in every shell
//! export WECOM_CALLBACK_TOKEN=mock-callback-token
//! export WECOM_CALLBACK_AES_KEY=jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C
//! export WECOM_CORP_ID=ww-mock-corp
//!
//! cargo run -p wecom-sdk --example callback
//!
//! # a second shell: the mock, pushing to the app (--callback-token and --callback-aes-key
//! # default to the two variables above)
//! wecom mock --callback-url http://127.0.0.1:8000/callback
//!
//! # a third: change the address book; the app logs `member created`, `member deleted`, …
//! export WECOM_BASE_URL=http://127.0.0.1:8080 WECOM_SECRET=mock-secret
//! wecom department create --name 研发中心 --parentid 1
//! wecom user create --userid zhangsan --name 张三 --mobile 13800000000
//! wecom user delete --userid zhangsan
//!
//! # a member's text message: the answer is the echo, encrypted
//! wecom callback send --url http://127.0.0.1:8000/callback --event text_message --field Content=你好
//! ```
//!
//! Against the real WeCom, put the app behind a public HTTPS URL, set that URL, the Token and the
//! EncodingAESKey in the app's 接收消息 settings (or the contacts-sync tool's), and WeCom's URL
//! check (a GET) is answered too.

use std::net::Ipv4Addr;

use tracing::{info, warn};
use wecom_sdk::callback::{BoxError, CallbackService, Crypto, Event, PassiveReply, Received};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_writer(std::io::stderr).init();
    let token = required("WECOM_CALLBACK_TOKEN")?;
    let aes_key = required("WECOM_CALLBACK_AES_KEY")?;
    let corp_id = required("WECOM_CORP_ID")?;
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse::<u16>()
            .map_err(|_| format!("PORT is `{port}`, not a port number"))?,
        Err(_) => 8000,
    };

    // Debug of `Crypto` (and of the service) shows neither the token nor the key.
    let crypto = Crypto::new(token, &aes_key, corp_id)?;
    let service = CallbackService::builder(crypto)
        .on_msg_type("text", echo)
        .on_event("change_contact", log_contact_change)
        .fallback(log_other)
        .build();
    let app = axum::Router::new().route_service("/callback", service);

    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    info!(
        "callback app listening on http://{}/callback",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}

/// The value of the environment variable `name`, or an error that names it.
fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of examples/callback.rs)"))
}

/// A member's text message: answered with what they said, as a passive reply.
async fn echo(received: Received) -> Result<Option<PassiveReply>, BoxError> {
    let Event::TextMessage(message) = received.event()? else {
        return Ok(None);
    };
    info!(
        from = received.from_user_name(),
        agent_id = received.agent_id(),
        "text message of {} characters",
        message.content.chars().count()
    );
    Ok(Some(PassiveReply::text(format!("你说：{}", message.content))))
}

/// A change of the address book (`Event` `change_contact`), logged from its typed event.
async fn log_contact_change(received: Received) -> Result<(), BoxError> {
    match received.event()? {
        Event::CreateUser(e) => info!(
            user_id = %e.user_id,
            name = ?e.name,
            department = ?e.department,
            "member created"
        ),
        Event::UpdateUser(e) => info!(
            user_id = %e.user_id,
            new_user_id = ?e.new_user_id,
            name = ?e.name,
            department = ?e.department,
            position = ?e.position,
            "member updated (what changed)"
        ),
        Event::DeleteUser(e) => info!(user_id = %e.user_id, "member deleted"),
        Event::CreateParty(e) => info!(
            id = e.id,
            name = ?e.name,
            parent_id = e.parent_id,
            "department created"
        ),
        Event::UpdateParty(e) => info!(
            id = e.id,
            name = ?e.name,
            parent_id = ?e.parent_id,
            "department updated"
        ),
        Event::DeleteParty(e) => info!(id = e.id, "department deleted"),
        Event::UpdateTag(e) => info!(
            tag_id = e.tag_id,
            added_users = ?e.add_user_items,
            removed_users = ?e.del_user_items,
            added_departments = ?e.add_party_items,
            removed_departments = ?e.del_party_items,
            "tag members changed"
        ),
        other => info!(
            event = other.name(),
            change_type = received.change_type(),
            "another contact change"
        ),
    }
    Ok(())
}

/// Anything else: which event it is, not what it holds.
async fn log_other(received: Received) {
    match received.event() {
        Ok(event) => info!(
            event = event.name(),
            msg_type = received.msg_type(),
            "callback not handled"
        ),
        Err(error) => warn!(%error, "callback of a known event that does not decode"),
    }
}
