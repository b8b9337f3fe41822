//! The capacity-task operations: start (with DryRun), get, cancel, list, and the
//! blocking instances.

use super::*;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct StartBody {
    pub(super) order_id: Option<String>,
    pub(super) asset_id: Option<String>,
    pub(super) instance_pools: Option<Vec<PoolBody>>,
    pub(super) instances_to_exclude: Option<ExcludeBody>,
    pub(super) dry_run: Option<bool>,
    pub(super) task_action_on_blocking_instances: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PoolBody {
    pub(super) instance_type: Option<String>,
    pub(super) count: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ExcludeBody {
    pub(super) instances: Option<Vec<String>>,
    pub(super) account_ids: Option<Vec<String>>,
    pub(super) services: Option<Vec<String>>,
}

/// The checked request: pools and exclusions in their model types.
pub(super) struct StartRequest {
    pub(super) order_id: Option<String>,
    pub(super) asset_id: Option<String>,
    pub(super) pools: Vec<InstancePool>,
    pub(super) exclude: Option<InstancesToExclude>,
    pub(super) dry_run: bool,
    pub(super) action: TaskAction,
}

pub(super) fn parse_start(outpost_identifier: &str, body: &[u8]) -> Result<StartRequest, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let parsed: StartBody = serde_json::from_slice(body)
        .map_err(|e| ApiError::serialization(format!("The request body is not valid: {e}")))?;
    let mut v = Violations::new();
    v.outpost_identifier("outpostIdentifier", outpost_identifier);
    if let Some(order) = &parsed.order_id {
        v.order_id("orderId", order);
    }
    if let Some(asset) = &parsed.asset_id {
        v.asset_id("assetId", asset);
    }
    let mut pools = Vec::new();
    match &parsed.instance_pools {
        None => v.missing("instancePools"),
        Some(items) => {
            let mut seen = HashSet::new();
            for (i, item) in items.iter().enumerate() {
                let n = i + 1;
                let type_field = format!("instancePools.{n}.member.instanceType");
                let count_field = format!("instancePools.{n}.member.count");
                match &item.instance_type {
                    None => v.missing(&type_field),
                    Some(t) => {
                        v.string(
                            &type_field,
                            t,
                            (1, 64),
                            Some((&INSTANCE_TYPE, INSTANCE_TYPE_TEXT)),
                        );
                        if !seen.insert(t.as_str()) {
                            v.custom(&type_field, t, "Member must be unique within instancePools");
                        }
                    }
                }
                match item.count {
                    None => v.missing(&count_field),
                    Some(c) => v.range(&count_field, c, 0, 9999),
                }
                if let (Some(t), Some(c)) = (&item.instance_type, item.count) {
                    pools.push(InstancePool {
                        instance_type: t.clone(),
                        count: u32::try_from(c.clamp(0, 9999)).unwrap_or(0),
                    });
                }
            }
        }
    }
    let exclude = parsed.instances_to_exclude.map(|e| {
        let list = |items: Option<Vec<String>>| items.unwrap_or_default();
        InstancesToExclude {
            instances: list(e.instances),
            account_ids: list(e.account_ids),
            services: list(e.services),
        }
    });
    if let Some(exclude) = &exclude {
        v.members(
            "instancesToExclude.instances",
            &exclude.instances,
            (11, 32),
            Some((&INSTANCE_ID, INSTANCE_ID_TEXT)),
        );
        v.members(
            "instancesToExclude.accountIds",
            &exclude.account_ids,
            (12, 12),
            Some((&ACCOUNT_ID, ACCOUNT_ID_TEXT)),
        );
        v.members_one_of(
            "instancesToExclude.services",
            &exclude.services,
            validate::AWS_SERVICES,
        );
    }
    let action = match parsed.task_action_on_blocking_instances.as_deref() {
        // Not specified by AWS; waiting is the choice that never fails a task
        // the user could still unblock (docs/simulator.md).
        None | Some("WAIT_FOR_EVACUATION") => TaskAction::WaitForEvacuation,
        Some("FAIL_TASK") => TaskAction::FailTask,
        Some(other) => {
            v.one_of(
                "taskActionOnBlockingInstances",
                other,
                validate::TASK_ACTIONS,
            );
            TaskAction::WaitForEvacuation
        }
    };
    check(v)?;
    Ok(StartRequest {
        order_id: parsed.order_id,
        asset_id: parsed.asset_id,
        pools,
        exclude,
        dry_run: parsed.dry_run.unwrap_or(false),
        action,
    })
}

pub(super) fn start_capacity_task(
    sim: &Simulator,
    outpost_identifier: &str,
    body: &[u8],
) -> ApiResult {
    let request = parse_start(outpost_identifier, body)?;
    let mut state = sim.lock();
    state.advance();
    let outpost = resolve_outpost(&state.world, outpost_identifier)?;
    let outpost_id = outpost.outpost_id.clone();
    if let Some(order) = &request.order_id
        && !outpost.orders.contains(order)
    {
        return Err(ApiError::not_found(format!(
            "Order {order} not found for outpost {outpost_id}."
        )));
    }
    if let Some(asset) = &request.asset_id
        && outpost.asset(asset).is_none()
    {
        return Err(ApiError::not_found(format!(
            "Asset {asset} not found on outpost {outpost_id}."
        )));
    }

    if request.dry_run {
        let assets = capacity::targeted_assets(outpost, request.asset_id.as_deref());
        if let Err(shortfall) =
            capacity::place(&state.world.instance_types, &assets, &request.pools)
        {
            return Err(ApiError::validation(format!(
                "DryRun: the requested capacity does not fit on {outpost_id}: {shortfall} (at '{}').",
                shortfall.field()
            )));
        }
        // A fitting DryRun echoes the request with DryRun=true; there is no task, so
        // no CapacityTaskId, status or dates.
        let mut body = json!({
            "OutpostId": outpost_id,
            "RequestedInstancePools": pools_wire(&request.pools),
            "DryRun": true,
            "TaskActionOnBlockingInstances": request.action.as_str(),
        });
        if let Some(order) = &request.order_id {
            body["OrderId"] = json!(order);
        }
        if let Some(asset) = &request.asset_id {
            body["AssetId"] = json!(asset);
        }
        if let Some(exclude) = &request.exclude {
            body["InstancesToExclude"] = exclude_wire(exclude);
        }
        return Ok(body);
    }

    if let Some(active) = state.active_task(&outpost_id, request.order_id.as_deref()) {
        let by_order = request.order_id.is_some() && active.order_id == request.order_id;
        // The model's ResourceType is ORDER or OUTPOST, so ResourceId names that order or
        // outpost; the message names the active task.
        let (what, resource_id, resource_type) = if by_order {
            let order = active.order_id.clone().unwrap_or_default();
            (format!("order {order}"), order, "ORDER")
        } else {
            (
                format!("outpost {outpost_id}"),
                outpost_id.clone(),
                "OUTPOST",
            )
        };
        return Err(ApiError::conflict(
            format!(
                "Capacity task {} is already active for {what}; only one active capacity task is allowed.",
                active.capacity_task_id
            ),
            &resource_id,
            Some(resource_type),
        ));
    }

    let now = state.now();
    let id = state.new_task_id(sim.nonce());
    let sequence = state.next_sequence();
    let mut task = CapacityTask {
        capacity_task_id: id,
        outpost_id,
        order_id: request.order_id,
        asset_id: request.asset_id,
        requested_instance_pools: request.pools,
        instances_to_exclude: request.exclude,
        task_action_on_blocking_instances: request.action,
        status: CapacityTaskStatus::Requested,
        failed: None,
        creation_date: now,
        last_modified_date: now,
        completion_date: None,
        blocking_instances: Vec::new(),
        sequence,
        phase_started: now,
        hidden_gets_remaining: 0,
        hidden_until: 0,
        hidden_lists_remaining: 0,
        hidden_from_lists_until: 0,
    };
    state.consistency.hide_new_task(&mut task);
    let body = task_wire(&task);
    state.insert_task(task);
    Ok(body)
}

// ---- task reads and cancel ------------------------------------------------------------

pub(super) fn task_path_violations(outpost_identifier: &str, task_id: &str) -> Violations {
    let mut v = Violations::new();
    v.capacity_task_id("capacityTaskId", task_id);
    v.outpost_identifier("outpostIdentifier", outpost_identifier);
    v
}

pub(super) fn task_not_found(task_id: &str) -> ApiError {
    ApiError::not_found(format!("Capacity task {task_id} not found."))
}

/// Validates the path, advances the clock and hands the outpost's task, with the
/// time now, to `f`.
fn with_task(
    sim: &Simulator,
    outpost_identifier: &str,
    task_id: &str,
    f: impl FnOnce(&mut CapacityTask, Millis) -> ApiResult,
) -> ApiResult {
    check(task_path_violations(outpost_identifier, task_id))?;
    let mut state = sim.lock();
    state.advance();
    let now = state.now();
    f(outpost_task(&mut state, outpost_identifier, task_id)?, now)
}

/// The task, if it belongs to the outpost; a task on another outpost is not found.
fn outpost_task<'s>(
    state: &'s mut crate::state::State,
    outpost_identifier: &str,
    task_id: &str,
) -> Result<&'s mut CapacityTask, ApiError> {
    let outpost_id = resolve_outpost(&state.world, outpost_identifier)?
        .outpost_id
        .clone();
    state
        .task_mut(task_id)
        .filter(|t| t.outpost_id == outpost_id)
        .ok_or_else(|| task_not_found(task_id))
}

