//! The lifecycle of a managed resource's objects on the wire: read, plan, apply and
//! import, each answer carrying the object's identity where it has one.

use super::served::ServedResource;
use super::wire::{client_capabilities, decode, decode_change, diags, encode};
use super::{ProviderRpcResult, ProviderService, identities};
use crate::diag::{Diagnostic, Diagnostics, path_to_proto};
use crate::erased::ErasedApply;
use crate::proto::tfplugin6 as pb;
use crate::provider::Provider;
use crate::resource::{MoveRequest, PlanRequest};
use crate::value::Value;
use tonic::{Request, Response};

/// The three values of a resource change: prior state, new state and configuration.
type ChangeValues = (Value, Value, Value);

impl<P: Provider> ProviderService<P> {
    /// The resource `type_name` names and the values of a change to one of its objects
    /// (see [`decode_change`]); the first that is missing or undecodable is the error.
    fn change(
        &self,
        type_name: &str,
        prior: Option<&pb::DynamicValue>,
        new: (Option<&pb::DynamicValue>, &str),
        config: Option<&pb::DynamicValue>,
    ) -> Result<(&ServedResource<P::Client>, ChangeValues), Diagnostics> {
        let found = self.resource(type_name)?;
        let values = decode_change(&found.1.ty, prior, new, config)?;
        Ok((found, values))
    }

