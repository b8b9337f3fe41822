//! The action against the Outposts simulator over HTTP, one test per status the task
//! may be in when the action is invoked, and its configuration's checks.

use super::*;
use crate::outposts::task::{InstancePool, OwnTaskSearch, StartCapacityTask, Started};
use outposts_simulator::{SimulatorConfig, SimulatorHandle, TaskTiming};
use std::collections::HashSet;
use std::sync::Arc;
use tfplugin::diag::Severity;
use tokio_util::sync::CancellationToken;

const OP: &str = "op-0123456789abcdef0";

/// The simulator's default world on loopback, where a task stays REQUESTED until it is
/// cancelled and a cancellation takes a second; and a context with a client of it.
struct Simulated {
    handle: SimulatorHandle,
    ctx: Context<OutpostsClient>,
}

impl Simulated {
    async fn start() -> Self {
        Self::cancelling_in(Duration::from_secs(1)).await
    }

    /// As [`Simulated::start`], with cancellations that take `cancellation`.
    async fn cancelling_in(cancellation: Duration) -> Self {
        let config = SimulatorConfig {
            timing: TaskTiming {
                requested: Duration::from_secs(3600),
                cancellation,
                ..TaskTiming::default()
            },
            ..SimulatorConfig::default()
        };
        let handle = outposts_simulator::start(config)
            .await
            .expect("the simulator starts on loopback");
        let client = OutpostsClient::for_endpoint(handle.endpoint());
        let ctx = Context::new(Some(Arc::new(client)), CancellationToken::new());
        Simulated { handle, ctx }
    }

    /// Starts a task that fits the Outpost; it is REQUESTED.
    async fn started_task(&self) -> String {
        let start = StartCapacityTask {
            outpost_identifier: OP.into(),
            order_id: Some("oo-0123456789abcdef0".into()),
            asset_id: None,
            instance_pools: vec![InstancePool {
                instance_type: "c5.4xlarge".into(),
                count: 3,
            }],
            instances_to_exclude: Default::default(),
            task_action_on_blocking_instances: None,
        };
        let search = OwnTaskSearch::new(&start, HashSet::new(), HashSet::new());
        let client = self.ctx.client().expect("a client");
        match client.start_capacity_task(&search, self.ctx.stop()).await {
            Ok(Started::New(task)) => task.id,
            other => panic!("the task did not start: {other:?}"),
        }
    }

    /// A started task forced into `status`.
    async fn task_in(&self, status: outposts_simulator::CapacityTaskStatus) -> String {
        let id = self.started_task().await;
        self.handle
            .force_task_status(&id, status, None)
            .expect("the task exists");
        id
    }

    /// Invokes the action on `task_id`: the progress lines and the outcome.
    async fn invoke(&self, task_id: &str) -> (Vec<String>, Diagnostics) {
        self.invoke_within(task_id, None).await
    }

    /// As [`Simulated::invoke`], with `timeout` configured.
    async fn invoke_within(
        &self,
        task_id: &str,
        timeout: Option<&str>,
    ) -> (Vec<String>, Diagnostics) {
        let (sender, mut receiver) = mpsc::channel(64);
        let progress = Progress::new(sender);
        let outcome = CancelCapacityTaskAction
            .invoke(&self.ctx, config(OP, task_id, timeout), &progress)
            .await;
        drop(progress);
        let mut lines = Vec::new();
        while let Some(line) = receiver.recv().await {
            lines.push(line);
        }
        (lines, outcome)
    }

    fn status_of(&self, task_id: &str) -> String {
        let task = self.handle.task(task_id).expect("the task exists");
        task.status.as_str().to_string()
    }

    fn cancels(&self) -> u64 {
        self.handle.request_count("CancelCapacityTask")
    }
}

fn config(outpost: &str, task_id: &str, timeout: Option<&str>) -> Value {
    Value::Object(
        [
            ("outpost_identifier".to_string(), Value::string(outpost)),
            ("capacity_task_id".to_string(), Value::string(task_id)),
            (
                "timeout".to_string(),
                timeout.map(Value::string).unwrap_or(Value::Null),
            ),
        ]
        .into(),
    )
}

/// Each diagnostic as `(error|warning, summary, attribute)`.
fn described(diagnostics: &Diagnostics) -> Vec<(String, String, String)> {
    diagnostics
        .iter()
        .map(|d| {
            let severity = if d.severity == Severity::Error {
                "error"
            } else {
                "warning"
            };
            let path = d.attribute.as_ref().map(ToString::to_string);
            (
                severity.to_string(),
                d.summary.clone(),
                path.unwrap_or_default(),
            )
        })
        .collect()
}

fn one(severity: &str, summary: &str, attribute: &str) -> Vec<(String, String, String)> {
    vec![(severity.into(), summary.into(), attribute.into())]
}

