//! The `tfplugin6.Provider` gRPC service: decodes Terraform's values with the schema's
//! types, calls the provider's traits, and encodes the answers. Errors in what
//! Terraform sent become diagnostics, never panics.

use super::context::Context;
use super::diag::Diagnostics;
use super::function::FunctionError;
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider as ProviderRpc;
use super::provider::{Configured, Provider};
use super::value;
use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

mod actions;
mod identities;
mod lists;
mod resources;
mod served;
mod wire;
use served::{
    ServedAction, ServedDataSource, ServedFunction, ServedList, ServedResource, ServedSchema,
    find_served, validate, validate_found,
};
use wire::{call, capabilities, decode, diags, encode, function_proto};

/// What every call answers.
type ProviderRpcResult<T> = Result<Response<T>, Status>;

/// A stream of answers to one streaming call.
type Answers<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The state of ConfigureProvider: nothing yet, a client, or why there is none.
enum ClientSlot<C> {
    NotConfigured,
    Ready(Arc<C>),
    Unavailable(String),
}

/// Serves one provider over tfplugin6.
pub struct ProviderService<P: Provider> {
    provider: P,
    provider_schema: ServedSchema,
    resources: BTreeMap<&'static str, ServedResource<P::Client>>,
    data_sources: BTreeMap<&'static str, ServedDataSource<P::Client>>,
    functions: BTreeMap<&'static str, ServedFunction>,
    list_resources: BTreeMap<&'static str, ServedList<P::Client>>,
    actions: BTreeMap<&'static str, ServedAction<P::Client>>,
    client: RwLock<ClientSlot<P::Client>>,
    stop: CancellationToken,
}

