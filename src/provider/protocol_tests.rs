//! `outposts_capacity_task`'s identity (on read, apply, plan and import), import by
//! identity and list resource as Terraform 1.12+ asks for them: tfplugin6 requests to
//! the provider's service in process, the provider configured for the Outposts
//! simulator over HTTP. (Create derives the identity as apply does; it is left out
//! here because it writes the start journal under the working directory.)

use super::OutpostsProvider;
use crate::list_resources::capacity_task::CapacityTaskList;
use crate::outposts::OutpostsClient;
use crate::outposts::task::{InstancePool, OwnTaskSearch, StartCapacityTask, Started};
use crate::resources::capacity_task::{CapacityTaskState, TYPE_NAME, identity, schema};
use outposts_simulator::{CapacityTaskStatus, SimulatorConfig, SimulatorHandle};
use std::collections::{BTreeMap, HashSet};
use tfplugin::list::ListResource;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::server::ProviderService;
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack, from_serde};
use tokio_stream_shim::collect_events;
use tokio_util::sync::CancellationToken;
use tonic::Request;

const OP: &str = "op-0123456789abcdef0";
const ARN: &str = "arn:aws:outposts:us-west-2:111122223333:outpost/op-0123456789abcdef0";
const SERVER: &str = "op-0fedcba9876543210";

/// The simulator, and the provider's service configured for it.
struct Served {
    handle: SimulatorHandle,
    service: ProviderService<OutpostsProvider>,
    client: OutpostsClient,
}

async fn served(config: SimulatorConfig) -> Served {
    let handle = outposts_simulator::start(config)
        .await
        .expect("the simulator starts on loopback");
    let service = ProviderService::new(OutpostsProvider::new(), CancellationToken::new());
    let ty = super::schema::schema().value_type();
    let Type::Object(members) = &ty else {
        panic!("the provider schema is an object")
    };
    let mut config: BTreeMap<String, Value> =
        members.keys().map(|k| (k.clone(), Value::Null)).collect();
    let endpoints = match members.get("endpoints") {
        Some(Type::List(element)) => match element.as_ref() {
            Type::Object(inner) => Value::Object(
                inner
                    .keys()
                    .map(|k| {
                        let v = if k == "outposts" {
                            Value::string(handle.endpoint())
                        } else {
                            Value::Null
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            other => panic!("endpoints holds {other:?}"),
        },
        other => panic!("endpoints is {other:?}"),
    };
    config.insert("endpoints".into(), Value::List(vec![endpoints]));
    config.insert("assume_role".into(), Value::List(Vec::new()));
    config.insert("region".into(), Value::string("us-west-2"));
    config.insert("access_key".into(), Value::string("AKIDTESTACCESSKEY01"));
    config.insert("secret_key".into(), Value::string("test-secret-key"));
    let answer = service
        .configure_provider(Request::new(pb::configure_provider::Request {
            terraform_version: "1.14.0".into(),
            config: dv(&Value::Object(config), &ty),
            client_capabilities: None,
        }))
        .await
        .expect("ConfigureProvider answers")
        .into_inner();
    assert_eq!(summaries(&answer.diagnostics), Vec::<String>::new());
    let client = OutpostsClient::for_endpoint(handle.endpoint());
    Served {
        handle,
        service,
        client,
    }
}

fn dv(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(value, ty).expect("a value of the type"),
        json: Vec::new(),
    })
}

fn undv(value: Option<&pb::DynamicValue>, ty: &Type) -> Value {
    let value = value.expect("a value");
    decode_msgpack(&value.msgpack, ty).expect("msgpack of the type")
}

fn identity_data(value: &Value) -> Option<pb::ResourceIdentityData> {
    Some(pb::ResourceIdentityData {
        identity_data: dv(value, &identity::schema().value_type()),
    })
}

fn identity_of(data: Option<&pb::ResourceIdentityData>) -> Value {
    let data = data.expect("an identity");
    undv(
        data.identity_data.as_ref(),
        &identity::schema().value_type(),
    )
}

fn summaries(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| d.summary.clone()).collect()
}

fn state_type() -> Type {
    schema::schema().value_type()
}

fn an_identity(members: &[(&str, &str)]) -> Value {
    identity::schema().value(
        members
            .iter()
            .map(|(k, v)| (k.to_string(), Value::string(*v)))
            .collect(),
    )
}

impl Served {
    /// Starts a task out of band and gives it `status`; returns its ID.
    async fn task(
        &self,
        outpost: &str,
        order: Option<&str>,
        asset: Option<&str>,
        status: CapacityTaskStatus,
    ) -> String {
        let request = StartCapacityTask {
            outpost_identifier: outpost.into(),
            order_id: order.map(str::to_string),
            asset_id: asset.map(str::to_string),
            instance_pools: vec![InstancePool {
                instance_type: "m5.xlarge".into(),
                count: 2,
            }],
            instances_to_exclude: Default::default(),
            task_action_on_blocking_instances: None,
        };
        let search = OwnTaskSearch::new(&request, HashSet::new(), HashSet::new());
        let started = self
            .client
            .start_capacity_task(&search, &CancellationToken::new())
            .await
            .expect("the task starts");
        let (Started::New(task) | Started::Adopted { task, .. }) = started;
        self.handle
            .simulator()
            .force_task_status(&task.id, status, None)
            .expect("the task is there");
        task.id
    }

    async fn import(&self, id: &str, identity: Option<&Value>) -> (Value, Value) {
        let answer = self
            .service
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: TYPE_NAME.into(),
                id: id.into(),
                identity: identity.and_then(identity_data),
                ..Default::default()
            }))
            .await
            .expect("ImportResourceState answers")
            .into_inner();
        assert_eq!(summaries(&answer.diagnostics), Vec::<String>::new(), "{id}");
        let [imported] = answer.imported_resources.as_slice() else {
            panic!("one object imported");
        };
        (
            undv(imported.state.as_ref(), &state_type()),
            identity_of(imported.identity.as_ref()),
        )
    }

    async fn import_refused(&self, identity: &Value) -> Vec<String> {
        let answer = self
            .service
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: TYPE_NAME.into(),
                identity: identity_data(identity),
                ..Default::default()
            }))
            .await
            .expect("ImportResourceState answers")
            .into_inner();
        summaries(&answer.diagnostics)
    }

    async fn read(&self, state: &Value, held: Option<&Value>) -> (Value, Value) {
        let answer = self
            .service
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: TYPE_NAME.into(),
                current_state: dv(state, &state_type()),
                current_identity: held.and_then(identity_data),
                ..Default::default()
            }))
            .await
            .expect("ReadResource answers")
            .into_inner();
        assert_eq!(summaries(&answer.diagnostics), Vec::<String>::new());
        (
            undv(answer.new_state.as_ref(), &state_type()),
            identity_of(answer.new_identity.as_ref()),
        )
    }

    /// The events of a ListResource call, as Terraform reads them.
    async fn list(
        &self,
        config: &[(&str, Value)],
        include: bool,
        limit: i64,
    ) -> Vec<pb::list_resource::Event> {
        let list = CapacityTaskList;
        let ty = <CapacityTaskList as ListResource<OutpostsClient>>::schema(&list).value_type();
        let mut members: BTreeMap<String, Value> = BTreeMap::from([
            ("outpost_identifier".to_string(), Value::Null),
            ("statuses".to_string(), Value::Null),
        ]);
        for (name, value) in config {
            members.insert(name.to_string(), value.clone());
        }
        let answer = self
            .service
            .list_resource(Request::new(pb::list_resource::Request {
                type_name: TYPE_NAME.into(),
                config: dv(&Value::Object(members), &ty),
                include_resource_object: include,
                limit,
            }))
            .await
            .expect("ListResource answers")
            .into_inner();
        collect_events(answer).await
    }
}

