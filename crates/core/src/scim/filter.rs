//! SCIM filters (RFC 7644 §3.4.2.2) and PATCH operation paths (§3.5.2): parsing
//! and evaluation against a resource as JSON.
//!
//! Hand-written because the filter crates we could use match strings either
//! always or never case-sensitively, while SCIM decides per attribute
//! (`caseExact` in the schema: `userName` is not, `id` is). The input comes from
//! an identity provider over the network, so parsing is bounded: a length cap,
//! a nesting cap, and errors instead of panics.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

/// Longer filters are refused. Real ones are a few hundred bytes at most; the cap
/// also bounds how deep an `and`/`or` chain (and so `matches`' recursion) can get.
const MAX_BYTES: usize = 4096;
/// Parentheses, `not` and `[...]` nested deeper than this are refused; the parser
/// recurses once per level, so this bounds its stack.
const MAX_DEPTH: usize = 32;

/// Why a filter or PATCH path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// What was expected and the byte offset where it was not found.
    #[error("invalid SCIM filter or path: {0}")]
    Syntax(String),
    #[error("the filter is too long or too deeply nested")]
    TooComplex,
}

/// `[urn:]name[.sub]`, names as written (they are matched case-insensitively).
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    /// The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`.
    pub urn: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: Value,
    },
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `emails[type eq "work" and value co "@example.com"]`: some element of the
    /// multi-valued `attr` matches `filter` (whose paths are relative to the element).
    ValuePath {
        attr: AttrPath,
        filter: Box<Filter>,
    },
}

/// A PATCH operation's `path`: `attrPath` or `attrPath[valFilter]` optionally
/// followed by `.subAttr` (e.g. `members[value eq "2819c223"]`,
/// `emails[type eq "work"].value`, `name.givenName`,
/// `urn:ietf:params:scim:schemas:core:2.0:User:userName`).
///
/// `attr` is the attribute path as written, so `name.givenName` has
/// `attr.sub == Some("givenName")`; `sub` is only what follows `]`. At most one
/// of the two is set, since `name.givenName[...]` is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub value_filter: Option<Filter>,
    pub sub: Option<String>,
}

/// Parses a `filter` query parameter (or a `Filter` in a `/.search` body).
pub fn parse_filter(input: &str) -> Result<Filter, FilterError> {
    let mut parser = Parser::new(input)?;
    let filter = parser.parse_or()?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("expected `and`, `or` or the end of the filter"));
    }
    Ok(filter)
}

/// Parses the `path` of a PATCH operation.
pub fn parse_patch_path(input: &str) -> Result<PatchPath, FilterError> {
    let mut parser = Parser::new(input)?;
    parser.skip_ws();
    let attr = parser.parse_attr_path()?;
    let mut value_filter = None;
    let mut sub = None;
    if parser.peek() == Some(b'[') {
        value_filter = Some(parser.parse_value_filter(&attr)?);
        if parser.peek() == Some(b'.') {
            parser.pos += 1;
            let start = parser.pos;
            let name = parser.take_path_token();
            if !is_attr_name(name) {
                return Err(syntax(start, "expected a sub-attribute name"));
            }
            sub = Some(name.to_owned());
        }
    }
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("expected the end of the path"));
    }
    Ok(PatchPath {
        attr,
        value_filter,
        sub,
    })
}

fn syntax(at: usize, expected: &str) -> FilterError {
    FilterError::Syntax(format!("{expected} at {at}"))
}

