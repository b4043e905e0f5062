use serde_json::{json, Value};

use super::*;

fn path(urn: Option<&str>, name: &str, sub: Option<&str>) -> AttrPath {
    AttrPath {
        urn: urn.map(str::to_owned),
        name: name.to_owned(),
        sub: sub.map(str::to_owned),
    }
}

fn user() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "userName": "BJensen@example.com",
        "name": { "familyName": "O'Malley", "givenName": "Barbara" },
        "title": "",
        "nickName": null,
        "userType": "Employee",
        "active": true,
        "loginCount": 42,
        "meta": { "lastModified": "2011-05-13T04:42:34Z" },
        "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
        ],
        "ims": [],
        "phoneNumbers": [{ "value": "555-555-8377", "type": "work" }],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984",
            "manager": { "value": "26118915-6090-4610-87e4-49d8ca9f808d" }
        },
        "a": 1, "b": 5, "c": 7
    })
}

/// As a server would answer from the schema: `id` is case-exact, the rest not.
fn case_exact(name: &str, _sub: Option<&str>) -> bool {
    name.eq_ignore_ascii_case("id")
}

fn matches(filter: &str) -> bool {
    parse_filter(filter).unwrap().matches(&user(), &case_exact)
}

#[test]
fn rfc_examples_parse() {
    for filter in [
        r#"userName Eq "john""#,
        r#"Username eq "john""#,
        r#"userName eq "bjensen""#,
        r#"name.familyName co "O'Malley""#,
        r#"userName sw "J""#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        "title pr",
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
        r#"title pr and userType eq "Employee""#,
        r#"title pr or userType eq "Intern""#,
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
    ] {
        assert!(
            parse_filter(filter).is_ok(),
            "{filter}: {:?}",
            parse_filter(filter)
        );
    }
}

