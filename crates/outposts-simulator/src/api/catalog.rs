//! What an Outpost is and holds: Outposts, assets and instance types.

use super::*;

pub(super) fn supported_instance_types(
    sim: &Simulator,
    outpost_identifier: &str,
    query: &Query,
) -> ApiResult {
    let mut v = Violations::new();
    v.outpost_identifier("outpostIdentifier", outpost_identifier);
    let order = query.first("OrderId");
    if let Some(order) = order {
        v.order_id("orderId", order);
    }
    let asset = query.first("AssetId");
    if let Some(asset) = asset {
        v.asset_id("assetId", asset);
    }
    let (max_results, token) = read_page(&mut v, query, sim.page_size);
    check(v)?;
    let mut state = sim.lock();
    state.advance();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    if let Some(order) = order
        && !outpost.orders.iter().any(|o| o == order)
    {
        return Err(ApiError::not_found(format!(
            "Order {order} not found for outpost {}.",
            outpost.outpost_id
        )));
    }
    if let Some(asset) = asset
        && outpost.asset(asset).is_none()
    {
        return Err(ApiError::not_found(format!(
            "Asset {asset} not found on outpost {}.",
            outpost.outpost_id
        )));
    }
    let assets = capacity::targeted_assets(outpost, asset);
    let types = capacity::supported_instance_types(&state.world.instance_types, &assets);
    let fp = fingerprint(&[
        "GetOutpostSupportedInstanceTypes",
        &outpost.outpost_id,
        order.unwrap_or("*"),
        asset.unwrap_or("*"),
    ]);
    let page = resolve_page(max_results, token, fp)?;
    let (items, next) = paginate(
        types.iter().enumerate().map(|(i, t)| {
            (
                i as u64,
                json!({ "InstanceType": t.instance_type, "VCPUs": t.vcpus }),
            )
        }),
        &page,
    );
    Ok(with_token(json!({ "InstanceTypes": items }), next))
}

pub(super) fn outpost_instance_types(
    sim: &Simulator,
    outpost_identifier: &str,
    query: &Query,
) -> ApiResult {
    let mut v = Violations::new();
    v.outpost_identifier("outpostId", outpost_identifier);
    let (max_results, token) = read_page(&mut v, query, sim.page_size);
    check(v)?;
    let mut state = sim.lock();
    state.advance();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    // The types the outpost is configured with now, in catalog order.
    let configured: HashSet<&str> = outpost
        .assets
        .iter()
        .flat_map(|a| a.instance_type_capacities.iter())
        .filter(|p| p.count > 0)
        .map(|p| p.instance_type.as_str())
        .collect();
    let types = state
        .world
        .instance_types
        .iter()
        .filter(|t| configured.contains(t.instance_type.as_str()));
    let page = resolve_page(
        max_results,
        token,
        fingerprint(&["GetOutpostInstanceTypes", &outpost.outpost_id]),
    )?;
    let (items, next) = paginate(
        types.enumerate().map(|(i, t)| {
            (
                i as u64,
                json!({ "InstanceType": t.instance_type, "VCPUs": t.vcpus }),
            )
        }),
        &page,
    );
    let body = json!({
        "InstanceTypes": items,
        "OutpostId": outpost.outpost_id,
        "OutpostArn": outpost.arn(),
    });
    Ok(with_token(body, next))
}

pub(super) fn get_outpost(sim: &Simulator, outpost_identifier: &str) -> ApiResult {
    let mut v = Violations::new();
    v.outpost_identifier("outpostId", outpost_identifier);
    check(v)?;
    let state = sim.lock();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    Ok(json!({ "Outpost": outpost_wire(outpost) }))
}

pub(super) fn list_outposts(sim: &Simulator, query: &Query) -> ApiResult {
    let mut v = Violations::new();
    let life_cycle = query.all("LifeCycleStatusFilter");
    let zones = query.all("AvailabilityZoneFilter");
    let zone_ids = query.all("AvailabilityZoneIdFilter");
    v.members(
        "lifeCycleStatusFilter",
        &life_cycle,
        (1, 20),
        Some((&LIFE_CYCLE_STATUS, LIFE_CYCLE_STATUS_TEXT)),
    );
    v.members(
        "availabilityZoneFilter",
        &zones,
        (1, 1000),
        Some((&AVAILABILITY_ZONE, AVAILABILITY_ZONE_TEXT)),
    );
    v.members(
        "availabilityZoneIdFilter",
        &zone_ids,
        (1, 255),
        Some((&AVAILABILITY_ZONE_ID, AVAILABILITY_ZONE_ID_TEXT)),
    );
    let (max_results, token) = read_page(&mut v, query, sim.page_size);
    check(v)?;
    let fp = fingerprint(&[
        "ListOutposts",
        &life_cycle.join(","),
        &zones.join(","),
        &zone_ids.join(","),
    ]);
    let page = resolve_page(max_results, token, fp)?;
    let state = sim.lock();
    let matches = |filter: &[&str], value: &Option<String>| {
        filter.is_empty() || value.as_deref().is_some_and(|v| filter.contains(&v))
    };
    let outposts = state.world.outposts.iter().filter(|o| {
        (life_cycle.is_empty() || life_cycle.contains(&o.life_cycle_status.as_str()))
            && matches(&zones, &o.availability_zone)
            && matches(&zone_ids, &o.availability_zone_id)
    });
    let (items, next) = paginate(
        outposts
            .enumerate()
            .map(|(i, o)| (i as u64, outpost_wire(o))),
        &page,
    );
    Ok(with_token(json!({ "Outposts": items }), next))
}

pub(super) fn list_assets(sim: &Simulator, outpost_identifier: &str, query: &Query) -> ApiResult {
    let mut v = Violations::new();
    v.outpost_identifier("outpostIdentifier", outpost_identifier);
    let hosts = query.all("HostIdFilter");
    let states = query.all("StatusFilter");
    let types = query.all("AssetTypeFilter");
    v.members(
        "hostIdFilter",
        &hosts,
        (1, 50),
        Some((&HOST_ID, HOST_ID_TEXT)),
    );
    v.members_one_of("statusFilter", &states, validate::ASSET_STATES);
    v.members_one_of("assetTypeFilter", &types, validate::ASSET_TYPES);
    let (max_results, token) = read_page(&mut v, query, sim.page_size);
    check(v)?;
    let mut state = sim.lock();
    state.advance();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    let fp = fingerprint(&[
        "ListAssets",
        &outpost.outpost_id,
        &hosts.join(","),
        &states.join(","),
        &types.join(","),
    ]);
    let page = resolve_page(max_results, token, fp)?;
    // Every simulated asset is a compute asset.
    let assets = outpost.assets.iter().filter(|a| {
        (hosts.is_empty() || hosts.contains(&a.host_id().as_str()))
            && (states.is_empty() || states.contains(&a.state.as_str()))
            && (types.is_empty() || types.contains(&"COMPUTE"))
    });
    let (items, next) = paginate(
        assets
            .enumerate()
            .map(|(i, a)| (i as u64, asset_wire(outpost, a))),
        &page,
    );
    Ok(with_token(json!({ "Assets": items }), next))
}
