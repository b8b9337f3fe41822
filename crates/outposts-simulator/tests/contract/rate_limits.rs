//! API rate limits, observed through the SDK and on the wire: a token bucket per
//! account (access key) and per operation, answering ThrottlingException as AWS does.

use super::*;
use outposts_simulator::{RateLimit, RateScope};

/// A limit whose bucket refills so slowly that a test sees only its burst.
fn burst_only(burst: u32) -> RateLimit {
    RateLimit::new(0.001, burst).expect("valid limit")
}

/// A 429 ThrottlingException, as the SDK parsed it.
fn is_throttled<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    err.code() == Some("ThrottlingException") && status_of(err) == Some(429)
}

#[tokio::test]
async fn calls_beyond_the_burst_are_throttled_for_that_account_and_operation_only() {
    let sim = start(frozen_config()).await;
    sim.set_rate_limit(RateScope::Operation(Operation::GetOutpost), burst_only(2));
    let team_a = client(&sim);
    for _ in 0..2 {
        team_a
            .get_outpost()
            .outpost_id(RACK)
            .send()
            .await
            .expect("within the burst");
    }
    let err = team_a
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect_err("over the limit");
    assert!(is_throttled(&err), "{err:?}");
    assert_eq!(err.message(), Some("Rate exceeded"));

    // Another operation of the same account has no limit.
    team_a.list_outposts().send().await.expect("not limited");
    // Another account (access key) has its own full bucket.
    let team_b = client_with(
        sim.endpoint(),
        "AKIDOTHERACCOUNT",
        "other-secret",
        RetryConfig::disabled(),
    );
    for _ in 0..2 {
        team_b
            .get_outpost()
            .outpost_id(RACK)
            .send()
            .await
            .expect("its own burst");
    }
    let err = team_b
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect_err("over its own limit");
    assert!(is_throttled(&err), "{err:?}");

    assert_eq!(sim.request_count("GetOutpost"), 6);
    assert_eq!(sim.throttled_count("GetOutpost"), 2);
    assert_eq!(sim.throttled_total(), 2);
    let buckets: Vec<_> = sim
        .rate_limit_buckets()
        .into_iter()
        .map(|b| (b.account, b.operation, b.allowed, b.throttled))
        .collect();
    assert_eq!(
        buckets,
        [
            ("AKIDOTHERACCOUNT".to_string(), Operation::GetOutpost, 2, 1),
            ("AKIDSIMULATOR".to_string(), Operation::GetOutpost, 2, 1),
        ]
    );
}

#[tokio::test]
async fn a_throttled_start_starts_nothing_and_spends_no_fault() {
    let sim = start(frozen_config()).await;
    sim.set_rate_limit(
        RateScope::Operation(Operation::StartCapacityTask),
        burst_only(1),
    );
    let client = client(&sim);
    start_task(&client, RACK, QUICKSTART).await;
    let rule = sim
        .inject_fault(FaultRule::next_calls(
            Operation::StartCapacityTask,
            FaultKind::RivalStart,
            1,
        ))
        .expect("fault");
    let err = start_one(&client, SERVER, "c5.xlarge", 4)
        .send()
        .await
        .expect_err("throttled");
    assert!(is_throttled(&err), "{err:?}");
    let outposts: Vec<_> = sim.tasks().into_iter().map(|t| t.outpost_id).collect();
    assert_eq!(outposts, [RACK], "the throttled start created nothing");
    let faults = sim.faults();
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert_eq!((faults[0].id, faults[0].fired), (rule, 0));
    assert_eq!(
        sim.throttled_counts(),
        std::collections::BTreeMap::from([("StartCapacityTask".to_string(), 1)])
    );
}

#[tokio::test]
async fn a_rate_limit_answers_exactly_as_an_injected_throttle() {
    let sim = start(frozen_config()).await;
    let headers = FAKE_SIGNED;
    let path = format!("/outposts/{RACK}");
    inject(&sim, Operation::GetOutpost, FaultKind::Throttle, 1);
    let injected = raw(sim.local_addr(), "GET", &path, &headers, "").await;
    sim.set_rate_limit(RateScope::All, burst_only(1));
    let allowed = raw(sim.local_addr(), "GET", &path, &headers, "").await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let limited = raw(sim.local_addr(), "GET", &path, &headers, "").await;

    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.status, injected.status);
    assert_eq!(limited.body, injected.body);
    assert_eq!(limited.json()["Message"], "Rate exceeded");
    for name in ["x-amzn-errortype", "content-type"] {
        assert_eq!(limited.header(name), injected.header(name), "{name}");
    }
    assert_eq!(
        limited.header("x-amzn-errortype"),
        Some("ThrottlingException")
    );
    let request_id = limited.header("x-amzn-requestid").unwrap_or_default();
    assert_eq!(request_id.len(), 36, "{:?}", limited.headers);
    // Only the rate limit counts as throttled by it.
    assert_eq!(sim.throttled_count("GetOutpost"), 1);
    assert_eq!(sim.request_count("GetOutpost"), 3);
}

