//! Macro invocations laid out by hand. `prettyplease` prints a macro's tokens as flowing text,
//! which makes the one-line-per-field invocations of the runtime's `rt::wire!`, `rt::setters!`
//! and `rt::int_enum!` unreadable; those are written as text here, held aside while the rest of
//! the file is formatted, and put back in place afterwards.

use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

thread_local! {
    static TEXTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// An item whose text is `text`, standing in the token stream as a placeholder.
pub fn item(text: String) -> TokenStream {
    let n = TEXTS.with(|t| {
        let mut t = t.borrow_mut();
        t.push(text);
        t.len() - 1
    });
    let placeholder = format_ident!("__verbatim_{n}");
    quote!(#placeholder!();)
}

/// Puts the held texts back in place of their placeholders and forgets them.
pub fn splice(formatted: &str) -> String {
    let texts = TEXTS.with(|t| std::mem::take(&mut *t.borrow_mut()));
    if texts.is_empty() {
        return formatted.to_string();
    }
    let mut out = String::with_capacity(formatted.len());
    for line in formatted.split_inclusive('\n') {
        let trimmed = line.trim();
        let index = trimmed
            .strip_prefix("__verbatim_")
            .and_then(|rest| rest.strip_suffix("!();"))
            .and_then(|n| n.parse::<usize>().ok());
        match index.and_then(|i| texts.get(i)) {
            Some(text) => {
                out.push_str(text);
                if !text.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Forgets held texts (after a file failed to render).
pub fn clear() {
    TEXTS.with(|t| t.borrow_mut().clear());
}

/// How `prettyplease` writes a type.
pub fn ty(tokens: &TokenStream) -> String {
    let file: Result<syn::File, _> = syn::parse2(quote!(type __T = #tokens;));
    match file {
        Ok(file) => {
            let text = prettyplease::unparse(&file);
            text.trim()
                .trim_start_matches("type __T = ")
                .trim_end_matches(';')
                .to_string()
        }
        Err(_) => tokens.to_string(),
    }
}

/// How `prettyplease` writes an expression.
pub fn expr(tokens: &TokenStream) -> String {
    let file: Result<syn::File, _> = syn::parse2(quote!(const __E: () = #tokens;));
    match file {
        Ok(file) => {
            let text = prettyplease::unparse(&file);
            text.trim()
                .trim_start_matches("const __E: () = ")
                .trim_end_matches(';')
                .to_string()
        }
        Err(_) => tokens.to_string(),
    }
}

/// `/// text` lines at `indent`.
pub fn doc_lines(text: &str, indent: &str) -> String {
    let mut out = String::new();
    for line in text.trim_end().lines() {
        if line.is_empty() {
            out.push_str(&format!("{indent}///\n"));
        } else {
            out.push_str(&format!("{indent}/// {line}\n"));
        }
    }
    out
}
