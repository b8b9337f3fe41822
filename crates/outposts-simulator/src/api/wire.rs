//! Response shapes: the simulator's types as the service model's JSON members.

use super::*;

pub(super) fn pools_wire(pools: &[InstancePool]) -> serde_json::Value {
    pools
        .iter()
        .map(|p| json!({ "InstanceType": p.instance_type, "Count": p.count }))
        .collect()
}

pub(super) fn exclude_wire(exclude: &InstancesToExclude) -> serde_json::Value {
    json!({
        "Instances": exclude.instances,
        "AccountIds": exclude.account_ids,
        "Services": exclude.services,
    })
}

/// The full task: the summary's members and the request's. (Object members are
/// kept sorted, so the order they are set in does not show on the wire.)
pub(super) fn task_wire(task: &CapacityTask) -> serde_json::Value {
    let mut body = task_summary_wire(task);
    body["RequestedInstancePools"] = pools_wire(&task.requested_instance_pools);
    body["DryRun"] = json!(false);
    body["TaskActionOnBlockingInstances"] = json!(task.task_action_on_blocking_instances.as_str());
    if let Some(exclude) = &task.instances_to_exclude {
        body["InstancesToExclude"] = exclude_wire(exclude);
    }
    if let Some(failure) = &task.failed {
        body["Failed"] = json!({ "Reason": failure.reason, "Type": failure.failure_type.as_str() });
    }
    body
}

pub(super) fn task_summary_wire(task: &CapacityTask) -> serde_json::Value {
    let mut body = json!({
        "CapacityTaskId": task.capacity_task_id,
        "OutpostId": task.outpost_id,
        "CapacityTaskStatus": task.status.as_str(),
        "CreationDate": epoch_seconds(task.creation_date),
        "LastModifiedDate": epoch_seconds(task.last_modified_date),
    });
    if let Some(order) = &task.order_id {
        body["OrderId"] = json!(order);
    }
    if let Some(asset) = &task.asset_id {
        body["AssetId"] = json!(asset);
    }
    if let Some(done) = task.completion_date {
        body["CompletionDate"] = json!(epoch_seconds(done));
    }
    body
}

pub(super) fn outpost_wire(outpost: &Outpost) -> serde_json::Value {
    let mut body = json!({
        "OutpostId": outpost.outpost_id,
        "OwnerId": outpost.owner_id,
        "OutpostArn": outpost.arn(),
        "SiteId": outpost.site_id,
        "SiteArn": outpost.site_arn(),
        "LifeCycleStatus": outpost.life_cycle_status,
        "SupportedHardwareType": outpost.hardware_type.as_str(),
        "Tags": outpost.tags,
    });
    let optional = [
        ("Name", outpost.name.as_deref()),
        ("Description", outpost.description.as_deref()),
        ("AvailabilityZone", outpost.availability_zone.as_deref()),
        (
            "AvailabilityZoneId",
            outpost.availability_zone_id.as_deref(),
        ),
        ("Generation", outpost.generation().map(Generation::as_str)),
        (
            "RackScalingType",
            outpost.rack_scaling_type().map(RackScalingType::as_str),
        ),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            body[key] = json!(value);
        }
    }
    body
}

pub(super) fn asset_wire(outpost: &Outpost, asset: &ComputeAsset) -> serde_json::Value {
    let rack_id = asset.rack_id.clone().unwrap_or_else(|| {
        format!(
            "fc-{}",
            outpost
                .outpost_id
                .trim_start_matches("op-")
                .chars()
                .take(16)
                .collect::<String>()
        )
    });
    let mut body = json!({
        "AssetId": asset.asset_id,
        "RackId": rack_id,
        "AssetType": "COMPUTE",
        "ComputeAttributes": {
            "HostId": asset.host_id(),
            "State": asset.state,
            "InstanceFamilies": asset.instance_families,
            "InstanceTypeCapacities": pools_wire(&asset.instance_type_capacities),
            "MaxVcpus": asset.max_vcpus,
        },
    });
    if let Some(elevation) = outpost.rack_elevation(asset) {
        body["AssetLocation"] = json!({ "RackElevation": elevation });
    }
    body
}

pub(super) fn blocking_wire(instance: &RunningInstance) -> serde_json::Value {
    json!({
        "InstanceId": instance.instance_id,
        "AccountId": instance.account_id,
        "AwsServiceName": instance.service,
    })
}

// ---- StartCapacityTask ------------------------------------------------------------
