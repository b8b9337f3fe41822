//! A Terraform-like client for any provider executable: it launches the provider as
//! Terraform does, speaks tfplugin6 over the mTLS channel, learns every type from the
//! schemas the provider sends (as Terraform does: nothing here knows a provider), and
//! encodes and decodes values in cty msgpack.

use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::Path;
use test_support::plugin::Launched;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::value::{Type, Value, to_serde};
use tonic::transport::Channel;

use super::values::{
    block_config, block_type, capabilities, decode, dynamic, encode, errors, proposed_create, value,
};
use pb::provider_client::ProviderClient;

/// The version this client claims to be: the first Terraform to speak protocol 6.11.
pub const TERRAFORM_VERSION: &str = "1.16.0";

/// A launched provider with its schemas, configured or not.
pub struct Driver {
    launched: Launched,
    client: ProviderClient<Channel>,
    pub schema: pb::get_provider_schema::Response,
    pub identities: HashMap<String, pb::ResourceIdentitySchema>,
}

/// An object as Terraform holds it between calls: its state, private data and identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub state: Value,
    pub private: Vec<u8>,
    pub identity: Option<Value>,
}

/// What PlanResourceChange answered.
#[derive(Debug)]
pub struct Planned {
    pub state: Value,
    pub private: Vec<u8>,
    pub identity: Option<Value>,
    pub requires_replace: Vec<pb::AttributePath>,
}

/// One ListResource event.
#[derive(Debug)]
pub struct Listed {
    pub identity: Option<Value>,
    pub display_name: String,
    pub object: Option<Value>,
    pub diagnostics: Vec<pb::Diagnostic>,
}

/// One InvokeAction event.
#[derive(Debug, PartialEq)]
pub enum ActionEvent {
    Progress(String),
    Completed(Vec<pb::Diagnostic>),
}

impl Driver {
    /// Launches `executable` and asks for its schemas in Terraform's order:
    /// GetProviderSchema, then GetResourceIdentitySchemas.
    pub async fn start(executable: &Path, env: &[(&str, &str)]) -> Driver {
        let mut env = env.to_vec();
        env.push(("TF_LOG_PROVIDER", "DEBUG"));
        let launched = Launched::start(executable, &env).unwrap_or_else(|e| panic!("{e}"));
        let channel = launched
            .channel()
            .await
            .unwrap_or_else(|e| panic!("{e}\nlog:\n{}", launched.log()));
        let mut client = ProviderClient::new(channel);
        let schema = client
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .unwrap_or_else(|e| panic!("GetProviderSchema: {e}\nlog:\n{}", launched.log()))
            .into_inner();
        // A provider older than protocol 6.9 answers Unimplemented: no identities.
        let identities = match client
            .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
            .await
        {
            Ok(response) => response.into_inner(),
            Err(status) if status.code() == tonic::Code::Unimplemented => Default::default(),
            Err(status) => panic!("GetResourceIdentitySchemas: {status}"),
        };
        let driver = Driver {
            launched,
            client,
            schema,
            identities: HashMap::new(),
        };
        driver.no_errors("GetProviderSchema", &driver.schema.diagnostics);
        driver.no_errors("GetResourceIdentitySchemas", &identities.diagnostics);
        Driver {
            identities: identities.identity_schemas,
            ..driver
        }
    }

    /// The provider's log so far.
    pub fn log(&self) -> String {
        self.launched.log()
    }

    /// Panics, with the provider's log, when `diagnostics` hold an error.
    pub fn no_errors(&self, call: &str, diagnostics: &[pb::Diagnostic]) {
        let errors = errors(diagnostics);
        assert!(
            errors.is_empty(),
            "{call}: {errors:#?}\nprovider log:\n{}",
            self.log()
        );
    }

