//! The schema parts the capacity task's resource and data sources share: the layout's
//! blocks, the task's dates and failure.

use crate::checks::in_code_listed;
use crate::outposts::task::AWS_SERVICES;
use std::collections::BTreeMap;
use tfplugin::schema::{Attribute, Block, NestedBlock};
use tfplugin::value::Type;

/// A list of strings: the type of the ID lists here and in the data sources.
pub(crate) fn strings() -> Type {
    Type::List(Box::new(Type::String))
}

/// A task's dates, as the resource and the `outposts_capacity_task` data source show
/// them.
pub(crate) fn task_dates() -> [Attribute; 3] {
    [
        Attribute::string("creation_date")
            .computed()
            .description("When the task was created (RFC 3339)."),
        Attribute::string("completion_date")
            .computed()
            .description("When the task finished (RFC 3339); null while it runs."),
        Attribute::string("last_modified_date")
            .computed()
            .description("When the task last changed (RFC 3339)."),
    ]
}

/// A task's failure: its `type` and `reason`.
pub fn failure_type() -> Type {
    Type::Object(BTreeMap::from([
        ("type".to_string(), Type::String),
        ("reason".to_string(), Type::String),
    ]))
}

/// The `instance_pool` blocks: the layout. Shared with the `outposts_capacity_check`
/// data source, which takes the same layout.
pub(crate) fn instance_pool_block() -> NestedBlock {
    NestedBlock::list(
        "instance_pool",
        Block::new("How many instances of one type the layout holds. Repeat for each type.")
            .attribute(
                Attribute::string("instance_type").required().description(
                    "EC2 instance type, e.g. `c5.4xlarge`. Each type may appear once.",
                ),
            )
            .attribute(
                Attribute::number("count")
                    .required()
                    .description("Number of instances of this type, 0 to 9999."),
            ),
    )
    .min_items(1)
}

/// The `instances_to_exclude` block, shared like [`instance_pool_block`].
pub(crate) fn instances_to_exclude_block() -> NestedBlock {
    NestedBlock::list(
        "instances_to_exclude",
        Block::new(
            "Running instances the task may ignore when deciding whether instances block it.",
        )
        .attribute(
            Attribute::new("instances", strings())
                .optional()
                .description("Instance IDs (`i-...`)."),
        )
        .attribute(
            Attribute::new("account_ids", strings())
                .optional()
                .description("12-digit AWS account IDs whose instances are excluded."),
        )
        .attribute(
            Attribute::new("services", strings())
                .optional()
                .description(format!(
                    "AWS services whose instances are excluded: {}.",
                    in_code_listed(AWS_SERVICES)
                )),
        ),
    )
    .max_items(1)
}
