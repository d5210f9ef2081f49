//! SQL text → statements, including DSQL's `AWS IAM GRANT` / `AWS IAM REVOKE`.
//!
//! sqlparser does not know DSQL's two IAM statements, so parsing walks the text statement by
//! statement with sqlparser's own [`Parser`]: where a statement starts with the words `AWS IAM`
//! it reads the IAM statement from the token stream itself, otherwise it lets sqlparser parse
//! the statement. Quoting, comments and `;` inside strings are therefore handled exactly as
//! for every other statement, in the simple protocol (many statements per string) and in the
//! extended one (Parse).
//!
//! ```text
//! CREATE ROLE app WITH LOGIN; AWS IAM GRANT app TO 'arn:aws:iam::123456789012:role/app'
//! └──────── sqlparser ──────┘ └──────────────── read here ───────────────────────────┘
//! ```

use crate::error::{Error, Result};
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// One parsed statement.
// sqlparser's `Statement` is large, but it was passed around unboxed before IAM statements
// existed; boxing it would only add an allocation per statement.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    /// A statement sqlparser understands.
    Sql(Statement),
    /// `AWS IAM GRANT role TO 'arn'` or `AWS IAM REVOKE role FROM 'arn'`.
    AwsIam(AwsIam),
}

impl Parsed {
    /// The sqlparser statement, if this is one.
    pub fn sql(&self) -> Option<&Statement> {
        match self {
            Parsed::Sql(s) => Some(s),
            Parsed::AwsIam(_) => None,
        }
    }
}

impl From<Statement> for Parsed {
    fn from(statement: Statement) -> Parsed {
        Parsed::Sql(statement)
    }
}

impl std::fmt::Display for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Parsed::Sql(s) => s.fmt(f),
            Parsed::AwsIam(iam) => iam.fmt(f),
        }
    }
}

/// DSQL's statement mapping an IAM principal to a database role (or removing the mapping).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsIam {
    /// GRANT (true) or REVOKE (false).
    pub grant: bool,
    /// The database role (normalized: lower case unless quoted).
    pub role: String,
    /// The IAM principal's ARN, exactly as written (validated when planned).
    pub arn: String,
}

impl std::fmt::Display for AwsIam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (verb, prep) = if self.grant {
            ("GRANT", "TO")
        } else {
            ("REVOKE", "FROM")
        };
        write!(
            f,
            "AWS IAM {verb} {} {prep} '{}'",
            self.role,
            self.arn.replace('\'', "''")
        )
    }
}

/// Parses SQL text into statements (empty statements between `;` are skipped). Text that
/// does not parse is a syntax error here; the protocol layer asks DSQL's refusals first
/// whether it is a statement DSQL refuses (see [`crate::refusals::check_unparsed`]).
pub fn parse_sql(sql: &str) -> Result<Vec<Parsed>> {
    parse_statements(sql).map_err(|e| {
        let text = e.to_string();
        let text = text
            .strip_prefix("sql parser error: ")
            .unwrap_or(&text)
            .to_string();
        Error::syntax(text)
    })
}

fn parse_statements(sql: &str) -> std::result::Result<Vec<Parsed>, ParserError> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(sql)?;
    let mut statements = Vec::new();
    let mut expecting_delimiter = false;
    loop {
        while parser.consume_token(&Token::SemiColon) {
            expecting_delimiter = false;
        }
        if parser.peek_token_ref().token == Token::EOF {
            break;
        }
        if expecting_delimiter {
            return parser.expected_ref("end of statement", parser.peek_token_ref());
        }
        if starts_aws_iam(&parser) {
            statements.push(Parsed::AwsIam(parse_aws_iam(&mut parser)?));
        } else {
            statements.push(Parsed::Sql(parser.parse_statement()?));
        }
        expecting_delimiter = true;
    }
    Ok(statements)
}

fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

fn starts_aws_iam(parser: &Parser) -> bool {
    is_word(&parser.peek_nth_token_ref(0).token, "aws")
        && is_word(&parser.peek_nth_token_ref(1).token, "iam")
}

/// Reads `AWS IAM {GRANT role TO | REVOKE role FROM} 'arn'`.
fn parse_aws_iam(parser: &mut Parser) -> std::result::Result<AwsIam, ParserError> {
    parser.next_token(); // AWS
    parser.next_token(); // IAM
    let grant = if parser.parse_keyword(Keyword::GRANT) {
        true
    } else if parser.parse_keyword(Keyword::REVOKE) {
        false
    } else {
        return parser.expected_ref("GRANT or REVOKE", parser.peek_token_ref());
    };
    let role = crate::names::ident_name(&parser.parse_identifier()?);
    parser.expect_keyword_is(if grant { Keyword::TO } else { Keyword::FROM })?;
    let arn = match parser.next_token().token {
        Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => s,
        _ => return parser.expected_ref("a quoted IAM principal ARN", parser.get_current_token()),
    };
    Ok(AwsIam { grant, role, arn })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iam(grant: bool, role: &str, arn: &str) -> Parsed {
        Parsed::AwsIam(AwsIam {
            grant,
            role: role.into(),
            arn: arn.into(),
        })
    }

    #[test]
    fn iam_statements_mix_with_sql_statements() {
        let parsed = parse_sql(
            "select 1; aws iam grant App to 'arn:aws:iam::123456789012:role/a';\n\
             AWS IAM REVOKE \"App\" FROM 'x''y' ; select ';'",
        )
        .unwrap();
        assert_eq!(parsed.len(), 4);
        assert!(matches!(parsed[0], Parsed::Sql(_)));
        assert_eq!(
            parsed[1],
            iam(true, "app", "arn:aws:iam::123456789012:role/a")
        );
        assert_eq!(parsed[2], iam(false, "App", "x'y"));
        assert_eq!(parsed[3].to_string(), "SELECT ';'");
    }

    #[test]
    fn malformed_iam_statements_are_syntax_errors() {
        for sql in [
            "AWS IAM GRANT r 'arn'",
            "AWS IAM GRANT r TO arn",
            "AWS IAM DELETE r FROM 'a'",
            "AWS IAM REVOKE r TO 'a'",
            "AWS IAM GRANT r TO 'a' extra",
            "AWS IAM",
        ] {
            let err = parse_sql(sql).unwrap_err();
            assert_eq!(err.code(), "42601", "{sql}: {err:?}");
        }
    }

    #[test]
    fn a_column_named_aws_is_not_an_iam_statement() {
        let parsed = parse_sql("select aws from t").unwrap();
        assert!(matches!(parsed[0], Parsed::Sql(_)));
    }

    proptest::proptest! {
        /// Whatever the text, parsing answers statements or an error; it never panics.
        #[test]
        fn arbitrary_text_never_panics(sql in "\\PC{0,200}") {
            let _ = parse_sql(&sql);
        }

        /// The same for texts close to DSQL's own statements: truncated, spliced, re-quoted.
        #[test]
        fn mangled_aws_iam_statements_never_panic(
            cut in 0usize..80,
            insert in "[ ;'\"a-zA-Z0-9:/-]{0,12}",
            at in 0usize..80,
        ) {
            let base = "AWS IAM GRANT app TO 'arn:aws:iam::123456789012:role/app'; SELECT 1";
            let mut sql: String = base.chars().take(cut.max(at)).collect();
            let at = at.min(sql.len());
            if sql.is_char_boundary(at) {
                sql.insert_str(at, &insert);
            }
            let _ = parse_sql(&sql);
        }
    }
}
