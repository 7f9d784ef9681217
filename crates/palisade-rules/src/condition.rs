//! The condition language (Falco's filter syntax): a lexer and a recursive-descent parser
//! producing an [`Ast`]. Precedence, lowest first: `or`, `and`, `not`; parentheses group.
//! A check is `FIELD OP VALUE`, `FIELD in (A, B, ...)`, `FIELD in LIST_NAME` or
//! `FIELD exists`; a bare name without a dot is a macro reference. Errors carry the byte
//! offset in the condition text where they were found.

/// Deepest nesting of parentheses and `not` accepted.
pub const MAX_NESTING: usize = 100;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    IContains,
    StartsWith,
    EndsWith,
    Glob,
    IGlob,
    Regex,
    In,
    Intersects,
    PMatch,
    Exists,
}

impl Op {
    pub fn from_word(w: &str) -> Option<Op> {
        Some(match w {
            "=" | "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "contains" | "bcontains" => Op::Contains,
            "icontains" => Op::IContains,
            "startswith" | "bstartswith" => Op::StartsWith,
            "endswith" => Op::EndsWith,
            "glob" => Op::Glob,
            "iglob" => Op::IGlob,
            "regex" => Op::Regex,
            "in" => Op::In,
            "intersects" => Op::Intersects,
            "pmatch" => Op::PMatch,
            "exists" => Op::Exists,
            _ => return None,
        })
    }

    /// Operators whose right-hand side is a list.
    pub fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }
}