/// ALPHA *(nameChar), or `$ref` (RFC 7643 §2.1 and the reference sub-attribute).
fn is_attr_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    s == "$ref"
        || (bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
            && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// Recursive descent over the bytes of the input. Every token boundary is ASCII,
/// so slicing `src` at `pos` always lands on a character boundary.
struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    /// RFC 7644's `valFilter` has no `valuePath`: `a[b[c pr]]` is refused.
    in_value_filter: bool,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Result<Self, FilterError> {
        if src.len() > MAX_BYTES {
            return Err(FilterError::TooComplex);
        }
        Ok(Self {
            src,
            bytes: src.as_bytes(),
            pos: 0,
            depth: 0,
            in_value_filter: false,
        })
    }

    fn error(&self, expected: &str) -> FilterError {
        syntax(self.pos, expected)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// The run of name characters at `at` (a keyword, operator or literal).
    fn word_at(&self, at: usize) -> &'a str {
        let rest = self.src.get(at..).unwrap_or_default();
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
            .count();
        &rest[..len]
    }

    /// Consumes `keyword` (any case) if it is the next word.
    fn eat_keyword(&mut self, keyword: &str) -> bool {
        self.skip_ws();
        let word = self.word_at(self.pos);
        let found = word.eq_ignore_ascii_case(keyword);
        if found {
            self.pos += word.len();
        }
        found
    }

    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), FilterError> {
        self.skip_ws();
        if self.peek() != Some(byte) {
            return Err(self.error(expected));
        }
        self.pos += 1;
        Ok(())
    }

    fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::TooComplex);
        }
        Ok(())
    }

    /// `or` binds loosest; chains are left-associative.
    fn parse_or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_and()?;
        while self.eat_keyword("or") {
            left = Filter::Or(Box::new(left), Box::new(self.parse_and()?));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.parse_factor()?;
        while self.eat_keyword("and") {
            left = Filter::And(Box::new(left), Box::new(self.parse_factor()?));
        }
        Ok(left)
    }

    /// `(filter)`, `not (filter)`, `attr[valFilter]`, `attr pr` or `attr op value`.
    fn parse_factor(&mut self) -> Result<Filter, FilterError> {
        self.skip_ws();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            return self.parse_group();
        }
        // `not` followed by `(` is the operator; otherwise it names an attribute.
        let word = self.word_at(self.pos);
        if word.eq_ignore_ascii_case("not") {
            let after = self.pos + word.len();
            let paren = self.bytes[after..]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .map(|offset| after + offset);
            if let Some(paren) = paren.filter(|at| self.bytes[*at] == b'(') {
                self.pos = paren + 1;
                return Ok(Filter::Not(Box::new(self.parse_group()?)));
            }
        }
        let path = self.parse_attr_path()?;
        if self.peek() == Some(b'[') {
            if self.in_value_filter {
                return Err(self.error("expected an operator (a value filter cannot nest `[`)"));
            }
            let filter = self.parse_value_filter(&path)?;
            return Ok(Filter::ValuePath {
                attr: path,
                filter: Box::new(filter),
            });
        }
        self.skip_ws();
        let word = self.word_at(self.pos);
        let op = match word.to_ascii_lowercase().as_str() {
            "pr" => {
                self.pos += word.len();
                return Ok(Filter::Present(path));
            }
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "co" => CompareOp::Co,
            "sw" => CompareOp::Sw,
            "ew" => CompareOp::Ew,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return Err(self.error("expected an operator")),
        };
        self.pos += word.len();
        let value = self.parse_value()?;
        Ok(Filter::Compare { path, op, value })
    }

    /// The rest of a group whose `(` was consumed.
    fn parse_group(&mut self) -> Result<Filter, FilterError> {
        self.enter()?;
        let inner = self.parse_or()?;
        self.expect(b')', "expected `)`")?;
        self.depth -= 1;
        Ok(inner)
    }

    /// `[valFilter]` after `attr`, at the `[`.
    fn parse_value_filter(&mut self, attr: &AttrPath) -> Result<Filter, FilterError> {
        if attr.sub.is_some() {
            return Err(self.error("expected an operator (`[` cannot follow a sub-attribute)"));
        }
        self.pos += 1;
        self.enter()?;
        self.in_value_filter = true;
        let inner = self.parse_or()?;
        self.expect(b']', "expected `]`")?;
        self.in_value_filter = false;
        self.depth -= 1;
        Ok(inner)
    }

    /// Everything up to whitespace, a bracket, a parenthesis or a quote. URNs
    /// contain `:` and `.` (`...:core:2.0:User`), so a narrower set would cut them.
    fn take_path_token(&mut self) -> &'a str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| !b.is_ascii_whitespace() && !b"[]()\"".contains(&b))
        {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    /// `[urn:]name[.sub]`: the URN is everything before the last `:`.
    fn parse_attr_path(&mut self) -> Result<AttrPath, FilterError> {
        let start = self.pos;
        let token = self.take_path_token();
        let (urn, rest) = match token.rsplit_once(':') {
            Some((urn, rest)) if !urn.is_empty() => (Some(urn.to_owned()), rest),
            Some(_) => return Err(syntax(start, "expected a schema URN before `:`")),
            None => (None, token),
        };
        let (name, sub) = match rest.split_once('.') {
            Some((name, sub)) => (name, Some(sub)),
            None => (rest, None),
        };
        if !is_attr_name(name) || !sub.is_none_or(is_attr_name) {
            return Err(syntax(start, "expected an attribute name"));
        }
        Ok(AttrPath {
            urn,
            name: name.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    /// A JSON literal: string, number, `true`, `false` or `null` (any case,
    /// since some providers send `True`).
    fn parse_value(&mut self) -> Result<Value, FilterError> {
        const EXPECTED: &str = "expected a value (a string, number, true, false or null)";
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                loop {
                    match self.peek() {
                        None => return Err(syntax(start, "unterminated string starting")),
                        Some(b'"') => break,
                        // Skips the escaped byte; if it starts a multi-byte character
                        // its continuation bytes are never `"` or `\`.
                        Some(b'\\') => self.pos += 2,
                        Some(_) => self.pos += 1,
                    }
                }
                self.pos += 1;
                serde_json::from_str::<String>(&self.src[start..self.pos])
                    .map(Value::String)
                    .map_err(|_| syntax(start, "invalid JSON string starting"))
            }
            Some(b) if b == b'-' || b.is_ascii_digit() => {
                while self
                    .peek()
                    .is_some_and(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
                {
                    self.pos += 1;
                }
                match serde_json::from_str::<Value>(&self.src[start..self.pos]) {
                    Ok(number @ Value::Number(_)) => Ok(number),
                    _ => Err(syntax(start, "invalid number")),
                }
            }
            _ => {
                let word = self.word_at(start);
                let value = match word.to_ascii_lowercase().as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => return Err(self.error(EXPECTED)),
                };
                self.pos += word.len();
                Ok(value)
            }
        }
    }
}

impl Filter {
    /// Whether `resource` (a SCIM resource as JSON) matches. `case_exact(name, sub)`
    /// tells, per attribute (names as written in the filter, compare them
    /// lowercased), whether string comparisons are case-sensitive.
    ///
    /// Inside `emails[...]` it is asked about `("emails", Some(inner name))`; for a
    /// multi-valued complex attribute compared without a sub-attribute
    /// (`emails co "x"`), each element's `value` is compared and it is asked
    /// about `(name, Some("value"))`.
    pub fn matches(
        &self,
        resource: &Value,
        case_exact: &dyn Fn(&str, Option<&str>) -> bool,
    ) -> bool {
        match self {
            Filter::Compare { path, op, value } => {
                compare_path(resource, path, *op, value, case_exact)
            }
            Filter::Present(path) => is_present(resource, path),
            Filter::And(left, right) => {
                left.matches(resource, case_exact) && right.matches(resource, case_exact)
            }
            Filter::Or(left, right) => {
                left.matches(resource, case_exact) || right.matches(resource, case_exact)
            }
            Filter::Not(inner) => !inner.matches(resource, case_exact),
            Filter::ValuePath { attr, filter } => {
                let inner_case_exact =
                    |name: &str, _: Option<&str>| case_exact(&attr.name, Some(name));
                values(resource, attr)
                    .into_iter()
                    .filter(|element| element.is_object())
                    .any(|element| filter.matches(element, &inner_case_exact))
            }
        }
    }
}

/// `object[key]` with the key matched case-insensitively (attribute names are,
/// RFC 7643 §2.1), preferring an exact match.
fn get<'v>(object: &'v Value, key: &str) -> Option<&'v Value> {
    let map = object.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The non-null values at `path`, arrays flattened one level: `emails` gives
