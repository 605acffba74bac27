//! List endpoints answered from their documented example page like a real, finite list: the
//! first page hands out a cursor, the page at that cursor is the last. A client that follows
//! the cursors therefore ends after two pages, and one that asks again from the start sees the
//! same two pages. Offset paging ends on the page after the first, which comes back empty.

use serde_json::{Map, Value};
use wecom_sdk::{EndpointMeta, Paging};

/// The cursor the first page hands out.
const SECOND_PAGE: &str = "mock-page-2";

/// Whether a position given in a request is the start of the list (absent, `""`, `0`).
fn at_start(position: Option<&Value>) -> bool {
    match position {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty() || s == "0",
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(_) => false,
    }
}

/// A cursor of the same JSON type as the documented one: text, or a number.
fn cursor_like(documented: Option<&Value>, text: &str, number: u64) -> Value {
    match documented {
        Some(Value::Number(_)) => Value::from(number),
        _ => Value::from(text),
    }
}

/// The page of `example` (the documented answer) that the request `input` asks for.
pub(crate) fn page(meta: &EndpointMeta, input: &Map<String, Value>, mut example: Value) -> Value {
    let Some(paging) = meta.paging else {
        return example;
    };
    let Some(body) = example.as_object_mut() else {
        return example;
    };
    match paging {
        Paging::Cursor {
            cursor, next, last, ..
        } => {
            let documented = body.get(next).cloned();
            if at_start(input.get(cursor)) {
                body.insert(next.into(), cursor_like(documented.as_ref(), SECOND_PAGE, 2));
                if let Some(last) = last {
                    body.insert(last.into(), flag_like(body.get(last), false));
                }
            } else {
                body.insert(next.into(), cursor_like(documented.as_ref(), "", 0));
                if let Some(last) = last {
                    body.insert(last.into(), flag_like(body.get(last), true));
                }
            }
        }
        Paging::Offset { offset, items, .. } if !at_start(input.get(offset)) => {
            body.insert(items.into(), Value::Array(Vec::new()));
        }
        _ => {}
    }
    example
}

/// A last-page flag in the documented spelling: a boolean, or 0/1.
fn flag_like(documented: Option<&Value>, on: bool) -> Value {
    match documented {
        Some(Value::Number(_)) => Value::from(u8::from(on)),
        _ => Value::from(on),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn meta(paging: Paging) -> EndpointMeta {
        let mut meta = EndpointMeta::new(
            "t.list",
            wecom_sdk::Method::Post,
            "/cgi-bin/t/list",
            "",
            None,
            wecom_sdk::BodyKind::Json,
        );
        meta.paging = Some(paging);
        meta
    }

    #[test]
    fn a_cursor_walk_has_two_pages() {
        let m = meta(Paging::Cursor {
            cursor: "cursor",
            next: "next_cursor",
            items: "list",
            last: Some("is_last"),
        });
        let example = json!({"errcode": 0, "list": [1], "next_cursor": "CURSOR", "is_last": true});
        let first = page(&m, &Map::new(), example.clone());
        assert_eq!(first["next_cursor"], "mock-page-2");
        assert_eq!(first["is_last"], false);
        let input: Map<String, Value> = json!({"cursor": "mock-page-2"}).as_object().cloned().unwrap();
        let second = page(&m, &input, example);
        assert_eq!(second["next_cursor"], "");
        assert_eq!(second["is_last"], true);
    }

    #[test]
    fn numeric_cursors_stay_numbers_and_offsets_end_empty() {
        let m = meta(Paging::Cursor {
            cursor: "cursor",
            next: "next_cursor",
            items: "list",
            last: None,
        });
        let first = page(&m, &Map::new(), json!({"list": [1], "next_cursor": 7}));
        assert_eq!(first["next_cursor"], 2);
        let input: Map<String, Value> = json!({"cursor": 2}).as_object().cloned().unwrap();
        assert_eq!(
            page(&m, &input, json!({"list": [1], "next_cursor": 7}))["next_cursor"],
            0
        );

        let m = meta(Paging::Offset {
            offset: "offset",
            limit: "limit",
            items: "list",
        });
        assert_eq!(page(&m, &Map::new(), json!({"list": [1]}))["list"], json!([1]));
        let input: Map<String, Value> = json!({"offset": 100}).as_object().cloned().unwrap();
        assert_eq!(page(&m, &input, json!({"list": [1]}))["list"], json!([]));
    }
}
