//! A decrypted callback document as a tree of `serde_json` values.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use serde_json::{Map, Value};

use super::error::quote;
use super::{CallbackError, Format, strip_bom};

/// A callback document read into a tree: element (or key) names to values.
pub type Tree = Map<String, Value>;

/// How deep elements may nest. WeCom's documents nest a few levels; the bound keeps a hostile
/// document from exhausting the stack (serde_json's own limit is the same).
const MAX_DEPTH: usize = 128;

/// Reads a decrypted callback document, XML or JSON (told apart by [`Format::detect`]), into a
/// [`Tree`].
///
/// XML is read by the rules of [`parse_xml_tree`], JSON by those of [`parse_json_tree`]. Any
/// input, however malformed or truncated, gives a tree or an error (-40002), never a panic.
///
/// ```
/// # fn main() -> Result<(), wecom_sdk::callback::CallbackError> {
/// let tree = wecom_sdk::callback::parse_tree(
///     b"<xml><SuiteId><![CDATA[ww4asffe9xxx4c0f4c]]></SuiteId>\
///       <InfoType> <![CDATA[suite_ticket]]> </InfoType><TimeStamp>1403610513</TimeStamp></xml>",
/// )?;
/// assert_eq!(tree["InfoType"], "suite_ticket");
/// assert_eq!(tree["TimeStamp"], "1403610513");
/// # Ok(()) }
/// ```
pub fn parse_tree(document: &[u8]) -> Result<Tree, CallbackError> {
    match Format::detect(document)? {
        Format::Xml => parse_xml_tree(document),
        Format::Json => parse_json_tree(document),
    }
}

/// Reads a JSON document whose top level is an object.
pub fn parse_json_tree(document: &[u8]) -> Result<Tree, CallbackError> {
    match serde_json::from_slice::<Value>(strip_bom(document)) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(CallbackError::ParseXml(format!(
            "the JSON document is {}, not an object",
            json_kind(&other)
        ))),
        Err(e) => Err(CallbackError::ParseXml(format!(
            "the document is not valid JSON: {e}"
        ))),
    }
}

/// Reads a UTF-8 XML document into a tree.
///
/// - The root element (`<xml>`) is unwrapped: the tree holds its children.
/// - An element with child elements becomes an object keyed by the children's names (any text
///   beside them is dropped); an element without child elements becomes a string; an empty one
///   (`<A/>`, `<A></A>`) becomes `""`.
/// - Sibling elements of one name become an array, in document order; a single one stays a
///   string or an object.
/// - Text: CDATA sections are unwrapped and kept verbatim, entity and character references
///   (`&amp;`, `&#20013;`) are resolved, and whitespace outside CDATA at the start and end of
///   the element is trimmed: `<InfoType> <![CDATA[suite_ticket]]>\n</InfoType>` is
///   `"suite_ticket"`, `<Content><![CDATA[ hi ]]></Content>` is `" hi "`.
/// - Attributes, comments, processing instructions and the XML declaration are ignored; a
///   document type declaration is skipped and its entities are not expanded (an entity other
///   than the five predefined ones is an error).
/// - Errors (-40002): not UTF-8, not well-formed, truncated, text or a second element outside
///   the root, a root element that holds only text, nesting deeper than 128.
pub fn parse_xml_tree(document: &[u8]) -> Result<Tree, CallbackError> {
    let text = std::str::from_utf8(strip_bom(document))
        .map_err(|e| bad(format!("the document is not UTF-8: {e}")))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Tree> = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            bad(format!(
                "the XML is malformed at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match event {
            Event::Start(start) => {
                let name = element_name(start.name().as_ref())?;
                open(&mut stack, &root, name)?;
            }
            Event::Empty(start) => {
                let name = element_name(start.name().as_ref())?;
                open(&mut stack, &root, name)?;
                close(&mut stack, &mut root)?;
            }
            Event::End(_) => close(&mut stack, &mut root)?,
            Event::Text(t) => {
                let content = t.xml10_content().map_err(|e| bad(format!("bad text: {e}")))?;
                match stack.last_mut() {
                    Some(frame) => frame.text.push_trimmable(&content),
                    None if content.chars().all(is_xml_space) => {}
                    None => return Err(bad("there is text outside the root element")),
                }
            }
            Event::CData(c) => {
                let content = c.xml10_content().map_err(|e| bad(format!("bad CDATA: {e}")))?;
                match stack.last_mut() {
                    Some(frame) => frame.text.push_verbatim(&content),
                    None => return Err(bad("there is a CDATA section outside the root element")),
                }
            }
            Event::GeneralRef(r) => {
                let Some(frame) = stack.last_mut() else {
                    return Err(bad("there is a reference outside the root element"));
                };
                match r.resolve_char_ref() {
                    Ok(Some(c)) => frame.text.push_verbatim(c.encode_utf8(&mut [0; 4])),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| bad(format!("bad reference: {e}")))?;
                        let resolved = resolve_predefined_entity(&name)
                            .ok_or_else(|| bad(format!("unknown entity &{};", quote(&name, 32))))?;
                        frame.text.push_verbatim(resolved);
                    }
                    Err(e) => return Err(bad(format!("bad character reference: {e}"))),
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => {
                if let Some(frame) = stack.last() {
                    return Err(bad(format!(
                        "the document ends inside <{}>",
                        quote(&frame.name, 64).trim_matches('"')
                    )));
                }
                return root.ok_or_else(|| bad("the document has no root element"));
            }
        }
    }
}

