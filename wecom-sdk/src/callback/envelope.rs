//! The body WeCom POSTs: the ciphertext in an XML or a JSON envelope.

use serde_json::Value;

use super::tree::{Tree, parse_json_tree, parse_xml_tree};
use super::{CallbackError, Format};

/// A POST body, before decryption.
///
/// Apps, suites and most callbacks send XML:
///
/// ```xml
/// <xml>
///    <ToUserName><![CDATA[toUser]]></ToUserName>
///    <AgentID><![CDATA[toAgentID]]></AgentID>
///    <Encrypt><![CDATA[msg_encrypt]]></Encrypt>
/// </xml>
/// ```
///
/// 智能机器人 (robots) send JSON: `{"encrypt": "msg_encrypt"}`. [`Envelope::parse`] tells them
/// apart by the first byte ([`Format::detect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope {
    /// The syntax of the body; a passive reply is expected in the same one.
    pub format: Format,
    /// The ciphertext (base64), exactly as it came: `Encrypt` of the XML, `encrypt` of the JSON.
    pub encrypt: String,
    /// `ToUserName` of an XML envelope (the corp id or suite id it was sent to), if present.
    pub to_user_name: Option<String>,
    /// `AgentID` of an XML envelope (the app it was sent to), as written, if present.
    pub agent_id: Option<String>,
}

impl Envelope {
    /// Reads a POST body.
    ///
    /// Errors (-40002): a body that is neither XML nor a JSON object, malformed, without a
    /// non-empty `Encrypt` (XML) or `encrypt` (JSON) string, or with one of the three XML
    /// elements repeated or holding elements.
    ///
    /// ```
    /// use wecom_sdk::callback::{Envelope, Format};
    ///
    /// # fn main() -> Result<(), wecom_sdk::callback::CallbackError> {
    /// let xml = Envelope::parse(b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><AgentID>218</AgentID>\
    ///                             <Encrypt><![CDATA[c2VjcmV0]]></Encrypt></xml>")?;
    /// assert_eq!((xml.format, xml.encrypt.as_str(), xml.agent_id.as_deref()), (Format::Xml, "c2VjcmV0", Some("218")));
    ///
    /// let json = Envelope::parse(br#"{"encrypt": "c2VjcmV0"}"#)?;
    /// assert_eq!((json.format, json.encrypt.as_str()), (Format::Json, "c2VjcmV0"));
    /// # Ok(()) }
    /// ```
    pub fn parse(body: &[u8]) -> Result<Envelope, CallbackError> {
        match Format::detect(body)? {
            Format::Xml => {
                let tree = parse_xml_tree(body)?;
                let encrypt = xml_text(&tree, "Encrypt")?
                    .ok_or_else(|| bad("the XML envelope has no <Encrypt> element"))?;
                if encrypt.is_empty() {
                    return Err(bad("the <Encrypt> element of the envelope is empty"));
                }
                Ok(Envelope {
                    format: Format::Xml,
                    encrypt,
                    to_user_name: xml_text(&tree, "ToUserName")?,
                    agent_id: xml_text(&tree, "AgentID")?,
                })
            }
            Format::Json => {
                let tree = parse_json_tree(body)?;
                let encrypt = match tree.get("encrypt") {
                    Some(Value::String(s)) if !s.is_empty() => s.clone(),
                    Some(Value::String(_)) => {
                        return Err(bad("the \"encrypt\" field of the envelope is empty"));
                    }
                    Some(_) => return Err(bad("the \"encrypt\" field of the envelope is not a string")),
                    None => return Err(bad("the JSON envelope has no \"encrypt\" field")),
                };
                Ok(Envelope {
                    format: Format::Json,
                    encrypt,
                    to_user_name: None,
                    agent_id: None,
                })
            }
        }
    }
}

/// The text of a child element of the envelope, if it is there.
fn xml_text(tree: &Tree, name: &str) -> Result<Option<String>, CallbackError> {
    match tree.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Array(_)) => Err(bad(format!("the envelope has more than one <{name}> element"))),
        Some(_) => Err(bad(format!(
            "the <{name}> element of the envelope holds elements, not text"
        ))),
    }
}

fn bad(message: impl Into<String>) -> CallbackError {
    CallbackError::ParseXml(message.into())
}