/// each email object, `emails.type` each email's type. Extension attributes live
/// under their schema URN; the core schema's URN is not a key, so a URN that is
/// not found means "at the top level".
fn values<'v>(resource: &'v Value, path: &AttrPath) -> Vec<&'v Value> {
    let base = path
        .urn
        .as_deref()
        .and_then(|urn| get(resource, urn))
        .filter(|extension| extension.is_object())
        .unwrap_or(resource);
    let Some(attr) = get(base, &path.name) else {
        return Vec::new();
    };
    let elements: Vec<&Value> = match attr {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut found = Vec::new();
    for element in elements {
        match path.sub.as_deref() {
            None => found.push(element),
            Some(sub) => match get(element, sub) {
                Some(Value::Array(items)) => found.extend(items),
                Some(value) => found.push(value),
                None => {}
            },
        }
    }
    found.retain(|value| !value.is_null());
    found
}

/// `pr`: some value that is not null, `""`, `[]` or `{}`.
fn is_present(resource: &Value, path: &AttrPath) -> bool {
    values(resource, path).into_iter().any(|value| match value {
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => true,
    })
}

fn compare_path(
    resource: &Value,
    path: &AttrPath,
    op: CompareOp,
    expected: &Value,
    case_exact: &dyn Fn(&str, Option<&str>) -> bool,
) -> bool {
    // `eq null` is "not present" and `ne null` "present", so empty values
    // count as null, the same as for `pr`; no other operator matches null.
    if expected.is_null() {
        return match op {
            CompareOp::Eq => !is_present(resource, path),
            CompareOp::Ne => is_present(resource, path),
            _ => false,
        };
    }
    let mut operands = values(resource, path).into_iter().filter_map(|value| {
        match (value, path.sub.as_deref()) {
            // A complex value compared as a whole means its `value` sub-attribute.
            (Value::Object(_), None) => get(value, "value").map(|v| (v, Some("value"))),
            (_, sub) => Some((value, sub)),
        }
    });
    // `ne` is exactly "no value equals": true for an absent attribute, for a
    // multi-valued one where none equals, and for a value of another type.
    let (op, negate) = match op {
        CompareOp::Ne => (CompareOp::Eq, true),
        op => (op, false),
    };
    let found =
        operands.any(|(actual, sub)| compare(actual, op, expected, || case_exact(&path.name, sub)));
    found != negate
}

