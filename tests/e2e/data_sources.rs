//! The data sources and the provider function through the real terraform CLI against
//! the simulator: what they read (every page), how unknown arguments defer a read, and
//! how bad input and AWS's refusals are explained.

use crate::harness::Workspace;
use crate::sim::{BUSY_OUTPOST, ORDER, OUTPOST, Sim};
use outposts_simulator::{Evacuation, FaultKind, Operation, SimulatorConfig, TaskTiming};
use serde_json::Value as Json;
use std::time::Duration;

const SERVER: &str = "op-0fedcba9876543210";
const SERVER_ASSET: &str = "2000000001";

/// Tasks finish in seconds and every list answers one item a page, so each read that
/// finds more than one item must follow NextToken.
fn one_item_pages() -> Sim {
    Sim::start(SimulatorConfig {
        page_size: 1,
        timing: TaskTiming {
            requested: Duration::from_secs(1),
            in_progress: Duration::from_secs(1),
            cancellation: Duration::from_millis(500),
            ..TaskTiming::default()
        },
        ..SimulatorConfig::default()
    })
}

fn outputs(ws: &Workspace) -> Json {
    let run = ws.ok(&["output", "-json"]);
    let all: Json = serde_json::from_str(&run.stdout()).expect("output -json");
    let mut values = serde_json::Map::new();
    for (name, output) in all.as_object().expect("outputs object") {
        values.insert(name.clone(), output["value"].clone());
    }
    Json::Object(values)
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {v}"))
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

#[test]
fn every_data_source_reads_all_pages_of_what_an_outpost_is_has_and_runs() {
    let sim = one_item_pages();
    let ws = sim.workspace(&format!(
        r#"
resource "outposts_capacity_task" "rack" {{
  outpost_identifier = "{OUTPOST}"
  order_id           = "{ORDER}"
  instance_pool {{
    instance_type = "c5.4xlarge"
    count         = 3
  }}
  instance_pool {{
    instance_type = "m5.xlarge"
    count         = 12
  }}
}}

resource "outposts_capacity_task" "server" {{
  outpost_identifier = "{SERVER}"
  asset_id           = "{SERVER_ASSET}"
  instance_pool {{
    instance_type = "c5.xlarge"
    count         = 4
  }}
}}

data "outposts_outposts" "all" {{}}
data "outposts_outposts" "racks" {{
  supported_hardware_type = "RACK"
}}
data "outposts_assets" "rack" {{
  outpost_identifier = "{OUTPOST}"
}}
data "outposts_assets" "active_hosts" {{
  outpost_identifier = "{OUTPOST}"
  states             = ["ACTIVE"]
  host_ids           = ["h-00000001000000002"]
}}
data "outposts_supported_instance_types" "rack" {{
  outpost_identifier = "{OUTPOST}"
  order_id           = "{ORDER}"
}}
data "outposts_supported_instance_types" "server" {{
  outpost_identifier = "{SERVER}"
  asset_id           = "{SERVER_ASSET}"
}}
# Its arguments are known only once the task exists: read during apply.
data "outposts_capacity_task" "rack" {{
  outpost_identifier = outposts_capacity_task.rack.outpost_identifier
  capacity_task_id   = outposts_capacity_task.rack.capacity_task_id
}}
data "outposts_capacity_tasks" "completed" {{
  statuses   = ["COMPLETED"]
  depends_on = [outposts_capacity_task.rack, outposts_capacity_task.server]
}}
data "outposts_capacity_tasks" "by_order" {{
  order_id   = "{ORDER}"
  depends_on = [outposts_capacity_task.rack, outposts_capacity_task.server]
}}
data "outposts_capacity_tasks" "failed_on_rack" {{
  outpost_identifier = "{OUTPOST}"
  statuses           = ["FAILED"]
  depends_on         = [outposts_capacity_task.rack]
}}

output "all" {{ value = data.outposts_outposts.all }}
output "racks" {{ value = data.outposts_outposts.racks.ids }}
output "rack_assets" {{ value = data.outposts_assets.rack }}
output "active_hosts" {{ value = data.outposts_assets.active_hosts.assets[*].asset_id }}
output "rack_types" {{ value = data.outposts_supported_instance_types.rack }}
output "server_types" {{ value = data.outposts_supported_instance_types.server.names }}
output "task" {{ value = data.outposts_capacity_task.rack }}
output "rack_task_id" {{ value = outposts_capacity_task.rack.capacity_task_id }}
output "server_task_id" {{ value = outposts_capacity_task.server.capacity_task_id }}
output "completed" {{ value = data.outposts_capacity_tasks.completed }}
output "by_order" {{ value = data.outposts_capacity_tasks.by_order.ids }}
output "failed_on_rack" {{ value = data.outposts_capacity_tasks.failed_on_rack.ids }}
"#
    ));
    let plan = ws.ok(&["plan", "-no-color"]);
    plan.assert_mentions("data.outposts_capacity_task.rack will be read during apply");
    ws.ok(&["apply", "-auto-approve", "-no-color"]);
    let out = outputs(&ws);

    // Outposts: three in the world, one a page.
    assert_eq!(
        strings(&out["all"]["ids"]),
        [OUTPOST, SERVER, BUSY_OUTPOST],
        "{out:#}"
    );
    let rack = &out["all"]["outposts"][0];
    assert_eq!(rack["name"], "quickstart-rack");
    assert_eq!(rack["supported_hardware_type"], "RACK");
    assert_eq!(rack["availability_zone"], "us-west-2a");
    assert_eq!(rack["tags"]["team"], "platform");
    assert!(rack["arn"].as_str().is_some_and(|a| a.ends_with(OUTPOST)));
    assert_eq!(strings(&out["racks"]), [OUTPOST, BUSY_OUTPOST]);

    // Assets: the rack's three hosts with the layout the task left and its vCPUs.
    let assets = &out["rack_assets"];
    assert_eq!(
        assets["assets"].as_array().map(Vec::len),
        Some(3),
        "{assets:#}"
    );
    assert_eq!(assets["outpost_id"], OUTPOST);
    assert_eq!(assets["max_vcpus"], 288);
    let first = &assets["assets"][0];
    assert_eq!(first["asset_type"], "COMPUTE");
    assert_eq!(first["state"], "ACTIVE");
    assert_eq!(first["max_vcpus"], 96);
    let used: i64 = first["instance_type_capacities"]
        .as_array()
        .expect("layout")
        .iter()
        .map(|c| {
            let vcpus = match c["instance_type"].as_str() {
                Some("c5.4xlarge") => 16,
                Some("m5.xlarge") => 4,
                other => panic!("unexpected type {other:?} in {first:#}"),
            };
            vcpus * c["count"].as_i64().expect("count")
        })
        .sum();
    assert!(
        used > 0,
        "the task's layout is on the first host: {first:#}"
    );
    assert_eq!(first["vcpus_used"], used, "{first:#}");
    assert_eq!(strings(&out["active_hosts"]), ["1000000002"]);

    // Supported types: every page, with vCPUs.
    let types = &out["rack_types"]["instance_types"];
    assert_eq!(types.as_array().map(Vec::len), Some(17), "{types:#}");
    assert!(
        types
            .as_array()
            .expect("types")
            .iter()
            .any(|t| t["instance_type"] == "g4dn.12xlarge" && t["vcpus"] == 48)
    );
    let server_types = strings(&out["server_types"]);
    assert!(
        server_types.contains(&"c5.xlarge".to_string()),
        "{server_types:?}"
    );
    assert!(
        !server_types.iter().any(|t| t.starts_with("g4dn")),
        "the server has no GPU family: {server_types:?}"
    );

    // One task, every field.
    let task = &out["task"];
    let rack_task = out["rack_task_id"].as_str().expect("task id");
    assert_eq!(task["status"], "COMPLETED", "{task:#}");
    assert_eq!(task["id"], format!("{OUTPOST}/{rack_task}"));
    assert_eq!(task["order_id"], ORDER);
    assert_eq!(task["instance_pools"][0]["instance_type"], "c5.4xlarge");
    assert_eq!(task["instance_pools"][1]["count"], 12);
    assert_eq!(
        task["task_action_on_blocking_instances"],
        "WAIT_FOR_EVACUATION"
    );
    assert!(task["failure"].is_null());
    assert!(
        task["completion_date"]
            .as_str()
            .is_some_and(|d| d.ends_with('Z'))
    );
    assert_eq!(task["blocking_instances"], serde_json::json!([]));

    // Task lists: filtered by status, across Outposts, oldest first, every page.
    let completed = strings(&out["completed"]["ids"]);
    let server_task = out["server_task_id"].as_str().expect("task id");
    assert_eq!(completed.len(), 2, "{out:#}");
    assert!(
        completed.contains(&rack_task.to_string()) && completed.contains(&server_task.to_string())
    );
    assert_eq!(out["completed"]["tasks"][0]["status"], "COMPLETED");
    assert!(strings(&out["failed_on_rack"]).is_empty());
    assert_eq!(
        strings(&out["by_order"]),
        [rack_task],
        "the server task has no order"
    );
    assert!(
        sim.count("ListCapacityTasks") >= 3,
        "two tasks at one a page take at least three requests"
    );
}

#[test]
fn capacity_check_reports_fit_and_shortfall_defers_unknowns_and_feeds_preconditions() {
    let sim = Sim::fast();
    let layout = |count: &str| {
        format!(
            "  outpost_identifier = \"{OUTPOST}\"\n  order_id = \"{ORDER}\"\n  instance_pool {{\n    instance_type = \"c5.4xlarge\"\n    count = {count}\n  }}\n"
        )
    };
    let ws = sim.workspace(&format!(
        r#"
resource "terraform_data" "n" {{
  input = 4
}}
data "outposts_capacity_check" "fits" {{
{}}}
data "outposts_capacity_check" "too_big" {{
{}}}
data "outposts_capacity_check" "later" {{
{}}}
output "fits" {{ value = [data.outposts_capacity_check.fits.fits, data.outposts_capacity_check.fits.reason] }}
output "too_big" {{ value = data.outposts_capacity_check.too_big }}
output "later" {{ value = data.outposts_capacity_check.later.fits }}
"#,
        layout("4"),
        layout("100"),
        layout("terraform_data.n.output")
    ));
    let plan = ws.ok(&["plan", "-no-color"]);
    plan.assert_mentions("data.outposts_capacity_check.later will be read during apply");
    assert_eq!(
        sim.dry_runs(),
        2,
        "the unknown check is not asked at plan time"
    );
    ws.ok(&["apply", "-auto-approve", "-no-color"]);
    assert!(
        sim.handle.tasks().is_empty(),
        "a capacity check starts nothing"
    );
    let out = outputs(&ws);
    assert_eq!(out["fits"], serde_json::json!([true, null]));
    assert_eq!(out["later"], true);
    let too_big = &out["too_big"];
    assert_eq!(too_big["fits"], false);
    assert_eq!(too_big["conflict"], false);
    let reason = too_big["reason"].as_str().expect("a reason");
    assert!(reason.contains("short by 1312"), "{reason}");
    assert!(
        !reason.contains("request ID"),
        "transport details stay in the log: {reason}"
    );

    // A module's own message, from the reason.
    let guarded = sim.workspace(&format!(
        r#"
data "outposts_capacity_check" "c" {{
{}}}
resource "terraform_data" "layout" {{
  lifecycle {{
    precondition {{
      condition     = data.outposts_capacity_check.c.fits
      error_message = "The layout does not fit ${{data.outposts_capacity_check.c.outpost_identifier}}: ${{coalesce(data.outposts_capacity_check.c.reason, "no reason")}}"
    }}
  }}
}}
"#,
        layout("100")
    ));
    guarded
        .fails(&["plan", "-no-color"])
        .assert_mentions("Resource precondition failed")
        .assert_mentions(&format!("The layout does not fit {OUTPOST}"))
        .assert_mentions("short by 1312");
}

#[test]
fn a_waiting_task_is_read_with_the_instances_that_block_it() {
    let sim = Sim::fast();
    let owner = sim.workspace(&crate::sim::busy_config("WAIT_FOR_EVACUATION"));
    let mut apply = owner
        .command(&["apply", "-auto-approve", "-no-color"])
        .spawn()
        .expect("apply");
    let task_id = sim.wait_for_evacuation_wait();

    let watcher = sim.workspace(&format!(
        "data \"outposts_capacity_task\" \"t\" {{\n  outpost_identifier = \"{BUSY_OUTPOST}\"\n  capacity_task_id = \"{task_id}\"\n}}\noutput \"t\" {{ value = data.outposts_capacity_task.t }}\n"
    ));
    watcher.ok(&["apply", "-auto-approve", "-no-color"]);
    let task = &outputs(&watcher)["t"];
    assert_eq!(task["status"], "WAITING_FOR_EVACUATION", "{task:#}");
    let blocking: Vec<&str> = task["blocking_instances"]
        .as_array()
        .expect("blocking instances")
        .iter()
        .filter_map(|b| b["instance_id"].as_str())
        .collect();
    assert_eq!(
        blocking,
        ["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"],
        "{task:#}"
    );
    assert!(task["blocking_instances"][0]["account_id"].is_string());

    sim.handle
        .evacuate(Evacuation::BlockingTask(task_id))
        .expect("evacuate");
    assert!(apply.wait().expect("apply finishes").success());
}

#[test]
fn bad_arguments_missing_things_and_refused_credentials_are_explained_where_they_are() {
    let sim = Sim::fast();
    let invalid = sim.workspace(
        r#"
data "outposts_assets" "a" {
  outpost_identifier = "op-123"
  states             = ["ACTIVE", "BROKEN"]
}
data "outposts_supported_instance_types" "t" {
  outpost_identifier = "op-0123456789abcdef0"
  order_id           = "oo-0123456789abcdef0"
  asset_id           = "2000000001"
}
data "outposts_capacity_tasks" "t" {
  statuses = ["DONE"]
}
data "outposts_capacity_task" "t" {
  outpost_identifier = "op-0123456789abcdef0"
  capacity_task_id   = "cap-1"
}
data "outposts_outposts" "o" {
  supported_hardware_type = "TOASTER"
}
data "outposts_capacity_check" "c" {
  outpost_identifier = "op-0123456789abcdef0"
  instance_pool {
    instance_type = "c5.large"
    count         = 1
  }
  instance_pool {
    instance_type = "c5.large"
    count         = 10000
  }
}
"#,
    );
    let run = invalid.fails(&["validate", "-no-color"]);
    run.assert_mentions("Invalid outpost_identifier")
        .assert_mentions("\"op-123\" is not an Outpost ID")
        .assert_mentions("Invalid states entry")
        .assert_mentions("\"BROKEN\" is not one of ACTIVE")
        .assert_mentions("Conflicting arguments")
        .assert_mentions("asset_id = \"2000000001\"")
        .assert_mentions("\"DONE\" is not a capacity task status")
        .assert_mentions("Invalid capacity_task_id")
        .assert_mentions("\"TOASTER\" is not one of RACK, SERVER")
        .assert_mentions("Duplicate instance type")
        .assert_mentions("Invalid instance count");
    assert_eq!(
        sim.handle.request_counts().values().sum::<u64>(),
        0,
        "validation calls no API"
    );

    let missing = sim.workspace(&format!(
        r#"
data "outposts_assets" "gone" {{
  outpost_identifier = "op-0000000000000000f"
}}
data "outposts_capacity_task" "gone" {{
  outpost_identifier = "{OUTPOST}"
  capacity_task_id   = "cap-0000000000000000f"
}}
data "outposts_supported_instance_types" "gone" {{
  outpost_identifier = "{OUTPOST}"
  order_id           = "oo-0000000000000000f"
}}
data "outposts_capacity_check" "gone" {{
  outpost_identifier = "op-0000000000000000f"
  instance_pool {{
    instance_type = "c5.large"
    count         = 1
  }}
}}
"#
    ));
    let run = missing.fails(&["plan", "-no-color"]);
    run.assert_mentions("Outpost not found")
        .assert_mentions("outpost_identifier = \"op-0000000000000000f\"")
        .assert_mentions("Capacity task not found")
        .assert_mentions("capacity_task_id = \"cap-0000000000000000f\"")
        .assert_mentions("Order not found")
        .assert_mentions("order_id = \"oo-0000000000000000f\"");

    sim.fault(Operation::ListAssets, FaultKind::AccessDenied, 1);
    let denied = sim.workspace(&format!(
        "data \"outposts_assets\" \"a\" {{\n  outpost_identifier = \"{OUTPOST}\"\n}}\n"
    ));
    denied
        .fails(&["plan", "-no-color"])
        .assert_mentions("Access denied")
        .assert_mentions("outposts:ListAssets");
}

#[test]
fn an_empty_filter_list_is_refused_on_its_argument() {
    // Each filter means "only these"; an empty list would silently mean "all".
    let filters = [
        ("outposts_capacity_tasks", "statuses", ""),
        ("outposts_assets", "host_ids", OUTPOST),
        ("outposts_assets", "states", OUTPOST),
        ("outposts_assets", "asset_types", OUTPOST),
        ("outposts_outposts", "life_cycle_statuses", ""),
        ("outposts_outposts", "availability_zones", ""),
        ("outposts_outposts", "availability_zone_ids", ""),
    ];
    for (data_source, filter, outpost) in filters {
        let outpost = if outpost.is_empty() {
            String::new()
        } else {
            format!("  outpost_identifier = \"{outpost}\"\n")
        };
        let ws = Workspace::new(&format!(
            "provider \"outposts\" {{}}\ndata \"{data_source}\" \"d\" {{\n{outpost}  {filter} = []\n}}\n"
        ));
        ws.fails(&["validate", "-no-color"])
            .assert_mentions(&format!("Error: Empty {filter}"))
            .assert_mentions(&format!("{filter} = []"))
            .assert_mentions("at least 1 element");
    }
}

#[test]
fn outpost_id_function_takes_an_id_or_arn_and_refuses_anything_else() {
    let sim = Sim::fast();
    let arn = sim.outpost_arn();
    let ws = sim.workspace(&format!(
        "output \"from_arn\" {{ value = provider::outposts::outpost_id(\"{arn}\") }}\noutput \"from_id\" {{ value = provider::outposts::outpost_id(\"{OUTPOST}\") }}\n"
    ));
    ws.ok(&["apply", "-auto-approve", "-no-color"]);
    let out = outputs(&ws);
    assert_eq!(out["from_arn"], OUTPOST);
    assert_eq!(out["from_id"], OUTPOST);

    let bad = sim.workspace(
        "output \"bad\" { value = provider::outposts::outpost_id(\"arn:aws:outposts:us-west-2:123456789012:site/os-0123456789abcdef0\") }\n",
    );
    bad.fails(&["plan", "-no-color"])
        .assert_mentions("Invalid function argument")
        .assert_mentions("Invalid value for \"id_or_arn\" parameter")
        .assert_mentions("is not an Outpost ID or ARN");
}
