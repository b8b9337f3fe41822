//! Which attribute an AWS error is about, so Terraform underlines the right line.

use crate::outposts::OutpostsClient;
use crate::outposts::task::StartCapacityTask;
use std::time::Duration;
use tfplugin::path::AttributePath;

/// The attribute an AWS validation message points at: messages name members such as
/// `instancePools.2.member.count` (1-based). Without a member index the message is
/// about the layout as a whole (it does not fit), which is the `instance_pool` blocks.
pub(crate) fn pool_path_in(message: &str) -> AttributePath {
    let pools = AttributePath::attr("instance_pool");
    let Some(rest) = message.split("instancePools.").nth(1) else {
        return pools;
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let Some(index) = digits.parse::<i64>().ok().filter(|n| *n >= 1) else {
        return pools;
    };
    let element = pools.index(index - 1);
    if rest[digits.len()..].starts_with(".member.instanceType") {
        element.attribute("instance_type")
    } else {
        element.attribute("count")
    }
}

/// The argument a NotFound answer to StartCapacityTask is about: the order or asset
/// when the message names it; otherwise the Outpost if it does not exist (asked with a
/// short GetOutpost), else whichever of order and asset the request named.
pub(crate) async fn missing_argument_path(
    client: &OutpostsClient,
    start: &StartCapacityTask,
    message: &str,
) -> AttributePath {
    let named = |value: &Option<String>| value.as_deref().is_some_and(|v| message.contains(v));
    if named(&start.order_id) {
        return AttributePath::attr("order_id");
    }
    if named(&start.asset_id) {
        return AttributePath::attr("asset_id");
    }
    let inner = if start.order_id.is_some() {
        "order_id"
    } else if start.asset_id.is_some() {
        "asset_id"
    } else {
        "outpost_identifier"
    };
    missing_argument(client, &start.outpost_identifier, inner).await
}

/// The argument a NotFound answer is about when a request names an Outpost and
/// something in it (`inner`, e.g. `capacity_task_id`): the Outpost when a short
/// GetOutpost cannot find it either, else `inner`.
pub(crate) async fn missing_argument(
    client: &OutpostsClient,
    outpost_identifier: &str,
    inner: &str,
) -> AttributePath {
    let outpost_missing = tokio::time::timeout(
        Duration::from_secs(15),
        client.outpost_exists(outpost_identifier),
    )
    .await
    .is_ok_and(|exists| matches!(exists, Ok(false)));
    AttributePath::attr(if outpost_missing {
        "outpost_identifier"
    } else {
        inner
    })
}

/// "Order", "Asset" or "Outpost", for a summary about the argument at `path`.
pub(crate) fn what_is_missing(path: &AttributePath) -> &'static str {
    match path.to_string().as_str() {
        "order_id" => "Order",
        "asset_id" => "Asset",
        _ => "Outpost",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages_point_at_the_pool_they_name() {
        let at = |m: &str| pool_path_in(m).to_string();
        assert_eq!(
            at("Value at 'instancePools.2.member.count' failed"),
            "instance_pool[1].count"
        );
        assert_eq!(
            at("at 'instancePools.1.member.instanceType'"),
            "instance_pool[0].instance_type"
        );
        assert_eq!(at("instancePools.0.member"), "instance_pool");
    }

    #[test]
    fn a_layout_too_big_as_a_whole_is_about_the_layout() {
        assert_eq!(
            pool_path_in("needs 1600 vCPUs (at 'instancePools')").to_string(),
            "instance_pool"
        );
    }
}