/// One value against the filter's literal; types must agree (a string never
/// equals a number). Strings compare by code point after lowercasing unless
/// case-exact, which orders ISO 8601 timestamps in the same format chronologically.
fn compare(actual: &Value, op: CompareOp, expected: &Value, case_exact: impl Fn() -> bool) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::String(b)) => {
            let (a, b): (Cow<str>, Cow<str>) = if case_exact() {
                (a.into(), b.into())
            } else {
                (a.to_lowercase().into(), b.to_lowercase().into())
            };
            match op {
                CompareOp::Co => a.contains(&*b),
                CompareOp::Sw => a.starts_with(&*b),
                CompareOp::Ew => a.ends_with(&*b),
                _ => ordered(op, a.cmp(&b)),
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let ordering = match (a.as_i64(), b.as_i64()) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(a, b)| a.partial_cmp(&b)),
            };
            ordering.is_some_and(|ordering| ordered(op, ordering))
        }
        (Value::Bool(a), Value::Bool(b)) => {
            matches!(op, CompareOp::Eq | CompareOp::Ne) && ordered(op, a.cmp(b))
        }
        _ => false,
    }
}

/// The ordering operators; the substring ones never hold for non-strings.
fn ordered(op: CompareOp, ordering: Ordering) -> bool {
    match op {
        CompareOp::Eq => ordering.is_eq(),
        CompareOp::Ne => ordering.is_ne(),
        CompareOp::Gt => ordering.is_gt(),
        CompareOp::Ge => ordering.is_ge(),
        CompareOp::Lt => ordering.is_lt(),
        CompareOp::Le => ordering.is_le(),
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
