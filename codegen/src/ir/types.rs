//! The little language of field types: `string`, `u32`, `list<Member>`, `piped<string>`.

/// A parsed type expression; `offset` is the byte offset of `name` within the written text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeExpr {
    pub name: String,
    pub args: Vec<TypeExpr>,
    pub offset: usize,
}

/// A syntax error with the byte offset it was noticed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
}

pub fn parse(text: &str) -> Result<TypeExpr, SyntaxError> {
    let mut parser = Parser { text, pos: 0 };
    let expr = parser.expr()?;
    parser.skip_space();
    if parser.pos != text.len() {
        return Err(parser.error(format!("unexpected `{}` after the type", &text[parser.pos..])));
    }
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: String) -> SyntaxError {
        SyntaxError {
            message,
            offset: self.pos,
        }
    }

    fn skip_space(&mut self) {
        while self.text[self.pos..].starts_with(' ') {
            self.pos += 1;
        }
    }

    fn expr(&mut self) -> Result<TypeExpr, SyntaxError> {
        self.skip_space();
        let offset = self.pos;
        let name_len = self.text[self.pos..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.text.len() - self.pos);
        if name_len == 0 {
            return Err(self.error("expected a type name".into()));
        }
        let name = self.text[self.pos..self.pos + name_len].to_string();
        self.pos += name_len;
        self.skip_space();
        let mut args = Vec::new();
        if self.text[self.pos..].starts_with('<') {
            self.pos += 1;
            loop {
                args.push(self.expr()?);
                self.skip_space();
                if self.text[self.pos..].starts_with(',') {
                    self.pos += 1;
                    continue;
                }
                if self.text[self.pos..].starts_with('>') {
                    self.pos += 1;
                    break;
                }
                return Err(self.error(format!("expected `>` to close `{name}<`")));
            }
        }
        Ok(TypeExpr { name, args, offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_generics_parse_with_offsets() {
        let expr = parse("list<map<Member>>").unwrap();
        assert_eq!(expr.name, "list");
        assert_eq!(expr.args[0].name, "map");
        assert_eq!(expr.args[0].args[0].name, "Member");
        assert_eq!(expr.args[0].args[0].offset, 9);
    }

    #[test]
    fn unclosed_generic_is_an_error() {
        let err = parse("list<string").unwrap_err();
        assert!(err.message.contains("close"), "{err:?}");
        assert!(parse("list<>").is_err());
        assert!(parse("string extra").is_err());
    }
}
