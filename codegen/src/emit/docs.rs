//! The words of the generated rustdoc: summaries, the `METHOD /path` line, limits in prose.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Endpoint, Field, LengthUnit, LimitValue, Limits};

/// `#[doc = "…"]` attributes, one per line, so prettyplease prints them as `///` lines.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// The limits of one field in words, e.g. `1 to 64 bytes; matches ^[a-z]+$`.
pub fn limits_text(limits: &Limits) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((min, max, unit)) = limits.length {
        let unit = match unit {
            LengthUnit::Bytes => "bytes (UTF-8)",
            LengthUnit::Chars => "characters",
        };
        out.push(format!("length {} {unit}", bounds_text(min, max)));
    }
    if let Some((min, max)) = limits.items {
        let noun = if min.max(max) == Some(1) { "item" } else { "items" };
        out.push(format!("{} {noun}", bounds_text(min, max)));
    }
    if let Some((min, max)) = limits.range {
        out.push(format!("value {}", bounds_text(min, max)));
    }
    if !limits.values.is_empty() {
        let values: Vec<String> = limits
            .values
            .iter()
            .map(|v| match v {
                LimitValue::Int(i) => i.to_string(),
                LimitValue::Str(s) => format!("`{s}`"),
            })
            .collect();
        out.push(format!("one of {}", values.join(", ")));
    }
    if let Some(pattern) = &limits.pattern {
        out.push(format!("matches `{pattern}`"));
    }
    out
}

fn bounds_text<T: std::fmt::Display + PartialEq>(min: Option<T>, max: Option<T>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) if lo == hi => format!("exactly {lo}"),
        (Some(lo), Some(hi)) => format!("{lo} to {hi}"),
        (Some(lo), None) => format!("at least {lo}"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => String::new(),
    }
}

/// The doc of one field: its description, then limits and default.
pub fn field_doc(field: &Field) -> String {
    let mut text = if field.description.is_empty() {
        format!("`{}`", field.wire)
    } else {
        prose(&field.description)
    };
    let limits = limits_text(&field.limits);
    if !limits.is_empty() {
        text.push_str(&format!("\n\nLimits: {}.", limits.join("; ")));
    }
    if let Some(default) = &field.default {
        text.push_str(&format!("\n\nServer default: `{default}`."));
    }
    if let Some(note) = &field.deprecated {
        text.push_str(&format!("\n\nDeprecated: {}.", prose(note.trim_end_matches('.'))));
    }
    if !field.alternates.is_empty() {
        let names: Vec<String> = field.alternates.iter().map(|a| format!("`{a}`")).collect();
        text.push_str(&format!(
            "\n\nRequired, unless the deprecated {} is sent in its place (`None` then).",
            names.join(" or ")
        ));
    }
    text
}

/// The one-line doc of a setter: it points at the field, whose doc says everything.
pub fn setter_doc(field: &Field) -> String {
    let first = first_sentence(&field.description);
    if first.is_empty() {
        format!("Sets [`{}`](Self::{}).", field.rust, field.rust)
    } else {
        format!("Sets [`{}`](Self::{}): {}", field.rust, field.rust, prose(&first))
    }
}

/// The description up to its first full stop (Chinese or English), at most 80 characters.
pub fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|(_, c)| matches!(c, '。' | '；' | '\n'))
        .map_or(text.len(), |(i, _)| i);
    let sentence: String = text[..end].chars().take(80).collect();
    let sentence = sentence.trim_end_matches(['，', ',', '：', ':']).to_string();
    if sentence.chars().count() < text[..end].chars().count() {
        format!("{sentence}…")
    } else {
        sentence
    }
}

/// The doc shared by an endpoint's request type and its method: summary, route, link, limits.
pub fn endpoint_doc(endpoint: &Endpoint) -> String {
    let mut text = format!(
        "{}\n\n`{} {}` · [official docs]({})",
        prose(&endpoint.summary),
        endpoint.method.as_str(),
        endpoint.path,
        endpoint.doc
    );
    if let Some(note) = &endpoint.deprecated {
        text.push_str(&format!("\n\n**Deprecated:** {}.", prose(note)));
    }
    if let Some(description) = &endpoint.description {
        text.push_str(&format!("\n\n{}", prose(description)));
    }
    let mut limits: Vec<String> = endpoint
        .params
        .iter()
        .filter_map(|p| {
            let words = limits_text(&p.limits);
            (!words.is_empty()).then(|| format!("- `{}`: {}", p.wire, words.join("; ")))
        })
        .collect();
    for c in &endpoint.constraints {
        limits.push(format!("- {}", c.sentence()));
    }
    if !limits.is_empty() {
        text.push_str("\n\n# Limits\n\n");
        text.push_str(&limits.join("\n"));
    }
    text
}

/// The short doc of a group-handle method: what, where, and where the details are.
pub fn method_doc(endpoint: &Endpoint) -> String {
    format!(
        "{}\n\n`{} {}` · [official docs]({})\n\nParameters, their limits and setters: [`{}`].",
        prose(&endpoint.summary),
        endpoint.method.as_str(),
        endpoint.path,
        endpoint.doc,
        endpoint.request_type
    )
}

/// Makes spec prose safe for rustdoc: HTML-looking text (`<div>`), bare URLs and bracketed words
/// (`[userid]`) would otherwise be read as markup and fail `-D warnings` doc builds.
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part); // inside a code span: verbatim
            continue;
        }
        let mut rest = part;
        while !rest.is_empty() {
            if let Some(url_len) = url_at(rest) {
                out.push('<');
                out.push_str(&rest[..url_len]);
                out.push('>');
                rest = &rest[url_len..];
                continue;
            }
            let c = rest.chars().next().unwrap_or_default();
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '[' => out.push_str("\\["),
                ']' => out.push_str("\\]"),
                '*' | '_' | '#' | '|' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The length of a URL at the start of `text`, if one starts there.
fn url_at(text: &str) -> Option<usize> {
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return None;
    }
    let end = text
        .find(|c: char| c.is_whitespace() || !c.is_ascii() || matches!(c, '"' | '\'' | '<' | '>' | ')' | ']'))
        .unwrap_or(text.len());
    let trimmed = text[..end].trim_end_matches(['.', ',', ';', ':']);
    Some(trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_escapes_markup_but_keeps_code_and_links_usable() {
        assert_eq!(
            prose("<div class=\"gray\">见 https://a.b/c。 [userid] `a<b>`"),
            "&lt;div class=\"gray\"&gt;见 <https://a.b/c>。 \\[userid\\] `a<b>`"
        );
    }
}