#[test]
fn parses_into_the_expected_tree() {
    assert_eq!(
        parse_filter(r#"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName EQ "x\"y""#),
        Ok(Filter::Compare {
            path: path(
                Some("urn:ietf:params:scim:schemas:core:2.0:User"),
                "name",
                Some("givenName")
            ),
            op: CompareOp::Eq,
            value: json!("x\"y"),
        })
    );
    assert_eq!(
        parse_filter(r#"emails[type eq "work"]"#),
        Ok(Filter::ValuePath {
            attr: path(None, "emails", None),
            filter: Box::new(Filter::Compare {
                path: path(None, "type", None),
                op: CompareOp::Eq,
                value: json!("work"),
            }),
        })
    );
    assert_eq!(
        parse_filter("  not(  members.$ref PR )  "),
        Ok(Filter::Not(Box::new(Filter::Present(path(
            None,
            "members",
            Some("$ref")
        )))))
    );
    // An attribute may be called `not` when no `(` follows.
    assert!(matches!(
        parse_filter("not eq -1.5e2"),
        Ok(Filter::Compare { value, .. }) if value == json!(-150.0)
    ));
}

#[test]
fn and_binds_tighter_than_or() {
    let a = || Box::new(parse_filter("a eq 1").unwrap());
    let b = || Box::new(parse_filter("b eq 2").unwrap());
    let c = || Box::new(parse_filter("c eq 3").unwrap());
    assert_eq!(
        parse_filter("a eq 1 or b eq 2 and c eq 3"),
        Ok(Filter::Or(a(), Box::new(Filter::And(b(), c()))))
    );
    assert_eq!(
        parse_filter("(a eq 1 or b eq 2) AND c eq 3"),
        Ok(Filter::And(Box::new(Filter::Or(a(), b())), c()))
    );
    // a=1, b=5, c=7: `a or (b and c)` holds, `(a or b) and c` does not.
    assert!(matches("a eq 1 or b eq 2 and c eq 3"));
    assert!(!matches("(a eq 1 or b eq 2) and c eq 3"));
    assert!(!matches("not (a eq 1) or b eq 2 and c eq 7"));
    assert!(matches("not (a eq 2) and not (b eq 2)"));
}

#[test]
fn strings_follow_case_exactness_per_attribute() {
    assert!(matches(r#"userName eq "bjensen@EXAMPLE.com""#));
    assert!(matches(r#"USERNAME sw "bjensen""#));
    assert!(matches(r#"userName ew "COM""#));
    assert!(matches(r#"id eq "2819c223-7f76-453a-919d-413861904646""#));
    assert!(!matches(r#"id eq "2819C223-7F76-453A-919D-413861904646""#));
    assert!(matches(r#"id ne "2819C223-7F76-453A-919D-413861904646""#));
    assert!(matches(r#"name.familyName co "o'malley""#));
    assert!(matches(r#"meta.lastModified gt "2011-05-13T04:42:33Z""#));
    assert!(!matches(r#"meta.lastModified lt "2011-05-13T04:42:34Z""#));
    assert!(matches(r#"meta.lastModified le "2011-05-13T04:42:34Z""#));
    assert!(matches(
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "B""#
    ));
    assert!(matches(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#
    ));
    assert!(matches(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value sw "2611""#
    ));
}

#[test]
fn case_exact_is_asked_about_the_attribute_compared() {
    let asked = std::cell::RefCell::new(Vec::new());
    let record = |name: &str, sub: Option<&str>| {
        asked
            .borrow_mut()
            .push((name.to_owned(), sub.map(str::to_owned)));
        false
    };
    let filter =
        parse_filter(r#"emails co "zz" or emails[Type eq "w"] or name.givenName eq "b""#).unwrap();
    assert!(!filter.matches(&user(), &record));
    let asked = asked.into_inner();
    let owned = |name: &str, sub: &str| (name.to_owned(), Some(sub.to_owned()));
    assert!(asked.contains(&owned("emails", "value")));
    assert!(asked.contains(&owned("emails", "Type")));
    assert!(asked.contains(&owned("name", "givenName")));
}

#[test]
fn multi_valued_attributes_match_any_element() {
    assert!(matches(r#"emails co "jensen.org""#));
    assert!(matches(r#"emails.value ew "@example.com""#));
    assert!(matches(r#"emails.type eq "home""#));
    assert!(!matches(r#"emails.type eq "other""#));
    assert!(matches(
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#
    ));
    // `ne` holds only when no element equals.
    assert!(!matches(r#"emails.type ne "work""#));
    assert!(matches(r#"emails.type ne "other""#));
}

#[test]
fn value_paths_match_within_one_element() {
    assert!(matches(
        r#"emails[type eq "work" and value co "@example.com"]"#
    ));
    // Both hold, but not for the same element.
    assert!(!matches(
        r#"emails[type eq "home" and value co "@example.com"]"#
    ));
    assert!(matches(r#"emails[not (type eq "work")]"#));
    assert!(matches(r#"emails[primary eq true]"#));
    assert!(!matches(r#"ims[type eq "xmpp" and value co "@foo.com"]"#));
    assert!(matches(
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#
    ));
    // A single complex value counts as one element.
    assert!(matches(r#"name[givenName sw "bar"]"#));
    assert!(!matches(r#"userName[value pr]"#));
}

#[test]
fn presence_and_null() {
    assert!(matches("userName pr"));
    assert!(matches("emails pr"));
    assert!(matches("name.givenName pr"));
    assert!(!matches("title pr"), "an empty string is not present");
    assert!(!matches("ims pr"), "an empty array is not present");
    assert!(!matches("nickName pr"));
    assert!(!matches("missing pr"));
    assert!(!matches("missing.sub pr"));
    assert!(matches("nickName eq null"));
    assert!(matches("missing eq null"));
    assert!(matches("title eq null"));
    assert!(!matches("userName eq null"));
    assert!(matches("userName ne null"));
    assert!(!matches("missing ne null"));
    assert!(!matches("userName gt null"));
}

#[test]
fn absent_attributes_match_only_ne() {
    for op in ["eq", "co", "sw", "ew", "gt", "ge", "lt", "le"] {
        assert!(!matches(&format!(r#"missing {op} "x""#)), "{op}");
    }
    assert!(matches(r#"missing ne "x""#));
    assert!(matches(r#"name.middleName ne "x""#));
}

#[test]
fn numbers_and_booleans() {
    assert!(matches("loginCount eq 42"));
    assert!(matches("loginCount eq 42.0"));
    assert!(matches("loginCount gt 41.5"));
    assert!(matches("loginCount ge 42 and loginCount le 42"));
    assert!(!matches("loginCount lt -1"));
    assert!(matches("loginCount ne 43"));
    assert!(!matches("loginCount co 4"));
    assert!(
        !matches(r#"loginCount eq "42""#),
        "a string never equals a number"
    );
    assert!(!matches(r#"userName eq 42"#));
    assert!(matches("active eq true"));
    assert!(matches("active Eq TRUE"));
    assert!(!matches("active eq false"));
    assert!(matches("active ne false"));
    assert!(
        !matches("active gt false"),
        "booleans only support eq and ne"
    );
    assert!(!matches(r#"active eq "true""#));
}

#[test]
fn patch_paths() {
    assert_eq!(
        parse_patch_path(r#"members[value eq "2819c223"]"#),
        Ok(PatchPath {
            attr: path(None, "members", None),
            value_filter: Some(parse_filter(r#"value eq "2819c223""#).unwrap()),
            sub: None,
        })
    );
    assert_eq!(
        parse_patch_path(r#"emails[type eq "work"].value"#),
        Ok(PatchPath {
            attr: path(None, "emails", None),
            value_filter: Some(parse_filter(r#"type eq "work""#).unwrap()),
            sub: Some("value".to_owned()),
        })
    );
    assert_eq!(
        parse_patch_path("name.givenName"),
        Ok(PatchPath {
            attr: path(None, "name", Some("givenName")),
            value_filter: None,
            sub: None,
        })
    );
    assert_eq!(
        parse_patch_path("urn:ietf:params:scim:schemas:core:2.0:User:userName"),
        Ok(PatchPath {
            attr: path(
                Some("urn:ietf:params:scim:schemas:core:2.0:User"),
                "userName",
                None
            ),
            value_filter: None,
            sub: None,
        })
    );
    assert_eq!(
        parse_patch_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
            .map(|p| p.attr.urn),
        Ok(Some(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_owned()
        ))
    );
    for bad in [
        "",
        "name.givenName[value pr]",
        "emails[type eq \"work\"].",
        "emails[type eq \"work\"]x",
        "emails[type eq \"work\"",
        "emails[type[value pr]]",
        "userName extra",
        "a.b.c",
        ":userName",
        "1name",
    ] {
        assert!(
            matches!(parse_patch_path(bad), Err(FilterError::Syntax(_))),
            "{bad}"
        );
    }
}

#[test]
fn malformed_filters_are_errors() {
    let cases = [
        (
            r#"userName eq "bjensen"#,
            "unterminated string starting at 12",
        ),
        (r#"userName eq "bj\"#, "unterminated string starting at 12"),
        (
            r#"userName eq "bad \q escape""#,
            "invalid JSON string starting at 12",
        ),
        ("userName eq", "expected a value"),
        ("userName eq ", "expected a value"),
        (r#"userName eq bjensen"#, "expected a value"),
        (r#"userName xx "bjensen""#, "expected an operator at 9"),
        ("userName", "expected an operator at 8"),
        (
            r#"userName eq "b" garbage"#,
            "expected `and`, `or` or the end",
        ),
        (r#"userName eq "b")"#, "expected `and`, `or` or the end"),
        ("title pr and", "expected an attribute name at 12"),
        ("title pr or ", "expected an attribute name at 12"),
        ("and title pr", "expected an operator at 4"),
        ("(title pr", "expected `)` at 9"),
        ("not title pr", "expected an operator at 4"),
        (r#"emails[type eq "work""#, "expected `]`"),
        (r#"emails[type[value pr]]"#, "cannot nest"),
        ("name.givenName[value pr]", "cannot follow a sub-attribute"),
        ("loginCount eq 01", "invalid number at 14"),
        ("loginCount eq 1e", "invalid number"),
        ("a.b.c pr", "expected an attribute name at 0"),
        ("", "expected an attribute name at 0"),
        ("é eq 1", "expected an attribute name at 0"),
    ];
    for (filter, message) in cases {
        match parse_filter(filter) {
            Err(FilterError::Syntax(got)) => assert!(got.contains(message), "{filter}: {got}"),
            other => panic!("{filter}: {other:?}"),
        }
    }
}

#[test]
fn limits_refuse_deep_or_long_filters() {
    let nested = |depth: usize| format!("{}a pr{}", "(".repeat(depth), ")".repeat(depth));
    assert!(parse_filter(&nested(32)).is_ok());
    assert_eq!(parse_filter(&nested(33)), Err(FilterError::TooComplex));
    assert_eq!(parse_filter(&nested(40)), Err(FilterError::TooComplex));
    let nots = format!("{}a pr{}", "not (".repeat(40), ")".repeat(40));
    assert_eq!(parse_filter(&nots), Err(FilterError::TooComplex));
    // Unclosed and far deeper than the stack could take if unbounded.
    assert_eq!(
        parse_filter(&"(".repeat(4000)),
        Err(FilterError::TooComplex)
    );
    let long = format!(r#"userName eq "{}""#, "x".repeat(4096));
    assert_eq!(parse_filter(&long), Err(FilterError::TooComplex));
    assert_eq!(parse_patch_path(&long), Err(FilterError::TooComplex));
    // The longest chain that fits still evaluates.
    let chain = vec!["a pr"; 4096 / 8].join(" or ");
    assert!(chain.len() <= 4096);
    assert!(parse_filter(&chain).unwrap().matches(&user(), &case_exact));
}

#[test]
fn arbitrary_input_never_panics() {
    let pieces = [
        "a", " ", "(", ")", "[", "]", "\"", "\\", "eq", "pr", "and", "or", "not", ":", ".", "1",
        "-", "é", "$ref", "true", "\"x\"",
    ];
    // Every sequence of up to three pieces, parsed as a filter and as a path.
    for &x in &pieces {
        for &y in &pieces {
            for &z in &pieces {
                let input = format!("{x}{y}{z}");
                let _ = parse_filter(&input);
                let _ = parse_patch_path(&input);
                let _ = parse_filter(&format!("a eq {input}"));
                let _ = parse_filter(&format!("emails[{input}"));
            }
        }
    }
}