pub(super) fn get_capacity_task(
    sim: &Simulator,
    outpost_identifier: &str,
    task_id: &str,
) -> ApiResult {
    with_task(sim, outpost_identifier, task_id, |task, now| {
        if consistency::hide_from_get(task, now) {
            return Err(task_not_found(task_id));
        }
        Ok(task_wire(task))
    })
}

pub(super) fn cancel_capacity_task(
    sim: &Simulator,
    outpost_identifier: &str,
    task_id: &str,
) -> ApiResult {
    with_task(sim, outpost_identifier, task_id, |task, now| {
        match task.status {
            CapacityTaskStatus::Requested | CapacityTaskStatus::WaitingForEvacuation => {
                task.cancel(now)
            }
            CapacityTaskStatus::CancellationInProgress => {}
            CapacityTaskStatus::InProgress => {
                return Err(ApiError::conflict(
                    format!(
                        "Capacity task {task_id} is IN_PROGRESS and can no longer be cancelled."
                    ),
                    task_id,
                    None,
                ));
            }
            status => {
                return Err(ApiError::conflict(
                    format!(
                        "Capacity task {task_id} is already in a terminal state ({}) and cannot be cancelled.",
                        status.as_str()
                    ),
                    task_id,
                    None,
                ));
            }
        }
        Ok(json!({}))
    })
}