#[tokio::test]
async fn a_requested_task_is_cancelled_and_each_status_is_reported() {
    let sim = Simulated::start().await;
    let id = sim.started_task().await;
    let (lines, outcome) = sim.invoke(&id).await;
    assert_eq!(described(&outcome), [], "{outcome:?}");
    let line = |status: &str| format!("{id} on {OP}: {status}");
    assert_eq!(
        lines,
        [
            line("REQUESTED"),
            line("CANCELLATION_IN_PROGRESS"),
            line("CANCELLED")
        ]
    );
    assert_eq!(sim.status_of(&id), "CANCELLED");
    assert_eq!(sim.cancels(), 1);
}

#[tokio::test]
async fn a_task_being_cancelled_is_waited_for_without_cancelling_again() {
    use outposts_simulator::CapacityTaskStatus::CancellationInProgress;
    let sim = Simulated::start().await;
    let id = sim.task_in(CancellationInProgress).await;
    let (lines, outcome) = sim.invoke(&id).await;
    assert_eq!(described(&outcome), [], "{outcome:?}");
    assert_eq!(lines.last(), Some(&format!("{id} on {OP}: CANCELLED")));
    assert_eq!(sim.status_of(&id), "CANCELLED");
    assert_eq!(sim.cancels(), 0);
}

#[tokio::test]
async fn a_task_changing_the_hardware_can_no_longer_be_cancelled() {
    use outposts_simulator::CapacityTaskStatus::InProgress;
    let sim = Simulated::start().await;
    let id = sim.task_in(InProgress).await;
    let (lines, outcome) = sim.invoke(&id).await;
    assert_eq!(
        described(&outcome),
        one(
            "error",
            "Capacity task can no longer be cancelled",
            "capacity_task_id"
        )
    );
    let detail = &outcome.iter().next().expect("one").detail;
    assert!(detail.contains("IN_PROGRESS"), "{detail}");
    assert_eq!(lines, [format!("{id} on {OP}: IN_PROGRESS")]);
    assert_eq!(sim.status_of(&id), "IN_PROGRESS");
    assert_eq!(sim.cancels(), 0);
}

#[tokio::test]
async fn a_finished_task_can_no_longer_be_cancelled() {
    use outposts_simulator::CapacityTaskStatus::{Completed, Failed};
    let sim = Simulated::start().await;
    for status in [Completed, Failed] {
        let id = sim.task_in(status).await;
        let (_, outcome) = sim.invoke(&id).await;
        assert_eq!(
            described(&outcome),
            one(
                "error",
                "Capacity task can no longer be cancelled",
                "capacity_task_id"
            ),
            "{status:?}"
        );
    }
    assert_eq!(sim.cancels(), 0);
}

#[tokio::test]
async fn a_task_already_cancelled_is_only_a_warning() {
    use outposts_simulator::CapacityTaskStatus::Cancelled;
    let sim = Simulated::start().await;
    let id = sim.task_in(Cancelled).await;
    let (_, outcome) = sim.invoke(&id).await;
    assert_eq!(
        described(&outcome),
        one(
            "warning",
            "Capacity task already cancelled",
            "capacity_task_id"
        )
    );
    assert_eq!(sim.cancels(), 0);
}

#[tokio::test]
async fn a_task_that_does_not_exist_is_an_error_on_its_id() {
    let sim = Simulated::start().await;
    let (lines, outcome) = sim.invoke("cap-0fffffffffffffff0").await;
    assert_eq!(
        described(&outcome),
        one("error", "Capacity task not found", "capacity_task_id")
    );
    assert!(lines.is_empty(), "{lines:?}");
}

#[tokio::test]
async fn a_stop_before_the_invoke_asks_nothing_of_aws() {
    let sim = Simulated::start().await;
    let id = sim.started_task().await;
    sim.ctx.stop().cancel();
    let (_, outcome) = sim.invoke(&id).await;
    assert_eq!(described(&outcome), one("error", "Interrupted", ""));
    assert_eq!(sim.status_of(&id), "REQUESTED");
    assert_eq!(sim.cancels(), 0);
}

#[tokio::test]
async fn a_stop_while_waiting_ends_the_invoke_with_the_cancellation_asked_for() {
    let sim = Simulated::cancelling_in(Duration::from_secs(3600)).await;
    let id = sim.started_task().await;
    let stop = sim.ctx.stop().clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.cancel();
    });
    let (_, outcome) = sim.invoke(&id).await;
    assert_eq!(described(&outcome), one("error", "Interrupted", ""));
    let detail = &outcome.iter().next().expect("one").detail;
    assert!(detail.contains("goes on at AWS"), "{detail}");
    assert_eq!(sim.status_of(&id), "CANCELLATION_IN_PROGRESS");
}

#[tokio::test]
async fn the_timeout_ends_the_wait_and_says_the_cancellation_goes_on() {
    let sim = Simulated::cancelling_in(Duration::from_secs(3600)).await;
    let id = sim.started_task().await;
    let (lines, outcome) = sim.invoke_within(&id, Some("1s")).await;
    assert_eq!(
        described(&outcome),
        one(
            "error",
            "Timed out waiting for the cancellation",
            "capacity_task_id"
        )
    );
    assert_eq!(
        lines.last(),
        Some(&format!("{id} on {OP}: CANCELLATION_IN_PROGRESS"))
    );
    assert_eq!(sim.cancels(), 1);
}