    /// ReadResource: the resource's read, its identity checked against the one held.
    pub(super) async fn read_object(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> ProviderRpcResult<pb::read_resource::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut new_state = None;
        let mut new_identity = None;
        let mut private = request.private.clone();
        match self.resource(&request.type_name) {
            Err(d) => diagnostics = d,
            Ok((resource, served)) => {
                let ty = &served.ty;
                match decode(request.current_state.as_ref(), ty, "current state") {
                    Err(d) => diagnostics = d,
                    Ok(state) if state.is_null() => {
                        new_state = encode(&Value::Null, ty, &mut diagnostics);
                    }
                    Ok(state) => {
                        let ctx = self.context();
                        let read = resource.read(&ctx, state.clone(), request.private).await;
                        diagnostics = read.diagnostics;
                        // On a failed read Terraform keeps what it had; echo it back so
                        // an error never reads as "the object is gone".
                        let answer = if diagnostics.has_errors() && read.state.is_null() {
                            state
                        } else {
                            private = read.private;
                            read.state
                        };
                        new_identity = identities::answer_identity(
                            resource.as_ref(),
                            served,
                            &ctx,
                            &answer,
                            request.current_identity.as_ref(),
                            &mut diagnostics,
                        );
                        new_state = encode(&answer, ty, &mut diagnostics);
                    }
                }
            }
        }
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: diags(&diagnostics),
            private,
            deferred: None,
            new_identity,
        }))
    }

    /// PlanResourceChange: the schema's plan, the resource's `modify_plan`, and the
    /// identity of an object that stays the same object.
    pub(super) async fn plan_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> ProviderRpcResult<pb::plan_resource_change::Response> {
        let request = request.into_inner();
        let mut response = pb::plan_resource_change::Response::default();
        let found = self.change(
            &request.type_name,
            request.prior_state.as_ref(),
            (request.proposed_new_state.as_ref(), "proposed state"),
            request.config.as_ref(),
        );
        let ((resource, served), (prior, proposed, config)) = match found {
            Ok(found) => found,
            Err(d) => {
                response.diagnostics = diags(&d);
                return Ok(Response::new(response));
            }
        };
        let ty = &served.ty;
        let mut diagnostics = Diagnostics::new();
        if proposed.is_null() {
            // A destroy: Terraform plans it itself; the planned state is null.
            response.planned_state = encode(&Value::Null, ty, &mut diagnostics);
            response.planned_private = request.prior_private;
            response.diagnostics = diags(&diagnostics);
            return Ok(Response::new(response));
        }
        let client = client_capabilities(request.client_capabilities.as_ref());
        // Only a client that stores planned private data sends it back; from any other,
        // the bytes (never set by Terraform before 6.11) are ignored.
        let stored_plan_private = (client.store_planned_private
            && !request.planned_private.is_empty())
        .then_some(request.planned_private);
        let plan_request = PlanRequest {
            prior_state: (!prior.is_null()).then_some(prior),
            proposed_new_state: proposed,
            config,
            prior_private: request.prior_private,
            client,
            stored_plan_private,
        };
        let ctx = self.context();
        let mut plan = crate::planning::plan(&served.schema.block, &plan_request);
        resource.modify_plan(&ctx, &plan_request, &mut plan).await;
        diagnostics.extend(plan.diagnostics);
        // The object's identity, for a change to an existing object; a new object has
        // none until it is created.
        if let Some(prior) = plan_request.prior_state.as_ref()
            && !identities::replaces(prior, &plan.planned_state, &plan.requires_replace)
        {
            response.planned_identity = identities::answer_identity(
                resource.as_ref(),
                served,
                &ctx,
                prior,
                request.prior_identity.as_ref(),
                &mut diagnostics,
            );
        }
        response.planned_state = encode(&plan.planned_state, ty, &mut diagnostics);
        response.requires_replace = plan.requires_replace.iter().map(path_to_proto).collect();
        response.planned_private = plan.planned_private;
        response.diagnostics = diags(&diagnostics);
        Ok(Response::new(response))
    }

    /// ApplyResourceChange: create, update or delete, with the object's identity.
    pub(super) async fn apply_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> ProviderRpcResult<pb::apply_resource_change::Response> {
        let request = request.into_inner();
        let mut response = pb::apply_resource_change::Response::default();
        let found = self.change(
            &request.type_name,
            request.prior_state.as_ref(),
            (request.planned_state.as_ref(), "planned state"),
            request.config.as_ref(),
        );
        let ((resource, served), (prior_state, planned_state, config)) = match found {
            Ok(found) => found,
            Err(d) => {
                response.diagnostics = diags(&d);
                // Never drop an existing object because of a decoding problem.
                response.new_state = request.prior_state;
                return Ok(Response::new(response));
            }
        };
        let ty = &served.ty;
        let ctx = self.context();
        let applied = resource
            .apply(
                &ctx,
                ErasedApply {
                    prior_state,
                    planned_state,
                    config,
                    planned_private: request.planned_private,
                },
            )
            .await;
        let mut diagnostics = applied.diagnostics;
        response.new_identity = identities::answer_identity(
            resource.as_ref(),
            served,
            &ctx,
            &applied.state,
            request.planned_identity.as_ref(),
            &mut diagnostics,
        );
        response.new_state = encode(&applied.state, ty, &mut diagnostics);
        response.private = applied.private;
        response.diagnostics = diags(&diagnostics);
        Ok(Response::new(response))
    }

    /// ImportResourceState: by ID or by identity.
    pub(super) async fn import_object(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> ProviderRpcResult<pb::import_resource_state::Response> {
        let request = request.into_inner();
        let mut imported_resources = Vec::new();
        let diagnostics = match self.resource(&request.type_name) {
            Err(d) => d,
            Ok((resource, served)) => {
                let ctx = self.context();
                let by_identity = request
                    .identity
                    .as_ref()
                    .is_some_and(|i| i.identity_data.is_some());
                let imported = if by_identity {
                    self.import_by_identity(resource.as_ref(), served, &ctx, &request)
                        .await
                } else {
                    resource.import(&ctx, &request.id).await
                };
                let mut diagnostics = imported.diagnostics;
                if !diagnostics.has_errors() && !imported.state.is_null() {
                    let identity = identities::answer_identity(
                        resource.as_ref(),
                        served,
                        &ctx,
                        &imported.state,
                        request.identity.as_ref(),
                        &mut diagnostics,
                    );
                    let state = encode(&imported.state, &served.ty, &mut diagnostics);
                    imported_resources.push(pb::import_resource_state::ImportedResource {
                        type_name: request.type_name.clone(),
                        state,
                        private: imported.private,
                        identity,
                    });
                }
                diagnostics
            }
        };
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diags(&diagnostics),
            deferred: None,
        }))
    }

    /// MoveResourceState: the target resource's own move, its state encoded and its
    /// identity derived; refused, naming both types, when the resource takes no objects
    /// of the source's type.
    pub(super) async fn move_object(
        &self,
        request: pb::move_resource_state::Request,
    ) -> ProviderRpcResult<pb::move_resource_state::Response> {
        let mut response = pb::move_resource_state::Response::default();
        let (resource, served) = match self.resource(&request.target_type_name) {
            Ok(found) => found,
            Err(d) => {
                response.diagnostics = diags(&d);
                return Ok(Response::new(response));
            }
        };
        let json = |raw: Option<&pb::RawState>| -> Option<serde_json::Value> {
            raw.filter(|r| !r.json.is_empty())
                .and_then(|r| serde_json::from_slice(&r.json).ok())
        };
        let Some(source_state) = json(request.source_state.as_ref()) else {
            let d = Diagnostic::error(
                "Unreadable moved state",
                format!(
                    "The state of the {} object to move is not JSON; only JSON state can be \
                     moved.",
                    request.source_type_name
                ),
            );
            response.diagnostics = diags(&d.into());
            return Ok(Response::new(response));
        };
        let move_request = MoveRequest {
            source_identity: json(request.source_identity.as_ref()),
            source_provider_address: request.source_provider_address,
            source_type_name: request.source_type_name,
            source_schema_version: request.source_schema_version,
            source_state,
            source_private: request.source_private,
            source_identity_schema_version: request.source_identity_schema_version,
        };
        let ctx = self.context();
        let Some(moved) = resource.move_state(&ctx, &move_request).await else {
            let d = Diagnostic::error(
                "Unsupported move",
                format!(
                    "{} cannot take objects of {} from {}; keep the object where it is, or \
                     remove it from state and import it.",
                    request.target_type_name,
                    move_request.source_type_name,
                    move_request.source_provider_address
                ),
            );
            response.diagnostics = diags(&d.into());
            return Ok(Response::new(response));
        };
        let mut diagnostics = moved.diagnostics;
        if !diagnostics.has_errors() && !moved.state.is_null() {
            response.target_identity = identities::answer_identity(
                resource.as_ref(),
                served,
                &ctx,
                &moved.state,
                None,
                &mut diagnostics,
            );
            response.target_state = encode(&moved.state, &served.ty, &mut diagnostics);
            response.target_private = moved.private;
        }
        response.diagnostics = diags(&diagnostics);
        Ok(Response::new(response))
    }
}
