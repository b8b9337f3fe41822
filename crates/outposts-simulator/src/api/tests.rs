//! The operations' edge cases, in process.

use super::*;

#[test]
fn routes_follow_the_sdk_paths_and_methods() {
    let op = |m, p| Route::parse(m, p).map(|r| r.operation());
    assert_eq!(
        op("POST", "/outposts/op-0123456789abcdef0/capacity"),
        Some(Operation::StartCapacityTask)
    );
    assert_eq!(
        op(
            "GET",
            "/outposts/op-0123456789abcdef0/capacity/cap-0123456789abcdef0"
        ),
        Some(Operation::GetCapacityTask)
    );
    assert_eq!(
        op(
            "POST",
            "/outposts/op-0123456789abcdef0/capacity/cap-0123456789abcdef0"
        ),
        Some(Operation::CancelCapacityTask)
    );
    assert_eq!(
        op(
            "GET",
            "/outposts/op-0123456789abcdef0/capacity/cap-0123456789abcdef0/blockingInstances"
        ),
        Some(Operation::ListBlockingInstancesForCapacityTask)
    );
    assert_eq!(
        op("GET", "/capacity/tasks"),
        Some(Operation::ListCapacityTasks)
    );
    assert_eq!(op("GET", "/outposts"), Some(Operation::ListOutposts));
    assert_eq!(op("GET", "/outposts/x/assets"), Some(Operation::ListAssets));
    assert_eq!(
        op("GET", "/outposts/x/instanceTypes"),
        Some(Operation::GetOutpostInstanceTypes)
    );
    assert_eq!(
        op("GET", "/outposts/x/supportedInstanceTypes"),
        Some(Operation::GetOutpostSupportedInstanceTypes)
    );
    assert_eq!(op("DELETE", "/outposts/x"), None);
    assert_eq!(op("GET", "/nope"), None);
}

#[test]
fn arn_labels_are_decoded() {
    let route = Route::parse(
        "GET",
        "/outposts/arn%3Aaws%3Aoutposts%3Aus-west-2%3A111122223333%3Aoutpost%2Fop-0123456789abcdef0",
    );
    assert_eq!(
        route,
        Some(Route::GetOutpost {
            outpost: "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0".into()
        })
    );
}

#[test]
fn repeated_query_keys_are_a_list() {
    let q = Query::parse(
        "CapacityTaskStatusFilter=REQUESTED&MaxResults=5&CapacityTaskStatusFilter=FAILED",
    );
    assert_eq!(q.all("CapacityTaskStatusFilter"), ["REQUESTED", "FAILED"]);
    assert_eq!(q.first("MaxResults"), Some("5"));
}

#[test]
fn start_body_violations_name_each_field() {
    let body = br#"{"InstancePools":[{"InstanceType":"M5.large","Count":10000},{"Count":1}],
        "InstancesToExclude":{"AccountIds":["12"],"Services":["LAMBDA"]},
        "TaskActionOnBlockingInstances":"SOMETIMES","OrderId":"oo-1"}"#;
    let err = parse_start("op-0123456789abcdef0", body)
        .err()
        .expect("invalid");
    for field in [
        "'instancePools.1.member.instanceType'",
        "'instancePools.1.member.count'",
        "'instancePools.2.member.instanceType'",
        "'instancesToExclude.accountIds.1.member'",
        "'instancesToExclude.services.1.member'",
        "'taskActionOnBlockingInstances'",
        "'orderId'",
    ] {
        assert!(
            err.message.contains(field),
            "{field} missing from {}",
            err.message
        );
    }
    assert_eq!(err.code, "ValidationException");
}

#[test]
fn malformed_body_is_a_serialization_error() {
    let err = parse_start("op-0123456789abcdef0", b"{not json")
        .err()
        .expect("invalid");
    assert_eq!(err.code, "SerializationException");
    let err = parse_start(
        "op-0123456789abcdef0",
        br#"{"InstancePools":[{"InstanceType":"m5.large","Count":"two"}]}"#,
    )
    .err()
    .expect("invalid");
    assert_eq!(err.code, "SerializationException");
}

