//! The official error-code table: ascending, unique codes, known classes.

use super::*;

pub fn lower_error_codes(
    files: &Files,
    file: FileId,
    table: &spec::ErrorCodes,
) -> Result<Vec<ErrorCode>, Vec<Diagnostic>> {
    let mut cx = Cx {
        files,
        diagnostics: Vec::new(),
    };
    let mut out: Vec<ErrorCode> = Vec::new();
    for entry in &table.codes {
        let row = &entry.value;
        let Some(class) = ErrorClass::parse(&row.class.value) else {
            let at = cx.span(file, &row.class);
            let known: Vec<&str> = ErrorClass::ALL.iter().map(|(n, _)| *n).collect();
            cx.error(
                Code::BadValue,
                &at,
                format!("unknown class `{}`: use {}", row.class.value, known.join(", ")),
            );
            continue;
        };
        if let Some(previous) = out.last()
            && previous.code >= row.code.value
        {
            let message = if previous.code == row.code.value {
                format!("error code {} is listed twice", row.code.value)
            } else {
                format!(
                    "error code {} is out of order (after {})",
                    row.code.value, previous.code
                )
            };
            let at = cx.span(file, &row.code);
            cx.error(Code::ErrcodeOrder, &at, message);
            continue;
        }
        let mut name = None;
        if let Some(given) = &row.name {
            let at = cx.span(file, given);
            let screaming = !given.value.is_empty()
                && given.value.starts_with(|c: char| c.is_ascii_uppercase())
                && given
                    .value
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !screaming {
                cx.error(
                    Code::BadValue,
                    &at,
                    format!("`name: {}` must be SCREAMING_SNAKE_CASE", given.value),
                );
            } else if out
                .iter()
                .any(|e| e.name.as_deref() == Some(given.value.as_str()))
            {
                cx.error(
                    Code::DuplicateName,
                    &at,
                    format!("`name: {}` is given to another code too", given.value),
                );
            } else {
                name = Some(given.value.clone());
            }
        }
        out.push(ErrorCode {
            code: row.code.value,
            meaning: row.meaning.value.trim().to_string(),
            hint: row.hint.clone().unwrap_or_default().trim().to_string(),
            class,
            name,
        });
    }
    if cx.diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(cx.diagnostics)
    }
}
