use super::*;
use crate::schema::{Attribute, Block, NestedBlock};
use crate::test_support::{object, summaries};

fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::string(*s)).collect())
}

/// `(summary, path, detail)` of each diagnostic a block's validation reports.
fn problems(block: &Block, config: &Value) -> Vec<(String, String, String)> {
    summaries(&block.validate_config(config))
}

/// A number from its text.
fn number(text: &str) -> Value {
    Value::Number(crate::value::Number::parse(text).expect("number"))
}

/// `(summary, path)` of each of the `problems`.
fn summaries_at(problems: &[(String, String, String)]) -> Vec<(&str, &str)> {
    problems
        .iter()
        .map(|(summary, path, _)| (summary.as_str(), path.as_str()))
        .collect()
}

fn one(block: &Block, config: &Value) -> (String, String, String) {
    let mut found = problems(block, config);
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

#[test]
fn value_validators_report_on_the_attribute_and_pass_null_and_unknown() {
    let block = Block::new("b")
        .attribute(
            Attribute::string("name")
                .optional()
                .validator(length_between(2, 4)),
        )
        .attribute(
            Attribute::string("size")
                .optional()
                .validator(one_of(["small", "large"])),
        )
        .attribute(
            Attribute::number("count")
                .optional()
                .validator(int_between(0, 10)),
        )
        .attribute(
            Attribute::number("ratio")
                .optional()
                .validator(number_between(0.0, 1.0)),
        )
        .attribute(
            Attribute::string("code")
                .optional()
                .validator(matches("^[a-z]+-[0-9]+$", "a code such as \"ab-12\"")),
        );
    let all = |v: Value| {
        object(&[
            ("name", v.clone()),
            ("size", v.clone()),
            ("count", v.clone()),
            ("ratio", v.clone()),
            ("code", v),
        ])
    };
    assert!(problems(&block, &all(Value::Null)).is_empty());
    assert!(problems(&block, &all(Value::Unknown)).is_empty());

    let config = |name: &str, size: &str, count: i64, ratio: &str, code: &str| {
        object(&[
            ("name", Value::string(name)),
            ("size", Value::string(size)),
            ("count", Value::int(count)),
            ("ratio", number(ratio)),
            ("code", Value::string(code)),
        ])
    };
    let found = problems(&block, &config("x", "huge", 11, "1.5", "AB-12"));
    let at = summaries_at(&found);
    assert_eq!(
        at,
        vec![
            ("Invalid name", "name"),
            ("Invalid size", "size"),
            ("Invalid count", "count"),
            ("Invalid ratio", "ratio"),
            ("Invalid code", "code"),
        ]
    );
    assert_eq!(found[1].2, "\"huge\" is not one of small, large.");
    assert_eq!(
        found[2].2,
        "count must be a whole number from 0 to 10, got 11."
    );
    assert_eq!(found[4].2, "\"AB-12\" is not a code such as \"ab-12\".");

    let fine = config("abc", "large", 10, "0.5", "ab-12");
    assert!(problems(&block, &fine).is_empty());
}

#[test]
fn a_fraction_is_not_a_whole_number() {
    let block = Block::new("b").attribute(
        Attribute::number("count")
            .optional()
            .validator(int_between(0, 10)),
    );
    let half = number("2.5");
    let (_, path, detail) = one(&block, &object(&[("count", half)]));
    assert_eq!(path, "count");
    assert!(detail.contains("got 2.5"), "{detail}");
}

#[test]
fn collection_validators_check_size_uniqueness_and_each_element() {
    let block = Block::new("b").attribute(
        Attribute::list("tags", crate::value::Type::String)
            .optional()
            .validator(size_between(1, 3))
            .validator(unique())
            .validator(each(string_is(
                |s| s.starts_with("t-"),
                "a tag such as \"t-1\"",
            ))),
    );
    let (summary, path, _) = one(&block, &object(&[("tags", strings(&[]))]));
    assert_eq!((summary.as_str(), path.as_str()), ("Invalid tags", "tags"));

    let found = problems(&block, &object(&[("tags", strings(&["t-1", "x", "t-1"]))]));
    let at = summaries_at(&found);
    assert_eq!(
        at,
        vec![
            ("Duplicate tags entry", "tags[2]"),
            ("Invalid tags entry", "tags[1]"),
        ]
    );
    let null_entry = Value::List(vec![Value::string("t-1"), Value::Null]);
    let (_, path, detail) = one(&block, &object(&[("tags", null_entry)]));
    assert_eq!(
        (path.as_str(), detail.as_str()),
        ("tags[1]", "Entries must not be null.")
    );
    let unknown_entry = Value::List(vec![Value::string("t-1"), Value::Unknown]);
    assert!(problems(&block, &object(&[("tags", unknown_entry)])).is_empty());
}

#[test]
fn blocks_are_unique_by_a_member_with_the_error_on_the_later_one() {
    let pool = |t: &str| object(&[("type", Value::string(t))]);
    let block = Block::new("b").block(
        NestedBlock::list(
            "pool",
            Block::new("p").attribute(Attribute::string("type").required()),
        )
        .validator(unique_by("type", "Give each type one block.")),
    );
    let config = object(&[("pool", Value::List(vec![pool("a"), pool("b"), pool("a")]))]);
    let (summary, path, detail) = one(&block, &config);
    assert_eq!(summary, "Duplicate type");
    assert_eq!(path, "pool[2].type");
    assert_eq!(
        detail,
        "\"a\" already appears in pool[0]. Give each type one block."
    );
}

fn pair_block(validator: SharedValidator) -> Block {
    Block::new("b")
        .attribute(Attribute::string("a").optional().validator(validator))
        .attribute(Attribute::string("b").optional())
        .attribute(Attribute::string("c").optional())
}

fn abc(a: Option<Value>, b: Option<Value>, c: Option<Value>) -> Value {
    object(&[
        ("a", a.unwrap_or(Value::Null)),
        ("b", b.unwrap_or(Value::Null)),
        ("c", c.unwrap_or(Value::Null)),
    ])
}

#[test]
fn cross_attribute_validators_look_at_the_siblings() {
    let x = || Some(Value::string("x"));
    let unknown = || Some(Value::Unknown);

    let conflicts = pair_block(conflicts_with(["b"]));
    let (summary, path, detail) = one(&conflicts, &abc(x(), x(), None));
    assert_eq!(
        (summary.as_str(), path.as_str(), detail.as_str()),
        ("Conflicting arguments", "a", "Set b or a, not both.")
    );
    assert!(problems(&conflicts, &abc(x(), None, None)).is_empty());
    assert!(problems(&conflicts, &abc(None, x(), None)).is_empty());

    let requires = pair_block(also_requires(["b", "c"]));
    let (_, path, detail) = one(&requires, &abc(x(), x(), None));
    assert_eq!(
        (path.as_str(), detail.as_str()),
        ("a", "a is set, so c must be set too.")
    );
    assert!(problems(&requires, &abc(None, None, None)).is_empty());
    assert!(problems(&requires, &abc(x(), unknown(), unknown())).is_empty());

    let exactly = pair_block(exactly_one_of(["b", "c"]));
    assert!(problems(&exactly, &abc(None, x(), None)).is_empty());
    let (summary, _, detail) = one(&exactly, &abc(None, None, None));
    assert_eq!(summary, "Missing required argument");
    assert_eq!(detail, "Exactly one of a, b or c must be set; none is.");
    let (summary, _, detail) = one(&exactly, &abc(x(), x(), x()));
    assert_eq!(summary, "Conflicting arguments");
    assert_eq!(detail, "Exactly one of a, b or c must be set; 3 are.");
    assert!(problems(&exactly, &abc(None, unknown(), None)).is_empty());

    let at_least = pair_block(at_least_one_of(["b"]));
    assert!(problems(&at_least, &abc(None, x(), None)).is_empty());
    assert!(problems(&at_least, &abc(x(), x(), None)).is_empty());
    let (_, path, _) = one(&at_least, &abc(None, None, None));
    assert_eq!(path, "a");
}

#[test]
fn cross_attribute_validators_in_a_nested_block_name_its_members() {
    let block = Block::new("b").block(NestedBlock::list("rule", pair_block(conflicts_with(["b"]))));
    let x = || Some(Value::string("x"));
    let config = object(&[(
        "rule",
        Value::List(vec![abc(x(), None, None), abc(x(), x(), None)]),
    )]);
    let (_, path, _) = one(&block, &config);
    assert_eq!(path, "rule[1].a");
}

#[test]
fn a_validator_of_ones_own_composes_with_the_built_in_ones() {
    struct Even;
    impl Validator for Even {
        fn description(&self) -> String {
            "An even number.".into()
        }
        fn validate(&self, check: &Check<'_>, out: &mut Diagnostics) {
            if let Some(n) = check.known().and_then(Value::as_i64)
                && n % 2 != 0
            {
                out.push(check.error(format!("{n} is odd.")));
            }
        }
    }
    let block = Block::new("b").attribute(
        Attribute::number("n")
            .optional()
            .validator(Arc::new(Even))
            .validator(int_between(0, 4)),
    );
    let found = problems(&block, &object(&[("n", Value::int(5))]));
    let details: Vec<&str> = found.iter().map(|(_, _, d)| d.as_str()).collect();
    assert_eq!(
        details,
        vec!["5 is odd.", "n must be a whole number from 0 to 4, got 5."]
    );
    assert_eq!(Even.description(), "An even number.");
}

#[test]
fn nested_attributes_are_validated_at_their_paths() {
    let block = Block::new("b").attribute(
        Attribute::map_nested(
            "ports",
            [Attribute::number("port")
                .required()
                .validator(int_between(1, 65535))],
        )
        .optional(),
    );
    let config = object(&[(
        "ports",
        Value::Map(
            [
                ("http".to_string(), object(&[("port", Value::int(80))])),
                ("bad".to_string(), object(&[("port", Value::int(0))])),
                ("none".to_string(), object(&[("port", Value::Null)])),
            ]
            .into(),
        ),
    )]);
    let found = problems(&block, &config);
    let at = summaries_at(&found);
    assert_eq!(
        at,
        vec![
            ("Invalid port", "ports[\"bad\"].port"),
            (
                "Missing Configuration for Required Attribute",
                "ports[\"none\"].port"
            ),
        ]
    );
}

#[test]
fn a_configured_deprecated_attribute_warns_with_its_message() {
    let block = Block::new("b").attribute(
        Attribute::string("old")
            .optional()
            .deprecated("Use `new` instead."),
    );
    let diagnostics = block.validate_config(&object(&[("old", Value::string("x"))]));
    assert!(!diagnostics.has_errors());
    let warning = diagnostics.iter().next().expect("a warning");
    assert_eq!(warning.detail, "old: Use `new` instead.");
    assert!(
        block
            .validate_config(&object(&[("old", Value::Null)]))
            .is_empty()
    );
}

#[test]
fn names_and_listings_read_as_messages() {
    let path = AttributePath::attr("pool").index(2).attribute("count");
    assert_eq!(name_of(&path), "count");
    assert_eq!(name_of(&AttributePath::attr("tags").index(1)), "tags entry");
    assert_eq!(listing(&["A"], ""), "A");
    assert_eq!(listing(&["A", "B", "C"], "`"), "`A`, `B` or `C`");
    assert_eq!(one_of(["x", "y"]).description(), "One of `x`, `y`.");
}

#[test]
fn explained_adds_the_providers_words_to_a_generic_rule() {
    let block = pair_block(explained(
        conflicts_with(["b"]),
        "a is for racks, b for servers.",
    ));
    let x = || Some(Value::string("x"));
    let (_, path, detail) = one(&block, &abc(x(), x(), None));
    assert_eq!(path, "a");
    assert_eq!(
        detail,
        "Set b or a, not both. a is for racks, b for servers."
    );
}

#[test]
fn titled_gives_a_generic_rule_the_providers_summary() {
    let block = Block::new("b").attribute(
        Attribute::number("count")
            .optional()
            .validator(titled(int_between(0, 9), "Invalid instance count")),
    );
    let (summary, path, detail) = one(&block, &object(&[("count", Value::int(10))]));
    assert_eq!(summary, "Invalid instance count");
    assert_eq!(path, "count");
    assert_eq!(detail, "count must be a whole number from 0 to 9, got 10.");
}