/// An element being read.
struct Frame {
    name: String,
    children: Tree,
    has_children: bool,
    text: Text,
}

/// The text of an element, remembering which part came verbatim (CDATA, references) so that
/// only the whitespace around it is trimmed.
#[derive(Default)]
struct Text {
    buf: String,
    /// Byte offsets where the first verbatim piece starts and the last one ends.
    verbatim: Option<(usize, usize)>,
}

impl Text {
    fn push_trimmable(&mut self, piece: &str) {
        self.buf.push_str(piece);
    }

    fn push_verbatim(&mut self, piece: &str) {
        let start = self.buf.len();
        self.buf.push_str(piece);
        let end = self.buf.len();
        self.verbatim = Some(match self.verbatim {
            Some((first, _)) => (first, end),
            None => (start, end),
        });
    }

    fn finish(self) -> String {
        let Some((start, end)) = self.verbatim else {
            return self.buf.trim_matches(is_xml_space).to_string();
        };
        let head = self.buf.get(..start).unwrap_or_default();
        let middle = self.buf.get(start..end).unwrap_or_default();
        let tail = self.buf.get(end..).unwrap_or_default();
        let mut out = String::with_capacity(self.buf.len());
        out.push_str(head.trim_start_matches(is_xml_space));
        out.push_str(middle);
        out.push_str(tail.trim_end_matches(is_xml_space));
        out
    }
}

fn open(stack: &mut Vec<Frame>, root: &Option<Tree>, name: String) -> Result<(), CallbackError> {
    if root.is_some() {
        return Err(bad("there is a second element after the root element"));
    }
    if stack.len() >= MAX_DEPTH {
        return Err(bad(format!("elements nest deeper than {MAX_DEPTH} levels")));
    }
    if let Some(parent) = stack.last_mut() {
        parent.has_children = true;
    }
    stack.push(Frame {
        name,
        children: Tree::new(),
        has_children: false,
        text: Text::default(),
    });
    Ok(())
}

fn close(stack: &mut Vec<Frame>, root: &mut Option<Tree>) -> Result<(), CallbackError> {
    let frame = stack
        .pop()
        .ok_or_else(|| bad("a closing tag has no opening tag"))?;
    match stack.last_mut() {
        Some(parent) => {
            let value = if frame.has_children {
                Value::Object(frame.children)
            } else {
                Value::String(frame.text.finish())
            };
            insert(&mut parent.children, frame.name, value);
        }
        None => {
            let text = frame.text.finish();
            if !frame.has_children && !text.is_empty() {
                return Err(bad(format!(
                    "the root element <{}> holds text, not elements",
                    quote(&frame.name, 64).trim_matches('"')
                )));
            }
            *root = Some(frame.children);
        }
    }
    Ok(())
}

/// Adds a child; a repeated name turns the entry into an array. Element values are never arrays
/// themselves, so an array here always means repetition.
fn insert(map: &mut Tree, key: String, value: Value) {
    match map.get_mut(&key) {
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            map.insert(key, value);
        }
    }
}

fn element_name(raw: &[u8]) -> Result<String, CallbackError> {
    std::str::from_utf8(raw)
        .map(str::to_string)
        .map_err(|_| bad("an element name is not UTF-8"))
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn bad(message: impl Into<String>) -> CallbackError {
    CallbackError::ParseXml(message.into())
}

/// A tree as an XML document under `<xml>`, the inverse of [`parse_xml_tree`]: objects become
/// nested elements, arrays repeated elements, text a CDATA section (numbers and booleans as
/// their text). What builds a callback for tests and tools, or a passive reply.
pub fn to_xml(tree: &Tree) -> String {
    let mut out = String::from("<xml>");
    for (name, value) in tree {
        element(&mut out, name, value);
    }
    out.push_str("</xml>");
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| element(out, name, item)),
        Value::Object(children) => {
            out.push_str(&format!("<{name}>"));
            for (child, v) in children {
                element(out, child, v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}></{name}>")),
        Value::String(s) => {
            out.push_str(&format!("<{name}>"));
            cdata(out, s);
            out.push_str(&format!("</{name}>"));
        }
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// Text as CDATA; a `]]>` inside is split across two sections.
fn cdata(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    out.push_str(&text.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

#[cfg(test)]
mod to_xml_tests {
    use super::*;

    #[test]
    fn a_tree_written_as_xml_reads_back_the_same() {
        let doc = "<xml><ToUserName><![CDATA[ww]]></ToUserName><N>1</N><A><B><![CDATA[x]]]]><![CDATA[>y]]></B></A>\
                   <I><X>1</X></I><I><X>2</X></I></xml>";
        let tree = parse_xml_tree(doc.as_bytes()).unwrap_or_default();
        assert_eq!(
            tree.get("A").and_then(|a| a.get("B")),
            Some(&Value::String("x]]>y".into()))
        );
        let again = parse_xml_tree(to_xml(&tree).as_bytes()).unwrap_or_default();
        assert_eq!(again, tree);
    }
}
