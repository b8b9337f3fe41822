use super::*;
use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::test_support::{object, summaries};

fn sample() -> Schema {
    Schema::new(
        1,
        Block::new("A sample.")
            .attribute(
                Attribute::string("name")
                    .required()
                    .description("The name."),
            )
            .attribute(
                Attribute::string("secret")
                    .optional()
                    .description("A secret.")
                    .sensitive(),
            )
            .block(NestedBlock::list(
                "pool",
                Block::new("A pool.").attribute(
                    Attribute::number("count")
                        .required()
                        .description("How many."),
                ),
            ))
            .block(NestedBlock::single("timeouts", Block::new("Timeouts."))),
    )
}

#[test]
fn value_type_has_one_member_per_attribute_and_block() {
    let ty = sample().value_type();
    let Type::Object(members) = ty else {
        panic!("not an object: {ty:?}")
    };
    assert_eq!(members.get("name"), Some(&Type::String));
    assert!(matches!(members.get("pool"), Some(Type::List(_))));
    assert!(matches!(members.get("timeouts"), Some(Type::Object(_))));
    assert_eq!(members.len(), 4);
}

fn with_id() -> Block {
    sample()
        .block
        .attribute(Attribute::string("id").computed().description("The ID."))
}

fn paths(d: &Diagnostics) -> Vec<(String, String)> {
    summaries(d)
        .into_iter()
        .map(|(summary, path, _)| (summary, path))
        .collect()
}

#[test]
fn null_required_and_configured_read_only_attributes_are_errors() {
    let pool = |count: Value| object(&[("count", count)]);
    let config = object(&[
        ("name", Value::Null),
        ("secret", Value::Null),
        ("id", Value::string("x")),
        (
            "pool",
            Value::List(vec![pool(Value::int(1)), pool(Value::Null)]),
        ),
        ("timeouts", Value::Null),
    ]);
    assert_eq!(
        paths(&with_id().validate_config(&config)),
        vec![
            (
                "Missing Configuration for Required Attribute".to_string(),
                "name".to_string()
            ),
            (
                "Invalid Configuration for Read-Only Attribute".to_string(),
                "id".to_string()
            ),
            (
                "Missing Configuration for Required Attribute".to_string(),
                "pool[1].count".to_string()
            ),
        ]
    );
}

#[test]
fn unknown_values_are_left_for_later() {
    let config = object(&[
        ("name", Value::Unknown),
        ("id", Value::Unknown),
        ("pool", Value::Unknown),
    ]);
    assert!(with_id().validate_config(&config).is_empty());
    assert!(with_id().validate_config(&Value::Unknown).is_empty());
}

#[test]
fn absent_blocks_in_stored_state_become_empty() {
    let state = object(&[("name", Value::string("a"))]);
    let normalized = sample().block.normalize_state(state);
    assert_eq!(normalized.attr("pool"), Some(&Value::List(Vec::new())));
    assert_eq!(normalized.attr("timeouts"), Some(&Value::Null));
    assert_eq!(normalized.attr("name"), Some(&Value::string("a")));
}

#[test]
fn proto_carries_types_as_json_and_markdown_descriptions() {
    let proto = sample().to_proto();
    let block = proto.block.expect("block");
    assert_eq!(proto.version, 1);
    let name = &block.attributes[0];
    assert_eq!(name.r#type, b"\"string\"");
    assert_eq!(name.description_kind, pb::StringKind::Markdown as i32);
    assert!(block.attributes[1].sensitive);
    assert_eq!(
        block.block_types[0].nesting,
        pb::schema::nested_block::NestingMode::List as i32
    );
}
