//! Rules across the fields of one request or object: `at_least_one_of`, `at_most_one_of`,
//! `requires`, each optionally limited to a case (`when: { card_type: news_notice }`,
//! `if_given: action_menu`).

use super::*;
use crate::spec::{Loc, Scalar};

/// Lowers one constraint over `fields`; `noun` says what a name must be ("a parameter of this
/// endpoint", "a field of `TemplateCard`").
pub(super) fn lower(
    cx: &mut Cx,
    file: FileId,
    c: &Loc<spec::Constraint>,
    fields: &[Field],
    noun: &str,
) -> Option<Constraint> {
    let at = cx.span(file, c);
    let v = &c.value;
    type Make = fn(Vec<String>) -> Constraint;
    let kinds: Vec<(&Vec<Loc<String>>, Make, usize)> = [
        (&v.at_least_one_of, Constraint::AtLeastOneOf as Make, 2),
        (&v.at_most_one_of, Constraint::AtMostOneOf as Make, 2),
        (&v.requires, Constraint::Requires as Make, 1),
    ]
    .into_iter()
    .filter_map(|(names, make, min)| names.as_ref().map(|n| (n, make, min)))
    .collect();
    let [(names, make, min)] = kinds.as_slice() else {
        cx.error(
            Code::ConstraintShape,
            &at,
            "a constraint is one of `at_least_one_of`, `at_most_one_of` or `requires`",
        );
        return None;
    };
    let conditional = v.when.is_some() || v.if_given.is_some();
    if v.when.is_some() && v.if_given.is_some() {
        cx.error(
            Code::ConstraintShape,
            &at,
            "a constraint has at most one condition: `when` or `if_given`",
        );
        return None;
    }
    if v.requires.is_some() && !conditional {
        cx.error(
            Code::ConstraintShape,
            &at,
            "`requires` without `when` or `if_given` is `required: true` on each field",
        );
        return None;
    }
    if names.len() < *min {
        cx.error(
            Code::ConstraintShape,
            &at,
            "a constraint names at least two fields",
        );
    }
    let mut ok = true;
    for n in names.iter() {
        let nat = cx.span(file, n);
        match fields.iter().find(|p| p.wire == n.value) {
            None => {
                cx.error(
                    Code::ConstraintShape,
                    &nat,
                    format!("`{}` is not {noun}", n.value),
                );
                ok = false;
            }
            Some(p) if p.required => {
                cx.error(
                    Code::ConstraintShape,
                    &nat,
                    format!(
                        "`{}` is required already; constraints relate optional fields",
                        n.value
                    ),
                );
                ok = false;
            }
            Some(_) => {}
        }
    }
    let rule = make(names.iter().map(|n| n.value.clone()).collect());
    let rule = if let Some(when) = &v.when {
        let wat = cx.span(file, when);
        let mut entries = when.value.iter();
        let (Some((field, values)), None) = (entries.next(), entries.next()) else {
            cx.error(
                Code::ConstraintShape,
                &wat,
                "`when` names exactly one field and its values",
            );
            return None;
        };
        if !fields.iter().any(|p| &p.wire == field) {
            cx.error(Code::ConstraintShape, &wat, format!("`{field}` is not {noun}"));
            ok = false;
        }
        let mut out = Vec::new();
        for value in values.values() {
            match value {
                Scalar::Int(i) => out.push(ConstraintValue::Int(*i)),
                Scalar::Str(s) => out.push(ConstraintValue::Str(s.clone())),
                other => {
                    cx.error(
                        Code::ConstraintShape,
                        &wat,
                        format!("`when` compares with integers and strings, not {other}"),
                    );
                    ok = false;
                }
            }
        }
        if out.is_empty() {
            cx.error(Code::ConstraintShape, &wat, "`when` needs at least one value");
            ok = false;
        }
        Constraint::When {
            field: field.clone(),
            values: out,
            then: Box::new(rule),
        }
    } else if let Some(given) = &v.if_given {
        if !fields.iter().any(|p| p.wire == given.value) {
            let gat = cx.span(file, given);
            cx.error(
                Code::ConstraintShape,
                &gat,
                format!("`{}` is not {noun}", given.value),
            );
            ok = false;
        }
        Constraint::IfGiven {
            field: given.value.clone(),
            then: Box::new(rule),
        }
    } else {
        rule
    };
    ok.then_some(rule)
}
