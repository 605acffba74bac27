//! The seed's message shortcuts: one call for the common message types. Each returns the
//! ordinary [`Call`], so `toparty`, `totag`, `safe` and the other setters still apply.

use crate::Call;
use crate::message::{
    MarkdownContent, Message, MessageApi, MessageSendRequest, TextCardContent, TextContent,
};

impl MessageApi<'_> {
    /// A text message from app `agentid` to the members `touser` (`["@all"]` for everyone).
    pub fn send_text(
        &self,
        agentid: u32,
        touser: impl IntoIterator<Item = impl std::fmt::Display>,
        content: impl Into<String>,
    ) -> Call<MessageSendRequest> {
        self.send(agentid, Message::Text(TextContent::new(content)))
            .touser(touser)
    }

    /// A markdown message (the supported subset of markdown, at most 2048 bytes).
    pub fn send_markdown(
        &self,
        agentid: u32,
        touser: impl IntoIterator<Item = impl std::fmt::Display>,
        content: impl Into<String>,
    ) -> Call<MessageSendRequest> {
        self.send(agentid, Message::Markdown(MarkdownContent::new(content)))
            .touser(touser)
    }

    /// A text card: title, description (HTML `<div class="gray|normal|highlight">` allowed)
    /// and the link it opens; build a [`TextCardContent`] yourself for the button text.
    pub fn send_text_card(
        &self,
        agentid: u32,
        touser: impl IntoIterator<Item = impl std::fmt::Display>,
        title: impl Into<String>,
        description: impl Into<String>,
        url: impl Into<String>,
    ) -> Call<MessageSendRequest> {
        let card = TextCardContent::new(title, description, url);
        self.send(agentid, Message::Textcard(card)).touser(touser)
    }
}
