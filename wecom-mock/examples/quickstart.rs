//! A first tour of wecom-rs: token, department, member, tag, message — then tidy up.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With `WECOM_CORP_ID` and `WECOM_SECRET` set (a secret of the contacts-sync tool or of an app
//! allowed to edit contacts), it talks to the real WeCom; otherwise it starts the embedded mock
//! and needs no account. `WECOM_AGENT_ID` picks the app that sends the message (default
//! 1000002). Everything it creates, it deletes at the end.

use wecom_sdk::{Client, Error, user};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var("WECOM_CORP_ID")
        .ok()
        .zip(std::env::var("WECOM_SECRET").ok());
    // Keep the mock alive for the whole tour when it is used.
    let (client, _mock) = match real {
        Some((corp_id, secret)) => {
            println!("→ using the real WeCom for corp {corp_id}");
            (Client::new(corp_id, secret)?, None)
        }
        None => {
            let mock = wecom_mock::MockServer::start().await?;
            println!(
                "→ WECOM_CORP_ID and WECOM_SECRET are not set: using the embedded mock at {}",
                mock.base_url()
            );
            (mock.client(), Some(mock))
        }
    };
    let agent_id: u32 = std::env::var("WECOM_AGENT_ID")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000002);

    let token = client.access_token().await?;
    println!(
        "✓ gettoken: got an access token ({} characters; never printed)",
        token.expose().len()
    );

    let department = client.department().create("wecom-rs 快速入门", 1).await?;
    println!("✓ department/create: department {} under the root", department.id);

    let userid = "wecomrs-quickstart";
    client
        .user()
        .create(userid, "快速入门")
        .mobile("13800000000")
        .department([department.id])
        .gender(user::Gender::FEMALE)
        .position("示例成员")
        .await?;
    println!("✓ user/create: member {userid}");

    let member = client.user().get(userid).await?;
    println!(
        "✓ user/get: {} ({}), departments {:?}, gender {:?}",
        member.name, member.userid, member.department, member.gender
    );

    let members = client.user().list(department.id).await?;
    println!(
        "✓ user/list: {} member(s) in department {}",
        members.userlist.len(),
        department.id
    );

    let tag = client.tag().create("wecom-rs 示例").await?;
    client.tag().add_users(tag.tagid).userlist([userid]).await?;
    let tagged = client.tag().get(tag.tagid).await?;
    println!(
        "✓ tag/create + addtagusers: tag {} holds {:?}",
        tag.tagid,
        tagged.userlist.iter().map(|m| &m.userid).collect::<Vec<_>>()
    );

    match client
        .message()
        .send_text(agent_id, [userid], "来自 wecom-rs 的问候")
        .await
    {
        Ok(sent) => println!(
            "✓ message/send: message {:?}, undelivered {:?}",
            sent.msgid, sent.invaliduser
        ),
        // A real corp's app may not see the new member; the error says why.
        Err(e @ Error::Api(_)) => println!("✗ message/send: {e}"),
        Err(e) => return Err(e.into()),
    }

    // Tidy up, in dependency order.
    client.tag().delete(tag.tagid).await?;
    client.user().delete(userid).await?;
    client.department().delete(department.id).await?;
    println!("✓ cleaned up: tag, member and department deleted");
    Ok(())
}
