//! The schema parts the capacity task's resource and data sources share: the layout's
//! blocks, the task's dates and failure.

use crate::checks::in_code_listed;
use crate::outposts::ids;
use crate::outposts::task::AWS_SERVICES;
use crate::outposts::task::TASK_ACTIONS;
use std::collections::BTreeMap;
use tfplugin::schema::{Attribute, Block, NestedBlock};
use tfplugin::validators::{
    SharedValidator, each, int_between, one_of, string_is, titled, unique_by,
};
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
                Attribute::string("instance_type")
                    .required()
                    .validator(string_is(
                        ids::is_instance_type,
                        "an EC2 instance type such as \"c5.4xlarge\" (lower case, family.size)",
                    ))
                    .description(
                        "EC2 instance type, e.g. `c5.4xlarge`. Each type may appear once.",
                    ),
            )
            .attribute(
                Attribute::number("count")
                    .required()
                    .validator(titled(
                        int_between(0, ids::MAX_INSTANCE_COUNT),
                        "Invalid instance count",
                    ))
                    .description("Number of instances of this type, 0 to 9999."),
            ),
    )
    .min_items(1)
    .validator(titled(
        unique_by(
            "instance_type",
            "Give each instance type one instance_pool block with the total count.",
        ),
        "Duplicate instance type",
    ))
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
                .validator(each(string_is(
                    ids::is_instance_id,
                    "an instance ID such as \"i-0123456789abcdef0\"",
                )))
                .description("Instance IDs (`i-...`)."),
        )
        .attribute(
            Attribute::new("account_ids", strings())
                .optional()
                .validator(each(string_is(
                    ids::is_account_id,
                    "a 12-digit AWS account ID",
                )))
                .description("12-digit AWS account IDs whose instances are excluded."),
        )
        .attribute(
            Attribute::new("services", strings())
                .optional()
                .validator(each(one_of(AWS_SERVICES.iter().copied())))
                .description(format!(
                    "AWS services whose instances are excluded: {}.",
                    in_code_listed(AWS_SERVICES)
                )),
        ),
    )
    .max_items(1)
}

/// `asset_id`'s rule: a task is for an order or for an asset, not both.
pub(crate) fn order_or_asset() -> SharedValidator {
    crate::checks::order_or_asset(
        "order_id names an Outposts rack order, asset_id an Outposts server.",
    )
}

/// The actions AWS takes on instances that block a task.
pub(crate) fn task_action() -> SharedValidator {
    one_of(TASK_ACTIONS.iter().copied())
}