/// Reading the events of a stream without a dependency on tokio-stream.
mod tokio_stream_shim {
    use std::future::poll_fn;
    use std::pin::Pin;
    use tfplugin::proto::tfplugin6 as pb;
    use tonic::codegen::tokio_stream::Stream;

    pub async fn collect_events<S>(mut stream: S) -> Vec<pb::list_resource::Event>
    where
        S: Stream<Item = Result<pb::list_resource::Event, tonic::Status>> + Unpin,
    {
        let mut events = Vec::new();
        while let Some(item) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
            events.push(item.expect("an event"));
        }
        events
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_has_its_identity_on_read_and_imports_by_identity_as_by_id() {
    let served = served(SimulatorConfig::default()).await;
    let task = served
        .task(
            OP,
            Some("oo-0123456789abcdef0"),
            None,
            CapacityTaskStatus::Completed,
        )
        .await;
    let by_id = served.import(&format!("{OP}/{task}"), None).await;
    let expected = identity::schema().value(BTreeMap::from([
        ("outpost_id".to_string(), Value::string(OP)),
        ("capacity_task_id".to_string(), Value::string(&task)),
        ("region".to_string(), Value::string("us-west-2")),
    ]));
    assert_eq!(by_id.1, expected, "the identity of a task imported by ID");

    // Read: the identity derived from the state, whether Terraform holds one or not.
    let (state, derived) = served.read(&by_id.0, None).await;
    assert_eq!(derived, expected);
    let (_, kept) = served.read(&state, Some(&expected)).await;
    assert_eq!(kept, expected);
    let partial = an_identity(&[("outpost_id", OP), ("capacity_task_id", &task)]);
    let (_, filled) = served.read(&state, Some(&partial)).await;
    assert_eq!(filled, expected, "a held identity's nulls are filled in");

    // Apply (an update in place of a setting) answers with the identity too.
    let with_setting = |value: &Value| match value {
        Value::Object(members) => {
            let mut members = members.clone();
            members.insert("dry_run_on_plan".into(), Value::Bool(false));
            Value::Object(members)
        }
        other => panic!("a state object, not {other:?}"),
    };
    let config = with_setting(&schema::schema().block.config_from_state(&state));
    let applied = served
        .service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: TYPE_NAME.into(),
            prior_state: dv(&state, &state_type()),
            planned_state: dv(&with_setting(&state), &state_type()),
            config: dv(&config, &state_type()),
            planned_identity: identity_data(&expected),
            ..Default::default()
        }))
        .await
        .expect("ApplyResourceChange answers")
        .into_inner();
    assert_eq!(summaries(&applied.diagnostics), Vec::<String>::new());
    assert_eq!(identity_of(applied.new_identity.as_ref()), expected);

    // By identity, the same state as by ID.
    let required = an_identity(&[("outpost_id", OP), ("capacity_task_id", &task)]);
    let by_identity = served.import("", Some(&required)).await;
    assert_eq!(by_identity, by_id, "import by identity is import by ID");
    let with_region = an_identity(&[
        ("outpost_id", OP),
        ("capacity_task_id", &task),
        ("region", "us-west-2"),
    ]);
    assert_eq!(served.import("", Some(&with_region)).await, by_id);

    // With the account: the ARN form, and the account in the identity.
    let by_arn = served.import(&format!("{ARN}/{task}"), None).await;
    let full = an_identity(&[
        ("outpost_id", OP),
        ("capacity_task_id", &task),
        ("account_id", "111122223333"),
        ("region", "us-west-2"),
    ]);
    assert_eq!(by_arn.1, full);
    assert_eq!(
        by_arn.0.attr("outpost_identifier"),
        Some(&Value::string(ARN))
    );
    let with_account = an_identity(&[
        ("outpost_id", OP),
        ("capacity_task_id", &task),
        ("account_id", "111122223333"),
    ]);
    assert_eq!(served.import("", Some(&with_account)).await, by_arn);

    // Refused: another region, a missing task ID.
    let elsewhere = an_identity(&[
        ("outpost_id", OP),
        ("capacity_task_id", &task),
        ("region", "us-east-1"),
    ]);
    assert_eq!(
        served.import_refused(&elsewhere).await,
        ["Outpost in another region"]
    );
    let missing = an_identity(&[("outpost_id", OP)]);
    assert_eq!(
        served.import_refused(&missing).await,
        ["Missing identity attribute"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_identity_stored_by_version_0_upgrades_to_itself() {
    let served = served(SimulatorConfig::default()).await;
    let stored = br#"{"outpost_id":"op-0123456789abcdef0","capacity_task_id":"cap-0123456789abcdef0","account_id":null,"region":"us-west-2"}"#;
    let answer = served
        .service
        .upgrade_resource_identity(Request::new(pb::upgrade_resource_identity::Request {
            type_name: TYPE_NAME.into(),
            version: 0,
            raw_identity: Some(pb::RawState {
                json: stored.to_vec(),
                ..Default::default()
            }),
        }))
        .await
        .expect("UpgradeResourceIdentity answers")
        .into_inner();
    assert_eq!(summaries(&answer.diagnostics), Vec::<String>::new());
    let expected = an_identity(&[
        ("outpost_id", OP),
        ("capacity_task_id", "cap-0123456789abcdef0"),
        ("region", "us-west-2"),
    ]);
    assert_eq!(identity_of(answer.upgraded_identity.as_ref()), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_finds_tasks_by_outpost_and_status_and_reads_them_only_when_asked() {
    let served = served(SimulatorConfig::default()).await;
    let order = Some("oo-0123456789abcdef0");
    let done = served
        .task(OP, order, None, CapacityTaskStatus::Completed)
        .await;
    let failed = served
        .task(OP, order, None, CapacityTaskStatus::Failed)
        .await;
    let again = served
        .task(OP, order, None, CapacityTaskStatus::Completed)
        .await;
    let server = served
        .task(
            SERVER,
            None,
            Some("2000000001"),
            CapacityTaskStatus::Completed,
        )
        .await;
    let completed = Value::List(vec![Value::string("COMPLETED")]);
    let names = |events: &[pb::list_resource::Event]| -> Vec<String> {
        events.iter().map(|e| e.display_name.clone()).collect()
    };
    let gets = || served.handle.request_count("GetCapacityTask");

    let before = gets();
    let config = [
        ("outpost_identifier", Value::string(OP)),
        ("statuses", completed.clone()),
    ];
    let events = served.list(&config, false, 100).await;
    assert_eq!(
        names(&events),
        [
            format!("{done} on {OP} (COMPLETED)"),
            format!("{again} on {OP} (COMPLETED)")
        ]
    );
    assert!(events.iter().all(|e| e.resource_object.is_none()));
    assert!(events.iter().all(|e| e.diagnostic.is_empty()));
    let identity = identity_of(events[0].identity.as_ref());
    let expected = an_identity(&[
        ("outpost_id", OP),
        ("capacity_task_id", &done),
        ("region", "us-west-2"),
    ]);
    assert_eq!(identity, expected);
    assert_eq!(
        gets(),
        before,
        "no task is read unless Terraform asks for objects"
    );

    // With objects: each is the state an import of the task gives.
    let events = served.list(&config, true, 100).await;
    assert_eq!(events.len(), 2);
    assert_eq!(gets(), before + 2);
    let listed = undv(events[0].resource_object.as_ref(), &state_type());
    let (imported, _) = served.import(&format!("{OP}/{done}"), None).await;
    assert_eq!(listed, imported);
    let typed: CapacityTaskState =
        tfplugin::value::to_serde(&listed, &state_type()).expect("a state");
    assert_eq!(typed.instance_pool.len(), 1, "the layout is read");
    assert_eq!(from_serde(&typed, &state_type()).expect("a value"), listed);

    // Without an Outpost: every Outpost's; without statuses: every status.
    let everywhere = served.list(&[("statuses", completed)], false, 100).await;
    let mut found = names(&everywhere);
    found.sort();
    let mut expected = vec![
        format!("{done} on {OP} (COMPLETED)"),
        format!("{again} on {OP} (COMPLETED)"),
        format!("{server} on {SERVER} (COMPLETED)"),
    ];
    expected.sort();
    assert_eq!(found, expected);
    let all = served
        .list(&[("outpost_identifier", Value::string(OP))], false, 100)
        .await;
    assert!(names(&all).contains(&format!("{failed} on {OP} (FAILED)")));
    assert_eq!(all.len(), 3);

    // Terraform's limit ends the listing.
    let one = served.list(&[], true, 1).await;
    assert_eq!(one.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_stops_reading_pages_when_terraform_has_enough() {
    let served = served(SimulatorConfig {
        page_size: 1,
        ..SimulatorConfig::default()
    })
    .await;
    let order = Some("oo-0123456789abcdef0");
    for _ in 0..30 {
        served
            .task(OP, order, None, CapacityTaskStatus::Completed)
            .await;
    }
    let pages = || served.handle.request_count("ListCapacityTasks");
    let before = pages();
    let events = served.list(&[], false, 2).await;
    assert_eq!(events.len(), 2);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let read = pages() - before;
    assert!(read < 30, "{read} pages read for 2 tasks of 30");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(pages() - before, read, "the listing stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_refuses_an_outpost_of_another_region() {
    let served = served(SimulatorConfig::default()).await;
    let arn = ARN.replace("us-west-2", "us-east-1");
    let events = served
        .list(&[("outpost_identifier", Value::string(arn))], false, 10)
        .await;
    let [event] = events.as_slice() else {
        panic!("one event: {events:?}")
    };
    assert_eq!(summaries(&event.diagnostic), ["Outpost in another region"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_before_the_provider_is_configured_keeps_the_identity_held() {
    // No ConfigureProvider yet, as while the provider block waits for unknown values.
    let service = ProviderService::new(OutpostsProvider::new(), CancellationToken::new());
    let state = CapacityTaskState {
        outpost_identifier: OP.into(),
        order_id: Some("oo-0123456789abcdef0".into()),
        id: Some(format!("{OP}/cap-0123456789abcdef0")),
        capacity_task_id: Some("cap-0123456789abcdef0".into()),
        outpost_id: Some(OP.into()),
        status: Some(crate::outposts::task::CapacityTaskStatus::Completed),
        ..CapacityTaskState::default()
    };
    let ty = state_type();
    let prior = from_serde(&state, &ty).expect("a state");
    let config = schema::schema().block.config_from_state(&prior);
    let held = an_identity(&[
        ("outpost_id", OP),
        ("capacity_task_id", "cap-0123456789abcdef0"),
        ("region", "us-west-2"),
    ]);
    let answer = service
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: TYPE_NAME.into(),
            prior_state: dv(&prior, &ty),
            proposed_new_state: dv(&prior, &ty),
            config: dv(&config, &ty),
            prior_identity: identity_data(&held),
            ..Default::default()
        }))
        .await
        .expect("PlanResourceChange answers")
        .into_inner();
    assert_eq!(summaries(&answer.diagnostics), Vec::<String>::new());
    assert_eq!(identity_of(answer.planned_identity.as_ref()), held);
}
