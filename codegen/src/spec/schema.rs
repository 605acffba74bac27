//! The JSON Schemas of the spec files, generated from the structs that read them, so an editor
//! completes and checks a file as it is typed exactly as the generator will read it.

use schemars::generate::SchemaSettings;

use super::model::{CredentialsFile, GroupFile, SharedFile};

/// Where the schemas live, relative to the workspace root.
pub const DIR: &str = "spec/schema";
/// The schemas' folder within `spec/`; it is not a group.
pub const FOLDER: &str = "schema";

/// `(file name, JSON text)` of every schema: a group file, `shared.yaml`, `credentials.yaml`.
pub fn schemas() -> Vec<(&'static str, String)> {
    let settings = SchemaSettings::draft07();
    let render = |schema: schemars::Schema| {
        let mut map = serde_json::Map::new();
        map.insert(
            "$comment".into(),
            format!(
                "{} from codegen/src/spec/model.rs — do not edit",
                crate::emit::GENERATED_MARKER
            )
            .into(),
        );
        if let serde_json::Value::Object(rest) = schema.to_value() {
            map.extend(rest);
        }
        let mut text = serde_json::to_string_pretty(&map).unwrap_or_default();
        text.push('\n');
        text
    };
    vec![
        (
            "group.json",
            render(
                settings
                    .clone()
                    .into_generator()
                    .into_root_schema_for::<GroupFile>(),
            ),
        ),
        (
            "shared.json",
            render(
                settings
                    .clone()
                    .into_generator()
                    .into_root_schema_for::<SharedFile>(),
            ),
        ),
        (
            "credentials.json",
            render(
                settings
                    .into_generator()
                    .into_root_schema_for::<CredentialsFile>(),
            ),
        ),
    ]
}

/// The first line of a spec file in `spec/<group>/`, pointing editors at the schema.
pub fn modeline(kind: &str, depth: usize) -> String {
    let up = "../".repeat(depth);
    format!("# yaml-language-server: $schema={up}schema/{kind}.json")
}