#[test]
fn duplicate_instance_types_are_refused() {
    let body = br#"{"InstancePools":[{"InstanceType":"m5.large","Count":1},{"InstanceType":"m5.large","Count":2}]}"#;
    let err = parse_start("op-0123456789abcdef0", body)
        .err()
        .expect("invalid");
    assert!(
        err.message.contains("instancePools.2.member.instanceType"),
        "{}",
        err.message
    );
}

#[test]
fn pages_carry_a_token_bound_to_the_query() {
    let page = resolve_page(2, None, "fp".into()).expect("page");
    let (items, next) = paginate((10u64..15).map(|k| (k, k)), &page);
    assert_eq!(items, [10, 11]);
    assert_eq!(next.as_deref(), Some("12##fp"));
    let page = resolve_page(2, next, "fp".into()).expect("page");
    assert_eq!(paginate((10u64..15).map(|k| (k, k)), &page).0, [12, 13]);
    assert!(resolve_page(2, Some("12##other".into()), "fp".into()).is_err());
}

use crate::config::SimulatorConfig;
use crate::consistency::EventualConsistency;

const RACK: &str = "op-0123456789abcdef0";
const SERVER: &str = "op-0fedcba9876543210";
const START: &[u8] = br#"{"OrderId":"oo-0123456789abcdef0","InstancePools":[{"InstanceType":"c5.4xlarge","Count":2}]}"#;

fn frozen() -> Simulator {
    Simulator::new(SimulatorConfig {
        frozen_clock: true,
        ..SimulatorConfig::default()
    })
    .expect("default world")
}

