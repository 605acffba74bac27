//! How each kind of credential is fetched, sent, cached and refused, as `spec/credentials.yaml`
//! describes it. The client, the mock and the CLI read [`Credential::def`](crate::Credential::def);
//! none of them names a token endpoint or an error code of its own.

use crate::{Credential, EndpointMeta};

pub use crate::schema::Placement;

/// One kind of credential.
#[derive(Debug)]
#[non_exhaustive]
pub struct CredentialDef {
    /// The kind.
    pub kind: Credential,
    /// Its spec name (`access_token`), also how endpoints name it.
    pub name: &'static str,
    /// What it is.
    pub summary: &'static str,
    /// The query parameter calls carry it in; `None` for tickets handed to web pages.
    pub param: Option<&'static str>,
    /// The endpoint that fetches it (its parameters are [`CredentialDef::inputs`] and
    /// [`CredentialDef::fixed`]).
    pub fetch: EndpointMeta,
    /// What the client fills the fetch's parameters with.
    pub inputs: &'static [Input],
    /// Fixed values of the fetch's parameters: `(name, value, placement)`.
    pub fixed: &'static [(&'static str, &'static str, Placement)],
    /// The answer's field holding the token.
    pub token: &'static str,
    /// The answer's field holding its lifetime in seconds.
    pub expires_in: &'static str,
    /// The prefix of its key in a token store.
    pub cache: &'static str,
    /// errcode: the call carried none.
    pub missing: i64,
    /// errcode: the call carried one WeCom does not know.
    pub invalid: i64,
    /// errcode: the call carried one that expired.
    pub expired: i64,
    /// For a kind with no inputs of its own (the JS-SDK tickets): the kind whose configuration it
    /// lives under, which its fetch carries.
    pub derived_from: Option<Credential>,
}

impl CredentialDef {
    /// The errcodes that mean "this token is no longer good": drop it, fetch another, repeat.
    pub fn rejects(&self, code: i64) -> bool {
        self.param.is_some() && (code == self.missing || code == self.invalid || code == self.expired)
    }

    /// The input filling `slot`, if the kind has one.
    pub fn input(&self, slot: Slot) -> Option<&'static Input> {
        self.inputs.iter().find(|i| i.slot == slot)
    }
}

/// A value the client is configured with, and the fetch parameter it fills.
#[derive(Debug)]
#[non_exhaustive]
pub struct Input {
    /// The fetch's parameter.
    pub param: &'static str,
    /// Where that parameter travels.
    pub placement: Placement,
    /// Which of the configured values fills it.
    pub slot: Slot,
    /// The `wecom` CLI's flag for it, without `--`.
    pub flag: &'static str,
    /// The environment variable the CLI reads it from.
    pub env: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// The errcode WeCom answers when the value is missing.
    pub missing: Option<i64>,
    /// The errcode WeCom answers when the value is wrong.
    pub refused: Option<i64>,
}

/// The values a credential is configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Slot {
    /// Whose credential it is: a corp id, a suite id.
    Id,
    /// Its secret.
    Secret,
    /// A value WeCom pushes to the app and the client is handed later (the suite ticket).
    Ticket,
}
