//! Naming rules, and the names the hand-written runtime already uses. Those are read from the
//! runtime's own source ([`Reserved::scan`]), so a clash between a generated and a hand-written
//! name is reported at its spec line instead of surfacing as a rustc error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

pub(crate) static SNAKE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]*$").unwrap());
pub(crate) static PASCAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z][A-Za-z0-9]*$").unwrap());
pub(crate) static API_PATH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^/cgi-bin(/[a-z0-9_]+)+$").unwrap());

pub(crate) const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try",
];

/// Names the generated modules see unqualified (Rust's prelude and the generated files' own
/// imports): a type of the spec may not take them.
pub(crate) const PRELUDE_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "BTreeMap",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Into",
    "From",
    "Iterator",
    "IntoIterator",
    "Call",
    "DownloadCall",
    "Upload",
    "Secret",
    "Client",
    "Value",
    "Self",
];

/// The names the hand-written runtime of wecom-sdk uses, where generated names could collide with
/// them.
#[derive(Debug, Clone, Default)]
pub struct Reserved {
    /// Items at the crate root (`wecom_sdk::<name>`): modules, types, functions, re-exports.
    pub root: BTreeSet<String>,
    /// Methods of `Client`: a group's accessor `client.<group>()` may not take one.
    pub client_methods: BTreeSet<String>,
    /// Methods of `Call<R>` and `DownloadCall<R>`: a setter may not take one.
    pub call_methods: BTreeSet<String>,
    /// Hand-written methods of each group handle (`DepartmentApi` → `map_users`).
    pub api_methods: BTreeMap<String, BTreeSet<String>>,
    /// Where the names were read from, for messages.
    pub source: String,
}

impl Reserved {
    /// Reads the names from the runtime's sources under `src` (the crate's `src/`), skipping the
    /// generated folder.
    pub fn scan(src: &Path) -> Result<Reserved, String> {
        let mut reserved = Reserved {
            source: "wecom-sdk/src".into(),
            ..Reserved::default()
        };
        let mut stack = vec![src.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if path.file_name().is_some_and(|n| n != "generated") {
                        stack.push(path);
                    }
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                let file = syn::parse_file(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                let is_root = path.file_name().is_some_and(|n| n == "lib.rs") && path.parent() == Some(src);
                reserved.read_file(&file, is_root);
            }
        }
        Ok(reserved)
    }

    fn read_file(&mut self, file: &syn::File, is_root: bool) {
        for item in &file.items {
            if is_root {
                self.read_root_item(item);
            }
            self.read_impls(item);
        }
    }

    fn read_root_item(&mut self, item: &syn::Item) {
        let name = match item {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
            syn::Item::Trait(t) => Some(t.ident.to_string()),
            syn::Item::Type(t) => Some(t.ident.to_string()),
            syn::Item::Const(c) => Some(c.ident.to_string()),
            syn::Item::Static(s) => Some(s.ident.to_string()),
            syn::Item::Use(u) => {
                collect_use_names(&u.tree, &mut self.root);
                None
            }
            _ => None,
        };
        if let Some(name) = name {
            self.root.insert(name);
        }
    }

    fn read_impls(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Impl(block) if block.trait_.is_none() => {
                let Some(target) = type_name(&block.self_ty) else {
                    return;
                };
                let methods = block.items.iter().filter_map(|i| match i {
                    syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
                    _ => None,
                });
                match target.as_str() {
                    "Client" => self.client_methods.extend(methods),
                    "Call" | "DownloadCall" => self.call_methods.extend(methods),
                    api if api.ends_with("Api") => {
                        self.api_methods
                            .entry(api.to_string())
                            .or_default()
                            .extend(methods);
                    }
                    _ => {}
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    for inner in items {
                        self.read_impls(inner);
                    }
                }
            }
            _ => {}
        }
    }
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn collect_use_names(tree: &syn::UseTree, out: &mut BTreeSet<String>) {
    match tree {
        syn::UseTree::Path(p) => collect_use_names(&p.tree, out),
        syn::UseTree::Name(n) => {
            out.insert(n.ident.to_string());
        }
        syn::UseTree::Rename(r) => {
            out.insert(r.rename.to_string());
        }
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| collect_use_names(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// The Rust name of a wire name: snake_case, `_` after keywords; `None` when it has none.
pub(crate) fn rust_field_name(wire: &str) -> Option<String> {
    let snake = heck::AsSnakeCase(wire).to_string();
    if !SNAKE.is_match(&snake) {
        return None;
    }
    Some(if RUST_KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    })
}
