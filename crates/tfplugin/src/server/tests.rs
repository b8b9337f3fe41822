use super::*;
use crate::data_source::DataSource;
use crate::erased::{ErasedDataSource, ErasedResource, erase, erase_data_source};
use crate::resource::{ApplyRequest, ApplyResponse, ReadResponse, Resource};
use crate::schema::{Attribute, Block, Schema, value_type_calls};
use crate::value::Value;
use async_trait::async_trait;

/// Provider `notes`, with one resource and one data source of the same schema.
struct Notes;
struct Note;
struct Greeting;

#[derive(serde::Serialize, serde::Deserialize)]
struct Titled {
    title: Option<String>,
}

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new("A note.")
            .attribute(Attribute::string("title").optional().description("Title.")),
    )
}

fn titled(title: &str) -> Option<pb::DynamicValue> {
    let value = Value::Object([("title".to_string(), Value::string(title))].into());
    encode(&value, &schema().value_type(), &mut Diagnostics::new())
}

#[async_trait]
impl Provider for Notes {
    type Client = ();

    fn schema(&self) -> Schema {
        schema()
    }

    async fn configure(&self, _config: &Value, _terraform_version: &str) -> Configured<()> {
        Configured::Ready(())
    }

    fn resources(&self) -> Vec<Box<dyn ErasedResource<()>>> {
        vec![erase(Note)]
    }

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<()>>> {
        vec![erase_data_source(Greeting)]
    }
}

#[async_trait]
impl Resource<()> for Note {
    type State = Titled;

    fn type_name(&self) -> &'static str {
        "notes_note"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(
        &self,
        _ctx: &Context<()>,
        request: ApplyRequest<Titled>,
    ) -> ApplyResponse<Titled> {
        let title = request.planned_state.attr("title").and_then(Value::as_str);
        ApplyResponse::ok(Titled {
            title: title.map(str::to_string),
        })
    }

    async fn delete(&self, _ctx: &Context<()>, _state: Titled, _private: Vec<u8>) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(
        &self,
        _ctx: &Context<()>,
        state: Titled,
        private: Vec<u8>,
    ) -> ReadResponse<Titled> {
        ReadResponse {
            new_state: Some(state),
            private,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn import(&self, _ctx: &Context<()>, id: &str) -> Result<Titled, Diagnostics> {
        Ok(Titled {
            title: Some(id.to_string()),
        })
    }
}

#[async_trait]
impl DataSource<()> for Greeting {
    type State = Titled;

    fn type_name(&self) -> &'static str {
        "notes_greeting"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, _ctx: &Context<()>, _config: &Value) -> Result<Titled, Diagnostics> {
        Ok(Titled {
            title: Some("hello".into()),
        })
    }
}

/// Every call that decodes or encodes a value, each of which must succeed; the
/// handlers run on this thread, where the calls of `Schema::value_type` are counted.
#[tokio::test(flavor = "current_thread")]
async fn value_types_are_worked_out_when_the_schemas_are_built_not_at_every_call() {
    let service = ProviderService::new(Notes, CancellationToken::new());
    let (config, changed) = (titled("a"), titled("b"));
    let before = value_type_calls::count();

    let mut diagnostics = Vec::new();
    let validated = service
        .validate_provider_config(Request::new(pb::validate_provider_config::Request {
            config: config.clone(),
        }))
        .await;
    diagnostics.push((
        "validate provider",
        validated.map(|r| r.into_inner().diagnostics),
    ));
    let configured = service
        .configure_provider(Request::new(pb::configure_provider::Request {
            config: config.clone(),
            ..Default::default()
        }))
        .await;
    diagnostics.push(("configure", configured.map(|r| r.into_inner().diagnostics)));
    let validated = service
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "notes_note".into(),
            config: config.clone(),
            ..Default::default()
        }))
        .await;
    diagnostics.push((
        "validate resource",
        validated.map(|r| r.into_inner().diagnostics),
    ));
    let validated = service
        .validate_data_resource_config(Request::new(pb::validate_data_resource_config::Request {
            type_name: "notes_greeting".into(),
            config: config.clone(),
        }))
        .await;
    diagnostics.push((
        "validate data source",
        validated.map(|r| r.into_inner().diagnostics),
    ));
    let upgraded = service
        .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "notes_note".into(),
            raw_state: Some(pb::RawState {
                json: br#"{"title":"a"}"#.to_vec(),
                ..Default::default()
            }),
            ..Default::default()
        }))
        .await;
    diagnostics.push(("upgrade", upgraded.map(|r| r.into_inner().diagnostics)));
    let read = service
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "notes_note".into(),
            current_state: config.clone(),
            ..Default::default()
        }))
        .await;
    diagnostics.push(("read", read.map(|r| r.into_inner().diagnostics)));
    let planned = service
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "notes_note".into(),
            prior_state: config.clone(),
            proposed_new_state: changed.clone(),
            config: changed.clone(),
            ..Default::default()
        }))
        .await;
    diagnostics.push(("plan", planned.map(|r| r.into_inner().diagnostics)));
    let applied = service
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "notes_note".into(),
            prior_state: None,
            planned_state: changed.clone(),
            config: changed.clone(),
            ..Default::default()
        }))
        .await;
    diagnostics.push(("apply", applied.map(|r| r.into_inner().diagnostics)));
    let imported = service
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "notes_note".into(),
            id: "a".into(),
            ..Default::default()
        }))
        .await;
    diagnostics.push(("import", imported.map(|r| r.into_inner().diagnostics)));
    let read = service
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "notes_greeting".into(),
            config,
            ..Default::default()
        }))
        .await;
    diagnostics.push(("read data source", read.map(|r| r.into_inner().diagnostics)));

    for (call, outcome) in diagnostics {
        match outcome {
            Ok(d) => assert!(d.is_empty(), "{call}: {d:?}"),
            Err(status) => panic!("{call}: {status}"),
        }
    }
    assert_eq!(value_type_calls::count(), before);
}
