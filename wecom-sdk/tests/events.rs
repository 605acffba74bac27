//! Every callback event of the spec: its documented example is recognised as that event and
//! decodes with no element lost; what the spec does not describe stays whole as `Unknown`.

use serde_json::Value;
use wecom_sdk::callback::{EVENTS, Event, parse_tree};

/// A value as the documents write it: every scalar as its text, a one-item list as the item
/// (an element that repeats appears once when the list has one), empty text as absent.
fn normal(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(Value::String(number_text(s.trim()))),
        Value::Bool(b) => Some(Value::String(if *b { "1" } else { "0" }.to_string())),
        Value::Number(n) => Some(Value::String(number_text(&n.to_string()))),
        Value::Array(items) => {
            let items: Vec<Value> = items.iter().filter_map(normal).collect();
            match items.len() {
                0 => None,
                1 => items.into_iter().next(),
                _ => Some(Value::Array(items)),
            }
        }
        Value::Object(map) => {
            let map: serde_json::Map<String, Value> = map
                .iter()
                .filter_map(|(k, v)| normal(v).map(|v| (k.clone(), v)))
                .collect();
            (!map.is_empty()).then_some(Value::Object(map))
        }
    }
}

/// `113.320` and `113.32` are one number.
fn number_text(text: &str) -> String {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && text.contains('.') => x.to_string(),
        _ => text.to_string(),
    }
}

#[test]
fn every_documented_event_decodes_as_itself_with_nothing_lost() {
    assert!(EVENTS.len() >= 80, "{} events", EVENTS.len());
    for info in EVENTS {
        let tree = parse_tree(info.example.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", info.name));
        let event = Event::from_tree(&tree).unwrap_or_else(|e| panic!("{}: {e}", info.name));
        assert_eq!(
            event.name(),
            Some(info.name),
            "{}: recognised as {:?}",
            info.name,
            event.name()
        );
        // What the struct holds, against the document without its header and `when` elements.
        let mut rest = tree.clone();
        for key in info.header.iter().chain(info.when.iter().map(|(k, _)| k)) {
            rest.remove(*key);
        }
        let decoded = event.to_value().unwrap();
        assert_eq!(
            normal(&decoded),
            normal(&Value::Object(rest)),
            "{}: the decoded event differs from its document",
            info.name
        );
    }
}

#[test]
fn what_the_spec_does_not_describe_stays_whole() {
    let doc = "<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[brand_new]]></Event><X>1</X></xml>";
    let tree = parse_tree(doc.as_bytes()).unwrap();
    let event = Event::from_tree(&tree).unwrap();
    assert_eq!(event.name(), None);
    assert!(matches!(&event, Event::Unknown(t) if t == &tree), "{event:?}");
}

#[test]
fn the_most_specific_event_wins_and_whitespace_around_values_is_ignored() {
    let doc = "<xml><SuiteId>s</SuiteId><InfoType> <![CDATA[suite_ticket]]></InfoType><TimeStamp>1</TimeStamp><SuiteTicket>t</SuiteTicket></xml>";
    let event = Event::from_tree(&parse_tree(doc.as_bytes()).unwrap()).unwrap();
    assert_eq!(event.name(), Some("suite_ticket"));
    let member = "<xml><ToUserName>c</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime>\
        <MsgType>event</MsgType><Event>change_contact</Event><ChangeType>delete_user</ChangeType><UserID>zhangsan</UserID></xml>";
    let event = Event::from_tree(&parse_tree(member.as_bytes()).unwrap()).unwrap();
    let Event::DeleteUser(deleted) = &event else {
        panic!("{event:?}")
    };
    assert_eq!(deleted.user_id, "zhangsan");
}

#[test]
fn an_event_whose_elements_do_not_decode_says_where() {
    let doc = "<xml><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>create_party</ChangeType>\
        <Id>not-a-number</Id></xml>";
    let err = Event::from_tree(&parse_tree(doc.as_bytes()).unwrap()).unwrap_err();
    assert_eq!(err.event, "create_party");
    assert_eq!(err.path, "Id");
}

/// `../shared/skit-samples/events/` (another SDK's documented callback bodies), when it is there.
fn skit_events() -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("WECOM_SKIT_SAMPLES_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/skit-samples"),
    };
    let dir = dir.join("events");
    dir.is_dir().then_some(dir)
}

fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn another_sdks_documented_callbacks_decode_where_the_spec_has_them() {
    let Some(dir) = skit_events() else {
        eprintln!(
            "note: ../shared/skit-samples is not here (set WECOM_SKIT_SAMPLES_DIR to run this test); skipped"
        );
        return;
    };
    let mut all = Vec::new();
    files(&dir, &mut all);
    all.sort();
    let (mut known, mut unknown) = (0, Vec::new());
    for path in &all {
        let body = std::fs::read(path).unwrap();
        let tree = parse_tree(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        match Event::from_tree(&tree) {
            Ok(Event::Unknown(_)) => unknown.push(path.strip_prefix(&dir).unwrap().display().to_string()),
            Ok(_) => known += 1,
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    eprintln!(
        "{known} of {} sample callbacks are events of the spec; the others: {unknown:?}",
        all.len()
    );
    assert!(known >= 60, "{known} known");
}