pub(super) fn list_capacity_tasks(sim: &Simulator, query: &Query) -> ApiResult {
    let mut v = Violations::new();
    let outpost_filter = query.first("OutpostIdentifierFilter");
    if let Some(filter) = outpost_filter {
        v.outpost_identifier("outpostIdentifierFilter", filter);
    }
    let mut statuses = Vec::new();
    let raw_statuses = query.all("CapacityTaskStatusFilter");
    v.members_one_of(
        "capacityTaskStatusFilter",
        &raw_statuses,
        validate::TASK_STATUSES,
    );
    statuses.extend(
        raw_statuses
            .iter()
            .filter_map(|raw| CapacityTaskStatus::parse(raw)),
    );
    let (max_results, token) = read_page(&mut v, query, sim.page_size);
    check(v)?;

    let mut state = sim.lock();
    state.advance();
    let outpost_id = match outpost_filter {
        Some(filter) => Some(resolve_outpost(&state.world, filter)?.outpost_id.clone()),
        None => None,
    };
    let mut status_names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    status_names.sort_unstable();
    status_names.dedup();
    let fp = fingerprint(&[
        "ListCapacityTasks",
        outpost_id.as_deref().unwrap_or("*"),
        &status_names.join(","),
    ]);
    let page = resolve_page(max_results, token, fp)?;
    let matching = state.tasks.iter().filter(|(_, t)| {
        outpost_id.as_ref().is_none_or(|id| &t.outpost_id == id)
            && (statuses.is_empty() || statuses.contains(&t.status))
    });
    let (sequences, next) = paginate(matching.map(|(seq, _)| (*seq, *seq)), &page);
    // List lag: a task this page would include may still be left out. Only the
    // tasks of this page spend a hidden call, and the token is the one the page
    // would have had, so a later page never skips a task that was not hidden.
    let now = state.now();
    let mut tasks = Vec::with_capacity(sequences.len());
    for sequence in sequences {
        if let Some(task) = state.tasks.get_mut(&sequence)
            && !consistency::hide_from_list(task, now)
        {
            tasks.push(task_summary_wire(task));
        }
    }
    Ok(with_token(json!({ "CapacityTasks": tasks }), next))
}

pub(super) fn list_blocking_instances(
    sim: &Simulator,
    outpost_identifier: &str,
    task_id: &str,
    query: &Query,
) -> ApiResult {
    let mut v = task_path_violations(outpost_identifier, task_id);
    let (max_results, token) = read_page(&mut v, query, sim.page_size);
    check(v)?;
    let mut state = sim.lock();
    state.advance();
    let task = outpost_task(&mut state, outpost_identifier, task_id)?;
    let page = resolve_page(
        max_results,
        token,
        fingerprint(&["ListBlockingInstances", task_id]),
    )?;
    let (items, next) = paginate(
        task.blocking_instances
            .iter()
            .enumerate()
            .map(|(i, b)| (i as u64, blocking_wire(b))),
        &page,
    );
    Ok(with_token(json!({ "BlockingInstances": items }), next))
}

// ---- outposts, instance types, assets ----------------------------------------------------