#[test]
fn a_bad_configuration_fails_validation_on_its_attribute() {
    let rows = [
        (
            config("outpost-1", "cap-0123456789abcdef0", None),
            "outpost_identifier",
        ),
        (config(OP, "task-1", None), "capacity_task_id"),
        (config(OP, "cap-0123456789abcdef0", Some("soon")), "timeout"),
        (config(OP, "cap-0123456789abcdef0", Some("0s")), "timeout"),
    ];
    for (config, attribute) in rows {
        let found = schema().block.validate_config(&config);
        let paths: Vec<String> = found
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                d.attribute
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(paths, [attribute], "{found:?}");
    }
    let good = config(OP, "cap-0123456789abcdef0", Some("45m"));
    assert!(schema().block.validate_config(&good).is_empty());
    let missing = Value::Object(
        [
            ("outpost_identifier".to_string(), Value::string(OP)),
            ("capacity_task_id".to_string(), Value::Null),
            ("timeout".to_string(), Value::Null),
        ]
        .into(),
    );
    let found = schema().block.validate_config(&missing);
    assert!(
        found
            .iter()
            .any(|d| d.attribute == Some(AttributePath::attr("capacity_task_id"))),
        "{found:?}"
    );
}

#[test]
fn the_timeout_defaults_to_thirty_minutes() {
    let parsed = |timeout: Option<&str>| CancelConfig {
        outpost_identifier: OP.into(),
        capacity_task_id: "cap-0123456789abcdef0".into(),
        timeout: timeout.map(String::from),
    };
    assert_eq!(parsed(None).timeout(), Duration::from_secs(30 * 60));
    assert_eq!(parsed(Some("90s")).timeout(), Duration::from_secs(90));
}

#[tokio::test]
async fn the_plan_names_an_outpost_of_another_region() {
    let client = OutpostsClient::for_endpoint("http://127.0.0.1:9");
    let ctx = Context::new(Some(Arc::new(client)), CancellationToken::new());
    let arn = "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0";
    let found = CancelCapacityTaskAction
        .plan(&ctx, &config(arn, "cap-0123456789abcdef0", None))
        .await;
    assert_eq!(
        described(&found),
        one("error", "Outpost in another region", "outpost_identifier")
    );
    let here = CancelCapacityTaskAction
        .plan(&ctx, &config(OP, "cap-0123456789abcdef0", None))
        .await;
    assert!(here.is_empty(), "{here:?}");
}

#[test]
fn the_provider_serves_the_action() {
    use tfplugin::provider::Provider;
    let names: Vec<&str> = crate::provider::OutpostsProvider::new()
        .actions()
        .iter()
        .map(|a| a.type_name())
        .collect();
    assert_eq!(names, [TYPE_NAME]);
}

/// On the wire, as Terraform 1.14 sees it: the action is in the provider's schema, and
/// ValidateActionConfig names the attribute at fault.
#[tokio::test]
async fn terraform_sees_the_action_and_the_attribute_at_fault() {
    use tfplugin::proto::tfplugin6 as pb;
    use tfplugin::proto::tfplugin6::provider_server::Provider as _;
    let service = tfplugin::server::ProviderService::new(
        crate::provider::OutpostsProvider::new(),
        CancellationToken::new(),
    );
    let schemas = service
        .get_provider_schema(tonic::Request::new(Default::default()))
        .await
        .expect("an answer")
        .into_inner();
    assert!(
        schemas.action_schemas.contains_key(TYPE_NAME),
        "{:?}",
        schemas.action_schemas.keys()
    );
    let validate = |config: Value| {
        let msgpack = value::encode_msgpack(&config, &schema().value_type()).expect("encode");
        pb::validate_action_config::Request {
            type_name: TYPE_NAME.into(),
            config: Some(pb::DynamicValue {
                msgpack,
                json: Vec::new(),
            }),
        }
    };
    let answer = service
        .validate_action_config(tonic::Request::new(validate(config(OP, "task-1", None))))
        .await
        .expect("an answer")
        .into_inner();
    let names: Vec<String> = answer
        .diagnostics
        .iter()
        .flat_map(|d| d.attribute.iter().flat_map(|path| path.steps.iter()))
        .filter_map(|step| match &step.selector {
            Some(pb::attribute_path::step::Selector::AttributeName(name)) => Some(name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["capacity_task_id"], "{:?}", answer.diagnostics);
    let good = service
        .validate_action_config(tonic::Request::new(validate(config(
            OP,
            "cap-0123456789abcdef0",
            None,
        ))))
        .await
        .expect("an answer")
        .into_inner();
    assert!(good.diagnostics.is_empty(), "{:?}", good.diagnostics);
}