/// A literal on the right of an operator (or inside a list), with its offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operand {
    pub text: String,
    pub at: usize,
    /// Quoted strings are never list names.
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rhs {
    None,
    Value(Operand),
    List(Vec<Operand>),
    /// `in NAME` without parentheses: a list by name.
    ListName(Operand),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ast {
    And(Vec<Ast>),
    Or(Vec<Ast>),
    Not(Box<Ast>),
    Check {
        field: String,
        arg: Option<String>,
        op: Op,
        rhs: Rhs,
        at: usize,
    },
    Macro {
        name: String,
        at: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub at: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Word(String),
    Str(String),
    End,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn skip_ws(&mut self) {
        let rest = &self.src[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// The next token and its offset.
    fn next(&mut self) -> Result<(Tok, usize), ParseError> {
        self.skip_ws();
        let start = self.pos;
        let rest = &self.src[self.pos..];
        let Some(c) = rest.chars().next() else {
            return Ok((Tok::End, start));
        };
        match c {
            '(' => {
                self.pos += 1;
                Ok((Tok::LParen, start))
            }
            ')' => {
                self.pos += 1;
                Ok((Tok::RParen, start))
            }
            ',' => {
                self.pos += 1;
                Ok((Tok::Comma, start))
            }
            '"' | '\'' => {
                let mut out = String::new();
                let mut chars = rest.char_indices().skip(1);
                while let Some((i, ch)) = chars.next() {
                    if ch == c {
                        self.pos += i + 1;
                        return Ok((Tok::Str(out), start));
                    }
                    if ch == '\\' {
                        match chars.next() {
                            Some((_, e)) => out.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            }),
                            None => break,
                        }
                    } else {
                        out.push(ch);
                    }
                }
                Err(ParseError {
                    at: start,
                    message: "unterminated string".into(),
                })
            }
            '=' | '!' | '<' | '>' => {
                let two = rest.get(..2).unwrap_or("");
                let op = if matches!(two, "==" | "!=" | "<=" | ">=") {
                    two
                } else if c == '!' {
                    return Err(ParseError {
                        at: start,
                        message: "unexpected `!` (did you mean `!=` or `not`?)".into(),
                    });
                } else {
                    &rest[..1]
                };
                self.pos += op.len();
                Ok((Tok::Word(op.to_string()), start))
            }
            _ => {
                // A bare word: a field (with an optional `[argument]`), a keyword, a macro or
                // list name, or an unquoted value.
                let mut end = 0;
                let mut bracket = false;
                for (i, ch) in rest.char_indices() {
                    if bracket {
                        if ch == ']' {
                            bracket = false;
                        }
                        end = i + ch.len_utf8();
                        continue;
                    }
                    if ch.is_whitespace() || matches!(ch, '(' | ')' | ',' | '=' | '<' | '>' | '"') {
                        break;
                    }
                    if ch == '!' && rest[i..].starts_with("!=") {
                        break;
                    }
                    if ch == '[' {
                        bracket = true;
                    }
                    end = i + ch.len_utf8();
                }
                if bracket {
                    return Err(ParseError {
                        at: start,
                        message: "unclosed `[` in field argument".into(),
                    });
                }
                self.pos += end;
                Ok((Tok::Word(rest[..end].to_string()), start))
            }
        }
    }
}

struct Parser<'a> {
    lex: Lexer<'a>,
    tok: Tok,
    at: usize,
    depth: usize,
}

/// Parses a condition.
pub fn parse(src: &str) -> Result<Ast, ParseError> {
    let mut lex = Lexer { src, pos: 0 };
    let (tok, at) = lex.next()?;
    let mut p = Parser {
        lex,
        tok,
        at,
        depth: 0,
    };
    if p.tok == Tok::End {
        return Err(p.error("empty condition"));
    }
    let ast = p.or()?;
    if p.tok != Tok::End {
        return Err(p.error(format!(
            "unexpected {} after the condition",
            describe(&p.tok)
        )));
    }
    Ok(ast)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Word(w) => format!("`{w}`"),
        Tok::Str(s) => format!("string {s:?}"),
        Tok::End => "end of condition".into(),
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(w, "and" | "or" | "not")
}

impl Parser<'_> {
    fn bump(&mut self) -> Result<(), ParseError> {
        let (tok, at) = self.lex.next()?;
        self.tok = tok;
        self.at = at;
        Ok(())
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            at: self.at,
            message: message.into(),
        }
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.tok, Tok::Word(x) if x == w)
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error(format!("condition nested deeper than {MAX_NESTING}")));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Ast, ParseError> {
        let mut parts = vec![self.and()?];
        while self.is_word("or") {
            self.bump()?;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Ast::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Ast, ParseError> {
        let mut parts = vec![self.not()?];
        while self.is_word("and") {
            self.bump()?;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Ast::And(parts)
        })
    }

    fn not(&mut self) -> Result<Ast, ParseError> {
        if self.is_word("not") {
            self.enter()?;
            self.bump()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Ast::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Ast, ParseError> {
        match self.tok.clone() {
            Tok::LParen => {
                self.enter()?;
                self.bump()?;
                let inner = self.or()?;
                if self.tok != Tok::RParen {
                    return Err(self.error(format!("expected `)`, found {}", describe(&self.tok))));
                }
                self.bump()?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Word(w) if !is_keyword(&w) && Op::from_word(&w).is_none() => {
                let at = self.at;
                self.bump()?;
                let op = match &self.tok {
                    Tok::Word(o) => Op::from_word(o),
                    _ => None,
                };
                let Some(op) = op else {
                    if w.contains('.') || w.contains('[') {
                        return Err(ParseError {
                            at: self.at,
                            message: format!(
                                "expected an operator after field `{w}`, found {}",
                                describe(&self.tok)
                            ),
                        });
                    }
                    return Ok(Ast::Macro { name: w, at });
                };
                let (field, arg) = split_field(&w).ok_or_else(|| ParseError {
                    at,
                    message: format!("`{w}` is not a field name"),
                })?;
                self.bump()?;
                let rhs = if op == Op::Exists {
                    Rhs::None
                } else if op.takes_list() {
                    self.list()?
                } else {
                    Rhs::Value(self.operand()?)
                };
                Ok(Ast::Check {
                    field,
                    arg,
                    op,
                    rhs,
                    at,
                })
            }
            other => Err(self.error(format!(
                "expected a field check, a macro or `(`, found {}",
                describe(&other)
            ))),
        }
    }

    fn operand(&mut self) -> Result<Operand, ParseError> {
        let at = self.at;
        let (text, quoted) = match &self.tok {
            Tok::Word(w) if !is_keyword(w) => (w.clone(), false),
            Tok::Str(s) => (s.clone(), true),
            other => return Err(self.error(format!("expected a value, found {}", describe(other)))),
        };
        self.bump()?;
        Ok(Operand { text, at, quoted })
    }

    fn list(&mut self) -> Result<Rhs, ParseError> {
        if self.tok != Tok::LParen {
            // `in some_list`
            let operand = self.operand()?;
            return Ok(Rhs::ListName(operand));
        }
        self.bump()?;
        let mut items = Vec::new();
        if self.tok == Tok::RParen {
            self.bump()?;
            return Ok(Rhs::List(items));
        }
        loop {
            items.push(self.operand()?);
            match self.tok {
                Tok::Comma => self.bump()?,
                Tok::RParen => {
                    self.bump()?;
                    return Ok(Rhs::List(items));
                }
                _ => {
                    return Err(self.error(format!(
                        "expected `,` or `)` in list, found {}",
                        describe(&self.tok)
                    )))
                }
            }
        }
    }
}

/// `ka.verb` → (`ka.verb`, None); `jevt.value[/a/b]` → (`jevt.value`, Some(`/a/b`)).
pub fn split_field(w: &str) -> Option<(String, Option<String>)> {
    let (name, arg) = match w.find('[') {
        Some(i) => {
            let arg = w[i + 1..].strip_suffix(']')?;
            let arg = arg
                .strip_prefix('"')
                .and_then(|a| a.strip_suffix('"'))
                .or_else(|| arg.strip_prefix('\'').and_then(|a| a.strip_suffix('\'')))
                .unwrap_or(arg);
            (&w[..i], Some(arg.to_string()))
        }
        None => (w, None),
    };
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    ok.then(|| (name.to_string(), arg))
}