fn listed_ids(sim: &Simulator, query: &str) -> Vec<String> {
    let answer = list_capacity_tasks(sim, &Query::parse(query)).expect("lists");
    answer["CapacityTasks"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| t["CapacityTaskId"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn rival_start_makes_the_callers_start_a_conflict_naming_the_rival() {
    let sim = frozen();
    let route = Route::StartCapacityTask {
        outpost: RACK.into(),
    };
    let rival = start_as_rival(&sim, &route, START).expect("the rival starts a task");
    let err = start_capacity_task(&sim, RACK, START).expect_err("the caller conflicts");
    assert_eq!(err.code, "ConflictException");
    assert!(err.message.contains(&rival), "{}", err.message);
    let tasks = sim.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].capacity_task_id, rival);
}

#[test]
fn refused_rival_start_leaves_the_callers_request_as_it_was() {
    let sim = frozen();
    let route = Route::StartCapacityTask {
        outpost: RACK.into(),
    };
    // The order belongs to another outpost: the rival is refused like the caller.
    let body = br#"{"OrderId":"oo-0fedcba9876543210","InstancePools":[{"InstanceType":"c5.4xlarge","Count":2}]}"#;
    assert_eq!(start_as_rival(&sim, &route, body), None);
    let err = start_capacity_task(&sim, RACK, body).expect_err("refused");
    assert_eq!(err.code, "NotFoundException");
    assert!(sim.tasks().is_empty());
    // With a task already active, the rival conflicts too: the caller's
    // conflict names the task that was there, not a rival's.
    let existing = started_id(&sim, RACK, START);
    assert_eq!(start_as_rival(&sim, &route, START), None);
    let err = start_capacity_task(&sim, RACK, START).expect_err("conflicts");
    assert!(err.message.contains(&existing), "{}", err.message);
    assert_eq!(sim.tasks().len(), 1);
}

#[test]
fn dry_run_is_read_from_a_boolean_dry_run_member_only() {
    assert!(is_dry_run(br#"{"DryRun":true,"InstancePools":[]}"#));
    assert!(!is_dry_run(br#"{"DryRun":false}"#));
    assert!(!is_dry_run(br#"{"DryRun":"true"}"#));
    assert!(!is_dry_run(b"{not json"));
    assert!(!is_dry_run(b""));
}

#[test]
fn list_leaves_a_new_task_out_for_its_first_calls_that_would_include_it() {
    let sim = frozen();
    sim.set_eventual_consistency(EventualConsistency {
        list_hidden_calls: 2,
        ..EventualConsistency::default()
    });
    let id = started_id(&sim, RACK, START);
    // Lists that would not include it anyway spend nothing.
    assert!(listed_ids(&sim, &format!("OutpostIdentifierFilter={SERVER}")).is_empty());
    assert!(listed_ids(&sim, "CapacityTaskStatusFilter=COMPLETED").is_empty());
    assert!(listed_ids(&sim, "").is_empty());
    assert!(listed_ids(&sim, &format!("OutpostIdentifierFilter={RACK}")).is_empty());
    assert_eq!(listed_ids(&sim, ""), [id.as_str()]);
    // GetCapacityTask was never lagging.
    assert!(get_capacity_task(&sim, RACK, &id).is_ok());
}

#[test]
fn list_leaves_a_new_task_out_until_its_seconds_passed() {
    let sim = frozen();
    sim.set_eventual_consistency(EventualConsistency {
        list_hidden_seconds: 30.0,
        ..EventualConsistency::default()
    });
    let id = started_id(&sim, RACK, START);
    assert!(listed_ids(&sim, "").is_empty());
    sim.advance_clock(Duration::from_secs(29));
    assert!(listed_ids(&sim, "").is_empty());
    sim.advance_clock(Duration::from_secs(1));
    assert_eq!(listed_ids(&sim, ""), [id]);
}

/// A start for the SERVER outpost.
const SERVER_START: &[u8] = br#"{"InstancePools":[{"InstanceType":"c5.xlarge","Count":2}]}"#;

/// Starts a task and returns its ID.
fn started_id(sim: &Simulator, outpost: &str, body: &[u8]) -> String {
    let started = start_capacity_task(sim, outpost, body).expect("starts");
    started["CapacityTaskId"].as_str().expect("id").to_string()
}

#[test]
fn list_lag_applies_to_tasks_created_after_it_was_set() {
    let sim = frozen();
    let before = started_id(&sim, RACK, START);
    sim.set_eventual_consistency(EventualConsistency {
        list_hidden_calls: 1,
        ..EventualConsistency::default()
    });
    let after = started_id(&sim, SERVER, SERVER_START);
    assert_eq!(listed_ids(&sim, ""), [before.as_str()]);
    assert_eq!(listed_ids(&sim, ""), [before, after]);
}

#[test]
fn hidden_task_on_a_full_page_keeps_the_next_token_of_that_page() {
    let sim = frozen();
    let first = started_id(&sim, RACK, START);
    sim.set_eventual_consistency(EventualConsistency {
        list_hidden_calls: 1,
        ..EventualConsistency::default()
    });
    start_capacity_task(&sim, SERVER, SERVER_START).expect("starts");
    // Page one holds only the first task: the hidden second spends nothing.
    let page = list_capacity_tasks(&sim, &Query::parse("MaxResults=1")).expect("lists");
    assert_eq!(page["CapacityTasks"][0]["CapacityTaskId"], json!(first));
    let token = page["NextToken"].as_str().expect("a token").to_string();
    let query = format!("MaxResults=1&NextToken={token}");
    let page = list_capacity_tasks(&sim, &Query::parse(&query)).expect("lists");
    assert_eq!(page["CapacityTasks"], json!([]));
    let page = list_capacity_tasks(&sim, &Query::parse(&query)).expect("lists");
    assert_eq!(page["CapacityTasks"].as_array().map(Vec::len), Some(1));
}

#[test]
fn outposts_carry_every_member_of_the_model() {
    let world = World::default_seed();
    let rack = outpost_wire(&world.outposts[0]);
    for member in [
        "OutpostId",
        "OwnerId",
        "OutpostArn",
        "SiteId",
        "Name",
        "Description",
        "LifeCycleStatus",
        "AvailabilityZone",
        "AvailabilityZoneId",
        "Tags",
        "SiteArn",
        "SupportedHardwareType",
        "Generation",
        "RackScalingType",
    ] {
        assert!(rack.get(member).is_some(), "{member} missing from {rack}");
    }
    assert_eq!(rack["Tags"]["team"], json!("platform"));
    assert_eq!(rack["Generation"], json!("GENERATION_2"));
    // A server has no rack generation or scaling type.
    let server = outpost_wire(&world.outposts[1]);
    assert!(server.get("Generation").is_none(), "{server}");
    assert!(server.get("RackScalingType").is_none(), "{server}");
}

#[test]
fn rack_assets_carry_their_location_as_a_number() {
    let world = World::default_seed();
    let rack = &world.outposts[0];
    let asset = asset_wire(rack, &rack.assets[0]);
    assert_eq!(asset["AssetLocation"]["RackElevation"], json!(10.0));
    let server = &world.outposts[1];
    assert!(
        asset_wire(server, &server.assets[0])
            .get("AssetLocation")
            .is_none()
    );
}

/// Property-based fuzzing of what the simulator reads from clients: routes, queries,
/// StartCapacityTask bodies and SigV4 headers. None may panic. `cargo xtask fuzz`
/// runs the `fuzz_` tests with fresh seeds for as long as asked.
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            "(/[a-zA-Z0-9%._-]{0,24}){0,7}",
            "/outposts/op-[0-9a-f]{17}(/capacity(/cap-[0-9a-f]{17}(/blockingInstances)?)?)?",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn fuzz_routes_and_queries_never_panic(
            method in "(GET|POST|PUT|DELETE|[A-Z]{0,8})", path in path(), query in any::<String>()
        ) {
            let _ = Route::parse(&method, &path).map(|r| r.operation());
            let q = Query::parse(&query);
            let _ = q.first("MaxResults");
            let _ = q.all("CapacityTaskStatusFilter");
        }

        #[test]
        fn fuzz_start_bodies_never_panic(
            outpost in prop_oneof![Just("op-0123456789abcdef0".to_string()), any::<String>()],
            bytes in prop::collection::vec(any::<u8>(), 0..256),
            json in r#"\{("(InstancePools|OrderId|AssetId|DryRun|InstancesToExclude|TaskActionOnBlockingInstances)":(\[\{"InstanceType":"[a-z0-9.]{0,12}","Count":-?[0-9]{1,12}\}\]|"[^"]{0,20}"|true|null|[0-9]{1,20}|\{\}),?){0,6}\}"#
        ) {
            let _ = tasks::parse_start(&outpost, &bytes);
            let _ = tasks::parse_start(&outpost, json.as_bytes());
        }

        #[test]
        fn fuzz_sigv4_headers_never_panic(
            header in prop_oneof![
                any::<String>(),
                "AWS4-HMAC-SHA256 Credential=[A-Z0-9]{0,20}(/[0-9a-z-]{0,12}){0,6}, SignedHeaders=[a-z;-]{0,40}, Signature=[0-9a-f]{0,64}",
            ],
            date in "[0-9TZ]{0,20}", body in prop::collection::vec(any::<u8>(), 0..64),
            path in path(), query in "[a-zA-Z0-9=&%]{0,40}"
        ) {
            let _ = sigv4::Authorization::parse(&header);
            let mut headers = axum::http::HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(&header) {
                headers.insert(header::AUTHORIZATION, value);
            }
            if let Ok(value) = HeaderValue::from_str(&date) {
                headers.insert("x-amz-date", value);
            }
            headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:1"));
            let request = SignedRequest {
                method: "POST",
                path: &path,
                query: &query,
                headers: &headers,
                body: &body,
            };
            let _ = sigv4::verify(&request, None);
            let _ = sigv4::verify(&request, Some(&sigv4::Credentials::new("AKID", "secret")));
        }
    }
}