impl<P: Provider> ProviderService<P> {
    /// `stop` is cancelled by StopProvider; every operation sees it through its context.
    pub fn new(provider: P, stop: CancellationToken) -> Self {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = ServedSchema::new(r.schema()).with_identity(r.identity_schema());
                (r.type_name(), (Arc::from(r), schema))
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = ServedSchema::new(d.schema());
                (d.type_name(), (d, schema))
            })
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| {
                let signature = f.signature();
                (f.name(), (f, signature))
            })
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| {
                let schema = ServedSchema::new(l.schema());
                (l.type_name(), (Arc::from(l), schema))
            })
            .collect();
        let actions = provider
            .actions()
            .into_iter()
            .map(|a| {
                let schema = ServedSchema::new(a.schema());
                (a.type_name(), (Arc::from(a), schema))
            })
            .collect();
        ProviderService {
            provider_schema: ServedSchema::new(provider.schema()),
            provider,
            resources,
            data_sources,
            functions,
            list_resources,
            actions,
            client: RwLock::new(ClientSlot::NotConfigured),
            stop,
        }
    }

    fn context(&self) -> Context<P::Client> {
        let (client, reason) = match &*self.client.read().unwrap_or_else(|e| e.into_inner()) {
            ClientSlot::NotConfigured => (None, None),
            ClientSlot::Ready(c) => (Some(c.clone()), None),
            ClientSlot::Unavailable(reason) => (None, Some(reason.clone())),
        };
        Context::new(client, self.stop.clone()).with_unconfigured_reason(reason)
    }

    fn resource(&self, type_name: &str) -> Result<&ServedResource<P::Client>, Diagnostics> {
        find_served(
            &self.resources,
            type_name,
            "Unknown resource type",
            "a resource type",
        )
    }

    fn function_protos(&self) -> std::collections::HashMap<String, pb::Function> {
        self.functions
            .iter()
            .map(|(name, (_, signature))| (name.to_string(), function_proto(signature)))
            .collect()
    }

    fn data_source(&self, type_name: &str) -> Result<&ServedDataSource<P::Client>, Diagnostics> {
        find_served(
            &self.data_sources,
            type_name,
            "Unknown data source type",
            "a data source",
        )
    }
}

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .keys()
                .map(|name| pb::get_metadata::DataSourceMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|name| pb::get_metadata::ResourceMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|name| pb::get_metadata::FunctionMetadata {
                    name: name.to_string(),
                })
                .collect(),
            list_resources: self
                .list_resources
                .keys()
                .map(|name| pb::get_metadata::ListResourceMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
            actions: self
                .actions
                .keys()
                .map(|name| pb::get_metadata::ActionMetadata {
                    type_name: name.to_string(),
                })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.provider_schema.schema.to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, (_, served))| (name.to_string(), served.schema.to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, (_, served))| (name.to_string(), served.schema.to_proto()))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(capabilities()),
            functions: self.function_protos(),
            list_resource_schemas: self
                .list_resources
                .iter()
                .map(|(name, (_, served))| (name.to_string(), served.schema.to_proto()))
                .collect(),
            action_schemas: self
                .actions
                .iter()
                .map(|(name, (_, served))| {
                    let schema = Some(served.schema.to_proto());
                    (name.to_string(), pb::ActionSchema { schema })
                })
                .collect(),
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let request = request.into_inner();
        let diagnostics = validate(
            request.config.as_ref(),
            &self.provider_schema,
            "provider configuration",
            |config| self.provider.validate(config),
        );
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags(&diagnostics),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let request = request.into_inner();
        let found = self.resource(&request.type_name);
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: validate_found(found, request.config.as_ref(), |resource, config| {
                resource.validate(config)
            }),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let request = request.into_inner();
        let found = self.data_source(&request.type_name);
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: validate_found(found, request.config.as_ref(), |data_source, config| {
                data_source.validate(config)
            }),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut upgraded_state = None;
        match self.resource(&request.type_name) {
            Ok((_, served)) => {
                let (schema, ty) = (&served.schema, &served.ty);
                let raw = request.raw_state.unwrap_or_default();
                if request.version > schema.version {
                    diagnostics.error(
                        "State from a newer provider",
                        format!(
                            "The state was written by a provider with schema version {}, but \
                             this provider only knows versions up to {}. Upgrade the provider.",
                            request.version, schema.version
                        ),
                    );
                } else if raw.json.is_empty() {
                    diagnostics.error(
                        "Unsupported state format",
                        "The state is stored in the legacy flatmap format, which this \
                         provider never wrote. Remove the object from state and import it.",
                    );
                } else {
                    // Decoding the stored JSON with the current schema drops attributes
                    // that no longer exist and nulls the new ones: the upgrade for every
                    // schema change made so far.
                    match value::decode_json(&raw.json, ty) {
                        Ok(state) => {
                            let state = schema.block.normalize_state(state);
                            upgraded_state = encode(&state, ty, &mut diagnostics);
                        }
                        Err(e) => diagnostics.error(
                            "Unreadable stored state",
                            format!("The stored state could not be read: {e}"),
                        ),
                    }
                }
            }
            Err(d) => diagnostics = d,
        }
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags(&diagnostics),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let request = request.into_inner();
        let ty = &self.provider_schema.ty;
        let diagnostics = match decode(request.config.as_ref(), ty, "provider configuration") {
            Err(d) => d,
            Ok(config) => {
                let outcome = self
                    .provider
                    .configure(&config, &request.terraform_version)
                    .await;
                let mut slot = self.client.write().unwrap_or_else(|e| e.into_inner());
                match outcome {
                    Configured::Ready(client) => {
                        *slot = ClientSlot::Ready(Arc::new(client));
                        Diagnostics::new()
                    }
                    Configured::Unknown { reason } => {
                        *slot = ClientSlot::Unavailable(reason);
                        Diagnostics::new()
                    }
                    Configured::Failed(d) => d,
                }
            }
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags(&diagnostics),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> ProviderRpcResult<pb::read_resource::Response> {
        self.read_object(request).await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> ProviderRpcResult<pb::plan_resource_change::Response> {
        self.plan_change(request).await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> ProviderRpcResult<pb::apply_resource_change::Response> {
        self.apply_change(request).await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> ProviderRpcResult<pb::import_resource_state::Response> {
        self.import_object(request).await
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let request = request.into_inner();
        let mut state = None;
        let diagnostics = match self.data_source(&request.type_name) {
            Err(d) => d,
            Ok((data_source, served)) => {
                let ty = &served.ty;
                match decode(request.config.as_ref(), ty, "configuration") {
                    Err(d) => d,
                    Ok(config) => {
                        let read = data_source.read(&self.context(), &config).await;
                        let mut diagnostics = read.diagnostics;
                        if !diagnostics.has_errors() {
                            state = encode(&read.state, ty, &mut diagnostics);
                        }
                        diagnostics
                    }
                }
            }
        };
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diags(&diagnostics),
            deferred: None,
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self.function_protos(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let request = request.into_inner();
        let outcome = match self.functions.get(request.name.as_str()) {
            None => Err(FunctionError::call(format!(
                "this provider has no function named {:?}",
                request.name
            ))),
            Some((function, signature)) => call(function.as_ref(), signature, &request.arguments),
        };
        Ok(Response::new(match outcome {
            Ok(result) => pb::call_function::Response {
                result: Some(result),
                error: None,
            },
            Err(error) => pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text: error.text,
                    function_argument: error.argument.map(|i| i as i64),
                }),
            },
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> ProviderRpcResult<pb::get_resource_identity_schemas::Response> {
        self.identity_schemas(request)
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> ProviderRpcResult<pb::upgrade_resource_identity::Response> {
        self.upgrade_identity(request)
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> ProviderRpcResult<pb::move_resource_state::Response> {
        self.move_object(request.into_inner()).await
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> ProviderRpcResult<pb::generate_resource_config::Response> {
        self.generate_config(request)
    }

    type ListResourceStream = Answers<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> ProviderRpcResult<Self::ListResourceStream> {
        Ok(Response::new(self.list(request.into_inner())))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> ProviderRpcResult<pb::validate_list_resource_config::Response> {
        self.validate_list(request)
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> ProviderRpcResult<pb::plan_action::Response> {
        self.plan_action_config(request).await
    }

    type InvokeActionStream = Answers<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> ProviderRpcResult<Self::InvokeActionStream> {
        Ok(Response::new(self.invoke(request.into_inner())))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> ProviderRpcResult<pb::validate_action_config::Response> {
        self.validate_action(request)
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("Terraform asked the provider to stop; in-flight operations return now");
        self.stop.cancel();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests;