#[tokio::test]
async fn the_sdks_retries_ride_out_a_low_rate() {
    let sim = start(frozen_config()).await;
    // One call every 100 ms, no burst: back-to-back calls must wait for tokens.
    sim.set_rate_limit(
        RateScope::Operation(Operation::ListAssets),
        RateLimit::new(10.0, 1).expect("valid"),
    );
    let retry = RetryConfig::standard()
        .with_max_attempts(10)
        .with_initial_backoff(Duration::from_millis(50));
    let client = client_with(sim.endpoint(), "AKIDSIMULATOR", "simulator-secret", retry);
    let started = Instant::now();
    for _ in 0..5 {
        list_assets(&client, RACK).await;
    }
    let throttled = sim.throttled_count("ListAssets");
    assert!(
        throttled > 0,
        "five calls at once exceed 10/s without burst"
    );
    assert_eq!(sim.request_count("ListAssets"), 5 + throttled);
    // Five calls passed at 10 per second: at least 400 ms between the first and last.
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_control_endpoint_sets_lists_and_clears_limits() {
    let sim = start(frozen_config()).await;
    let set = post(
        &sim,
        "/_sim/rate-limits",
        json!({ "operation": "ListAssets", "rate": 0.001, "burst": 1 }),
    )
    .await;
    assert_eq!(
        set["limits"]["ListAssets"],
        json!({ "rate": 0.001, "burst": 1 })
    );
    let every = post(&sim, "/_sim/rate-limits", json!({ "rate": 50 })).await;
    assert_eq!(every["limits"]["*"], json!({ "rate": 50.0, "burst": 50 }));

    let client = client(&sim);
    list_assets(&client, RACK).await;
    let err = client
        .list_assets()
        .outpost_identifier(RACK)
        .send()
        .await
        .expect_err("second is throttled");
    assert_eq!(err.code(), Some("ThrottlingException"));
    client
        .list_outposts()
        .send()
        .await
        .expect("under the * limit");

    let listed = control(&sim, "GET", "/_sim/rate-limits", Value::Null).await;
    let buckets = listed["buckets"].as_array().expect("buckets");
    let assets = buckets
        .iter()
        .find(|b| b["operation"] == "ListAssets")
        .expect("a ListAssets bucket");
    assert_eq!(assets["account"], "AKIDSIMULATOR");
    assert_eq!(
        (assets["allowed"].as_u64(), assets["throttled"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        assets["tokens"].as_f64().is_some_and(|t| t < 1.0),
        "{assets}"
    );
    let outposts = buckets
        .iter()
        .find(|b| b["operation"] == "ListOutposts")
        .expect("a ListOutposts bucket");
    assert_eq!(outposts["limit"], json!({ "rate": 50.0, "burst": 50 }));
    assert_eq!(listed["throttled"], json!({ "ListAssets": 1 }));
    assert_eq!(
        control(&sim, "GET", "/_sim/throttles", Value::Null).await,
        json!({ "ListAssets": 1 })
    );
    let state = control(&sim, "GET", "/_sim/state", Value::Null).await;
    assert_eq!(state["throttled"], json!({ "ListAssets": 1 }));
    assert_eq!(state["rate_limits"]["ListAssets"]["burst"], 1);

    // Removing the operation's own limit puts it under the * limit, with a full bucket.
    let removed = control(&sim, "DELETE", "/_sim/rate-limits/ListAssets", Value::Null).await;
    assert_eq!(
        removed["limits"],
        json!({ "*": { "rate": 50.0, "burst": 50 } })
    );
    list_assets(&client, RACK).await;
    let again = raw(
        sim.local_addr(),
        "DELETE",
        "/_sim/rate-limits/ListAssets",
        &[],
        "",
    )
    .await;
    assert_eq!(again.status, 404, "{}", again.body);
    assert!(
        again.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("ListAssets"))
    );

    let cleared = control(&sim, "DELETE", "/_sim/rate-limits", Value::Null).await;
    assert_eq!(cleared["limits"], json!({}));
    assert_eq!(cleared["buckets"], json!([]));
    assert_eq!(
        cleared["throttled"],
        json!({ "ListAssets": 1 }),
        "counters stay"
    );
    assert!(sim.rate_limits().is_empty());
    control(&sim, "DELETE", "/_sim/throttles", Value::Null).await;
    assert_eq!(sim.throttled_total(), 0);
}

#[tokio::test]
async fn bad_rate_limits_are_refused_by_name() {
    let sim = start(frozen_config()).await;
    let refused = |body: Value| {
        let addr = sim.local_addr();
        async move {
            let response = raw(
                addr,
                "POST",
                "/_sim/rate-limits",
                &[("Content-Type", "application/json")],
                &body.to_string(),
            )
            .await;
            assert_eq!(response.status, 400, "{body}: {}", response.body);
            response.json()["error"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    };
    assert!(
        refused(json!({ "operation": "GetTask", "rate": 1 }))
            .await
            .contains("GetTask")
    );
    assert!(refused(json!({ "rate": 0 })).await.contains("rate"));
    assert!(refused(json!({ "rate": -1 })).await.contains("rate"));
    assert!(
        refused(json!({ "rate": 1, "burst": 0 }))
            .await
            .contains("burst")
    );
    assert!(refused(json!({ "burst": 3 })).await.contains("rate"));
    assert!(
        refused(json!({ "rate": 1, "per": "minute" }))
            .await
            .contains("per")
    );
    assert!(sim.rate_limits().is_empty());
}

#[tokio::test]
async fn a_reset_refills_the_buckets_and_keeps_the_limits() {
    let sim = start(SimulatorConfig {
        rate_limits: {
            let mut limits = outposts_simulator::RateLimits::default();
            limits.add_flag("GetOutpost=0.001/1").expect("valid flag");
            limits
        },
        ..frozen_config()
    })
    .await;
    let client = client(&sim);
    client
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect("first");
    client
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect_err("throttled");
    post(&sim, "/_sim/reset", Value::Null).await;
    assert_eq!(sim.throttled_total(), 0);
    client
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect("full again");
    client
        .get_outpost()
        .outpost_id(RACK)
        .send()
        .await
        .expect_err("the limit stayed");
}
