//! The checks generated `validate()` bodies run: one function per kind of limit the spec knows.
//! Each returns the first violation it finds, naming the field and the limit.

use std::fmt::Display;
use std::sync::OnceLock;

/// A parameter that breaks a documented limit. It may grow fields: build one with
/// [`Violation::new`].
///
/// ```compile_fail
/// let v = wecom_sdk::Violation { field: "a".into(), limit: "b".into(), found: "c".into() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// The parameter's path: `userlist`, `articles[2].title`.
    pub field: String,
    /// The limit, in words: `at most 1000 items`.
    pub limit: String,
    /// What was found instead: `1001 items`.
    pub found: String,
}

impl Violation {
    /// `field` breaks `limit` (in words, `at most 1000 items`) with what was `found`: what an
    /// [`Endpoint::validate`](crate::Endpoint::validate) of one's own reports.
    pub fn new(field: &str, limit: String, found: String) -> Self {
        Violation {
            field: field.to_string(),
            limit,
            found,
        }
    }

    /// The same violation seen from the enclosing field: `title` → `articles[2].title`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        self
    }

    /// The same violation seen from an enclosing list: `title` → `[2].title`.
    pub fn at(mut self, index: usize) -> Self {
        self.field = if self.field.is_empty() {
            format!("[{index}]")
        } else {
            format!("[{index}].{}", self.field)
        };
        self
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` must be {}, found {}", self.field, self.limit, self.found)
    }
}

pub type Checked = Result<(), Violation>;

fn bounds<T: Display + PartialEq>(min: Option<T>, max: Option<T>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) if lo == hi => format!("exactly {lo}"),
        (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
        (Some(lo), None) => format!("at least {lo}"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => "anything".to_string(),
    }
}

/// A string's length in UTF-8 bytes (`bytes = true`) or in characters.
pub fn length(field: &str, value: &str, min: Option<u64>, max: Option<u64>, bytes: bool) -> Checked {
    let n = if bytes {
        value.len() as u64
    } else {
        value.chars().count() as u64
    };
    let unit = if bytes { "bytes" } else { "characters" };
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        return Err(Violation::new(
            field,
            format!("{} {unit} long", bounds(min, max)),
            format!("{n} {unit}"),
        ));
    }
    Ok(())
}

/// A list's number of items.
pub fn items(field: &str, count: usize, min: Option<u64>, max: Option<u64>) -> Checked {
    let n = count as u64;
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        let noun = if max == Some(1) { "item" } else { "items" };
        return Err(Violation::new(
            field,
            format!("{} {noun}", bounds(min, max)),
            format!("{n} items"),
        ));
    }
    Ok(())
}

/// A floating-point number within an inclusive range.
pub fn range_f64(field: &str, value: f64, min: Option<i64>, max: Option<i64>) -> Checked {
    if min.is_some_and(|m| value < m as f64) || max.is_some_and(|m| value > m as f64) {
        return Err(Violation::new(field, bounds(min, max), value.to_string()));
    }
    Ok(())
}

/// An integer within an inclusive range (any width, compared exactly).
pub fn range(field: &str, value: i128, min: Option<i64>, max: Option<i64>) -> Checked {
    if min.is_some_and(|m| value < i128::from(m)) || max.is_some_and(|m| value > i128::from(m)) {
        return Err(Violation::new(field, bounds(min, max), value.to_string()));
    }
    Ok(())
}

/// One of the documented strings.
pub fn one_of_str(field: &str, value: &str, allowed: &[&str]) -> Checked {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(Violation::new(
        field,
        format!("one of {}", allowed.join(", ")),
        format!("{value:?}"),
    ))
}

/// One of the documented integers.
pub fn one_of_int(field: &str, value: i128, allowed: &[i128]) -> Checked {
    if allowed.contains(&value) {
        return Ok(());
    }
    let list: Vec<String> = allowed.iter().map(ToString::to_string).collect();
    Err(Violation::new(
        field,
        format!("one of {}", list.join(", ")),
        value.to_string(),
    ))
}

/// A string matching a documented pattern. `cell` keeps the compiled pattern for the process.
pub fn pattern(
    field: &str,
    value: &str,
    source: &'static str,
    cell: &OnceLock<Option<regex_lite::Regex>>,
) -> Checked {
    // The generator compiled every pattern already; one that fails here is skipped, not fatal.
    let Some(regex) = cell.get_or_init(|| regex_lite::Regex::new(source).ok()) else {
        return Ok(());
    };
    if regex.is_match(value) {
        return Ok(());
    }
    Err(Violation::new(
        field,
        format!("matching `{source}`"),
        format!("{value:?}"),
    ))
}

/// A file's size in bytes, when it is known before sending.
pub fn size(field: &str, bytes: Option<u64>, min: Option<u64>, max: Option<u64>) -> Checked {
    let Some(n) = bytes else { return Ok(()) };
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        return Err(Violation::new(
            field,
            format!("{} bytes", bounds(min, max)),
            format!("{n} bytes"),
        ));
    }
    Ok(())
}

/// At least one of several optional parameters is given (and not empty).
pub fn at_least_one(fields: &[(&str, bool)]) -> Checked {
    if fields.iter().any(|(_, given)| *given) {
        return Ok(());
    }
    let names: Vec<String> = fields.iter().map(|(n, _)| format!("`{n}`")).collect();
    Err(Violation {
        field: fields.iter().map(|(n, _)| *n).collect::<Vec<_>>().join("/"),
        limit: format!("given: at least one of {}", names.join(", ")),
        found: "none".to_string(),
    })
}

/// At most one of several optional parameters is given.
pub fn at_most_one(fields: &[(&str, bool)]) -> Checked {
    let given: Vec<&str> = fields.iter().filter(|(_, g)| *g).map(|(n, _)| *n).collect();
    if given.len() <= 1 {
        return Ok(());
    }
    let names: Vec<String> = fields.iter().map(|(n, _)| format!("`{n}`")).collect();
    Err(Violation {
        field: given.join("/"),
        limit: format!("given alone: at most one of {}", names.join(", ")),
        found: format!("{} given", given.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_bytes_or_characters() {
        assert!(length("name", "张三", None, Some(2), false).is_ok());
        let err = length("name", "张三", None, Some(2), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`name` must be at most 2 bytes long, found 6 bytes"
        );
        assert!(length("id", "", Some(1), Some(64), true).is_err());
    }

    #[test]
    fn paths_compose() {
        let v = items("", 3, None, Some(2)).unwrap_err();
        assert_eq!(v.at(1).within("articles").field, "articles[1]");
        let v = length("title", "xxx", None, Some(2), true).unwrap_err();
        assert_eq!(v.at(2).within("articles").field, "articles[2].title");
    }

    #[test]
    fn rules_across_fields() {
        assert!(at_least_one(&[("touser", false), ("toparty", true)]).is_ok());
        let err = at_least_one(&[("userlist", false), ("partylist", false)]).unwrap_err();
        assert!(
            err.to_string()
                .contains("at least one of `userlist`, `partylist`"),
            "{err}"
        );
        assert!(at_most_one(&[("a", true), ("b", true)]).is_err());
        assert!(one_of_int("size_type", 5, &[1, 2, 3, 4]).is_err());
        assert!(one_of_str("kind", "image", &["image", "voice"]).is_ok());
    }
}