    /// ValidateProviderConfig, then ConfigureProvider, with the provider block `config`.
    pub async fn configure(&mut self, config: Json) {
        let block = self.schema.provider.clone().and_then(|s| s.block);
        let block = block.expect("a provider schema");
        let config = dynamic(&block_config(&block, config), &block_type(&block));
        let validated = self
            .client
            .validate_provider_config(pb::validate_provider_config::Request {
                config: Some(config.clone()),
            })
            .await
            .expect("ValidateProviderConfig")
            .into_inner();
        self.no_errors("ValidateProviderConfig", &validated.diagnostics);
        let configured = self
            .client
            .configure_provider(pb::configure_provider::Request {
                terraform_version: TERRAFORM_VERSION.into(),
                config: Some(config),
                client_capabilities: Some(capabilities(false)),
            })
            .await
            .expect("ConfigureProvider")
            .into_inner();
        self.no_errors("ConfigureProvider", &configured.diagnostics);
    }

    fn resource_block(&self, type_name: &str) -> pb::schema::Block {
        let schema = self.schema.resource_schemas.get(type_name);
        let block = schema.and_then(|s| s.block.clone());
        block.unwrap_or_else(|| panic!("no resource schema for {type_name}"))
    }

    /// The value type of `type_name`'s resource schema.
    pub fn resource_type(&self, type_name: &str) -> Type {
        block_type(&self.resource_block(type_name))
    }

    /// The value type of `type_name`'s identity.
    pub fn identity_type(&self, type_name: &str) -> Type {
        let schema = self.identities.get(type_name);
        let schema = schema.unwrap_or_else(|| panic!("no identity schema for {type_name}"));
        let attributes = schema.identity_attributes.iter().map(|a| {
            let json: Json = serde_json::from_slice(&a.r#type).expect("a JSON type");
            (a.name.clone(), Type::from_json(&json).expect("a cty type"))
        });
        Type::Object(attributes.collect())
    }

    /// The schema of the list resource `type_name`'s `config` block.
    fn list_block(&self, type_name: &str) -> pb::schema::Block {
        let schema = self.schema.list_resource_schemas.get(type_name);
        let block = schema.and_then(|s| s.block.clone());
        block.unwrap_or_else(|| panic!("no list resource schema for {type_name}"))
    }

    fn action_block(&self, type_name: &str) -> pb::schema::Block {
        let schema = self.schema.action_schemas.get(type_name);
        let block = schema.and_then(|s| s.schema.clone()).and_then(|s| s.block);
        block.unwrap_or_else(|| panic!("no action schema for {type_name}"))
    }

    /// A resource configuration from JSON: absent attributes null, absent list and set
    /// blocks empty, as Terraform decodes HCL.
    pub fn resource_config(&self, type_name: &str, config: Json) -> Value {
        let block = self.resource_block(type_name);
        value(&block_config(&block, config), &block_type(&block))
    }

    /// An identity from JSON.
    pub fn identity(&self, type_name: &str, identity: Json) -> Value {
        value(&identity, &self.identity_type(type_name))
    }

    /// `v`, of `type_name`'s resource type, as JSON (for messages and comparisons).
    pub fn state_json(&self, type_name: &str, v: &Value) -> Json {
        to_serde(v, &self.resource_type(type_name)).expect("a known value")
    }

    /// `v`, of `type_name`'s identity type, as JSON.
    pub fn identity_json(&self, type_name: &str, v: &Value) -> Json {
        to_serde(v, &self.identity_type(type_name)).expect("a known identity")
    }

    fn identity_data(
        &self,
        type_name: &str,
        v: &Option<Value>,
    ) -> Option<pb::ResourceIdentityData> {
        let v = v.as_ref().filter(|v| !v.is_null())?;
        Some(pb::ResourceIdentityData {
            identity_data: Some(encode(v, &self.identity_type(type_name))),
        })
    }

    fn identity_of(
        &self,
        type_name: &str,
        data: Option<pb::ResourceIdentityData>,
    ) -> Option<Value> {
        let data = data?.identity_data?;
        Some(decode(&data, &self.identity_type(type_name)))
    }

    /// ValidateResourceConfig.
    pub async fn validate_resource(
        &mut self,
        type_name: &str,
        config: &Value,
    ) -> Vec<pb::Diagnostic> {
        let request = pb::validate_resource_config::Request {
            type_name: type_name.into(),
            config: Some(encode(config, &self.resource_type(type_name))),
            client_capabilities: Some(capabilities(false)),
        };
        let response = self.client.validate_resource_config(request).await;
        response
            .expect("ValidateResourceConfig")
            .into_inner()
            .diagnostics
    }

    /// ImportResourceState by ID (`terraform import` or an import block's `id`).
    pub async fn import_id(&mut self, type_name: &str, id: &str) -> Object {
        self.import(type_name, id.into(), None).await
    }

    /// ImportResourceState by identity (an import block's `identity`).
    pub async fn import_identity(&mut self, type_name: &str, identity: &Value) -> Object {
        let data = self.identity_data(type_name, &Some(identity.clone()));
        self.import(type_name, String::new(), data).await
    }

    async fn import(
        &mut self,
        type_name: &str,
        id: String,
        identity: Option<pb::ResourceIdentityData>,
    ) -> Object {
        let request = pb::import_resource_state::Request {
            type_name: type_name.into(),
            id,
            client_capabilities: Some(capabilities(false)),
            identity,
        };
        let response = self.client.import_resource_state(request).await;
        let response = response.expect("ImportResourceState").into_inner();
        self.no_errors("ImportResourceState", &response.diagnostics);
        self.imported(type_name, response)
    }

    /// ImportResourceState by an identity the provider must refuse; its diagnostics.
    pub async fn import_identity_refused(
        &mut self,
        type_name: &str,
        identity: &Value,
    ) -> Vec<pb::Diagnostic> {
        let request = pb::import_resource_state::Request {
            type_name: type_name.into(),
            id: String::new(),
            client_capabilities: Some(capabilities(false)),
            identity: self.identity_data(type_name, &Some(identity.clone())),
        };
        let response = self.client.import_resource_state(request).await;
        let response = response.expect("ImportResourceState").into_inner();
        assert!(
            response.imported_resources.is_empty(),
            "a refused import imported {:?}",
            response.imported_resources
        );
        response.diagnostics
    }

    fn imported(&self, type_name: &str, response: pb::import_resource_state::Response) -> Object {
        let [imported] = &response.imported_resources[..] else {
            panic!("one imported object, not {:?}", response.imported_resources);
        };
        assert_eq!(imported.type_name, type_name);
        Object {
            state: decode(
                imported.state.as_ref().expect("an imported state"),
                &self.resource_type(type_name),
            ),
            private: imported.private.clone(),
            identity: self.identity_of(type_name, imported.identity.clone()),
        }
    }

    /// ReadResource of `object`, its identity as current_identity; the object read.
    pub async fn read(&mut self, type_name: &str, object: &Object) -> Object {
        let ty = self.resource_type(type_name);
        let request = pb::read_resource::Request {
            type_name: type_name.into(),
            current_state: Some(encode(&object.state, &ty)),
            private: object.private.clone(),
            provider_meta: None,
            client_capabilities: Some(capabilities(false)),
            current_identity: self.identity_data(type_name, &object.identity),
        };
        let response = self.client.read_resource(request).await;
        let response = response.expect("ReadResource").into_inner();
        self.no_errors("ReadResource", &response.diagnostics);
        Object {
            state: decode(response.new_state.as_ref().expect("a read state"), &ty),
            private: response.private,
            identity: self.identity_of(type_name, response.new_identity),
        }
    }

    /// PlanResourceChange from `prior` (a null state for a create) to `proposed` under
    /// `config`, by a client that says whether it stores planned private data;
    /// `planned_private` is what an earlier plan of this change returned (sent back only
    /// by such a client, at apply). The diagnostics come back beside the plan.
    pub async fn plan(
        &mut self,
        type_name: &str,
        prior: &Object,
        proposed: &Value,
        config: &Value,
        store_planned_private: bool,
        planned_private: Vec<u8>,
    ) -> (Option<Planned>, Vec<pb::Diagnostic>) {
        let ty = self.resource_type(type_name);
        let request = pb::plan_resource_change::Request {
            type_name: type_name.into(),
            prior_state: Some(encode(&prior.state, &ty)),
            proposed_new_state: Some(encode(proposed, &ty)),
            config: Some(encode(config, &ty)),
            prior_private: prior.private.clone(),
            provider_meta: None,
            client_capabilities: Some(capabilities(store_planned_private)),
            prior_identity: self.identity_data(type_name, &prior.identity),
            planned_private,
        };
        let response = self.client.plan_resource_change(request).await;
        let response = response.expect("PlanResourceChange").into_inner();
        let planned = response.planned_state.as_ref().map(|s| Planned {
            state: decode(s, &ty),
            private: response.planned_private.clone(),
            identity: self.identity_of(type_name, response.planned_identity.clone()),
            requires_replace: response.requires_replace.clone(),
        });
        (planned, response.diagnostics)
    }

    /// The proposed new state of a create under `config`, as Terraform's ProposedNew
    /// makes it: computed attributes the configuration leaves null become unknown.
    pub fn proposed_create(&self, type_name: &str, config: &Value) -> Value {
        proposed_create(&self.resource_block(type_name), config)
    }

    /// ApplyResourceChange of a create planned as `planned`.
    pub async fn apply_create(
        &mut self,
        type_name: &str,
        planned: &Planned,
        config: &Value,
    ) -> (Object, Vec<pb::Diagnostic>) {
        let ty = self.resource_type(type_name);
        let request = pb::apply_resource_change::Request {
            type_name: type_name.into(),
            prior_state: Some(encode(&Value::Null, &ty)),
            planned_state: Some(encode(&planned.state, &ty)),
            config: Some(encode(config, &ty)),
            planned_private: planned.private.clone(),
            provider_meta: None,
            planned_identity: self.identity_data(type_name, &planned.identity),
        };
        let response = self.client.apply_resource_change(request).await;
        let response = response.expect("ApplyResourceChange").into_inner();
        let object = Object {
            state: response
                .new_state
                .as_ref()
                .map_or(Value::Null, |s| decode(s, &ty)),
            private: response.private,
            identity: self.identity_of(type_name, response.new_identity),
        };
        (object, response.diagnostics)
    }

    /// GenerateResourceConfig for `state` (`terraform query -generate-config-out`).
    /// Terraform asks only a provider whose server capabilities say it generates
    /// configuration; others get a configuration Terraform guesses from the state.
    pub async fn generate_config(&mut self, type_name: &str, state: &Value) -> Value {
        let capabilities = self.schema.server_capabilities.as_ref();
        assert!(
            capabilities.is_some_and(|c| c.generate_resource_config),
            "the provider does not announce generate_resource_config"
        );
        let ty = self.resource_type(type_name);
        let request = pb::generate_resource_config::Request {
            type_name: type_name.into(),
            state: Some(encode(state, &ty)),
        };
        let response = self.client.generate_resource_config(request).await;
        let response = response.expect("GenerateResourceConfig").into_inner();
        self.no_errors("GenerateResourceConfig", &response.diagnostics);
        decode(response.config.as_ref().expect("a generated config"), &ty)
    }

    /// ValidateListResourceConfig of the `config` block's content, as Terraform sends it.
    pub async fn validate_list(&mut self, type_name: &str, config: Json) -> Vec<pb::Diagnostic> {
        let block = self.list_block(type_name);
        let request = pb::validate_list_resource_config::Request {
            type_name: type_name.into(),
            config: Some(dynamic(&block_config(&block, config), &block_type(&block))),
            include_resource_object: None,
            limit: None,
        };
        let response = self.client.validate_list_resource_config(request).await;
        response
            .expect("ValidateListResourceConfig")
            .into_inner()
            .diagnostics
    }

    /// ListResource, its stream read to the end (or to `limit` events, where Terraform
    /// stops reading).
    pub async fn list(
        &mut self,
        type_name: &str,
        config: Json,
        include_resource_object: bool,
        limit: i64,
    ) -> Vec<Listed> {
        let block = self.list_block(type_name);
        let request = pb::list_resource::Request {
            type_name: type_name.into(),
            config: Some(dynamic(&block_config(&block, config), &block_type(&block))),
            include_resource_object,
            limit,
        };
        let response = self.client.list_resource(request).await;
        let mut stream = response.expect("ListResource").into_inner();
        let ty = self.resource_type(type_name);
        let mut listed = Vec::new();
        while (listed.len() as i64) < limit {
            let Some(event) = stream.message().await.expect("a ListResource event") else {
                break;
            };
            listed.push(Listed {
                identity: self.identity_of(type_name, event.identity),
                display_name: event.display_name,
                object: event.resource_object.as_ref().map(|o| decode(o, &ty)),
                diagnostics: event.diagnostic,
            });
        }
        listed
    }

    /// ValidateActionConfig.
    pub async fn validate_action(&mut self, type_name: &str, config: Json) -> Vec<pb::Diagnostic> {
        let block = self.action_block(type_name);
        let request = pb::validate_action_config::Request {
            type_name: type_name.into(),
            config: Some(dynamic(&block_config(&block, config), &block_type(&block))),
        };
        let response = self.client.validate_action_config(request).await;
        response
            .expect("ValidateActionConfig")
            .into_inner()
            .diagnostics
    }

    /// PlanAction.
    pub async fn plan_action(&mut self, type_name: &str, config: Json) -> Vec<pb::Diagnostic> {
        let block = self.action_block(type_name);
        let request = pb::plan_action::Request {
            action_type: type_name.into(),
            config: Some(dynamic(&block_config(&block, config), &block_type(&block))),
            client_capabilities: Some(capabilities(false)),
        };
        let response = self.client.plan_action(request).await;
        let response = response.expect("PlanAction").into_inner();
        assert!(response.deferred.is_none(), "PlanAction deferred");
        response.diagnostics
    }

    /// InvokeAction, its stream read to the end.
    pub async fn invoke_action(&mut self, type_name: &str, config: Json) -> Vec<ActionEvent> {
        use pb::invoke_action::event::Type as Event;
        let block = self.action_block(type_name);
        let request = pb::invoke_action::Request {
            action_type: type_name.into(),
            config: Some(dynamic(&block_config(&block, config), &block_type(&block))),
            client_capabilities: Some(capabilities(false)),
        };
        let response = self.client.invoke_action(request).await;
        let mut stream = response.expect("InvokeAction").into_inner();
        let mut events = Vec::new();
        while let Some(event) = stream.message().await.expect("an InvokeAction event") {
            events.push(match event.r#type {
                Some(Event::Progress(p)) => ActionEvent::Progress(p.message),
                Some(Event::Completed(c)) => ActionEvent::Completed(c.diagnostics),
                None => panic!("an InvokeAction event of no type"),
            });
        }
        events
    }

    /// UpgradeResourceIdentity of the stored identity JSON `raw`, written at `version`.
    pub async fn upgrade_identity(
        &mut self,
        type_name: &str,
        version: i64,
        raw: Json,
    ) -> (Option<Value>, Vec<pb::Diagnostic>) {
        let request = pb::upgrade_resource_identity::Request {
            type_name: type_name.into(),
            version,
            raw_identity: Some(pb::RawState {
                json: serde_json::to_vec(&raw).expect("JSON"),
                flatmap: HashMap::new(),
            }),
        };
        let response = self.client.upgrade_resource_identity(request).await;
        let response = response.expect("UpgradeResourceIdentity").into_inner();
        let identity = self.identity_of(type_name, response.upgraded_identity);
        (identity, response.diagnostics)
    }
}
