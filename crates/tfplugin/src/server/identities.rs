//! Resource identity on the wire (protocol 6.9): the identity schemas, upgrading a
//! stored identity, and the identity every answer about an object carries, derived by
//! the resource and checked against the one Terraform holds.

use super::served::ServedSchema;
use super::wire::{diags, identity_data, identity_value};
use super::{ProviderRpcResult, ProviderService};
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::erased::{ErasedApplied, ErasedResource};
use crate::identity::{changed, same_object};
use crate::path::AttributePath;
use crate::proto::tfplugin6 as pb;
use crate::provider::Provider;
use crate::value::Value;
use tonic::{Request, Response};

impl<P: Provider> ProviderService<P> {
    pub(super) fn identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> ProviderRpcResult<pb::get_resource_identity_schemas::Response> {
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(name, (_, served))| {
                let (schema, _) = served.identity.as_ref()?;
                Some((name.to_string(), schema.to_proto()))
            })
            .collect();
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas,
            diagnostics: Vec::new(),
        }))
    }

    pub(super) fn upgrade_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> ProviderRpcResult<pb::upgrade_resource_identity::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut upgraded_identity = None;
        match self.resource(&request.type_name) {
            Err(d) => diagnostics = d,
            Ok((resource, served)) => match &served.identity {
                None => diagnostics.error(
                    "No identity",
                    format!("{} has no identity to upgrade.", request.type_name),
                ),
                Some((_, ty)) => {
                    let json = request.raw_identity.unwrap_or_default().json;
                    match resource.upgrade_identity(request.version, &json) {
                        Ok(identity) => {
                            upgraded_identity = identity_data(&identity, ty, &mut diagnostics)
                        }
                        Err(d) => diagnostics = d,
                    }
                }
            },
        }
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: diags(&diagnostics),
        }))
    }
}

impl<P: Provider> ProviderService<P> {
    /// Import by identity: the identity decoded and checked against the schema (each
    /// error on its attribute), then the resource's own import.
    pub(super) async fn import_by_identity(
        &self,
        resource: &dyn ErasedResource<P::Client>,
        served: &ServedSchema,
        ctx: &Context<P::Client>,
        request: &pb::import_resource_state::Request,
    ) -> ErasedApplied {
        let failed = |diagnostics| ErasedApplied {
            state: Value::Null,
            private: Vec::new(),
            diagnostics,
        };
        let Some((schema, ty)) = &served.identity else {
            return failed(
                Diagnostic::error(
                    "Import by identity not supported",
                    format!("{} has no identity.", request.type_name),
                )
                .into(),
            );
        };
        let identity = match identity_value(request.identity.as_ref(), ty) {
            Ok(v) => v,
            Err(d) => return failed(d),
        };
        let checked = schema.check_for_import(&identity);
        if checked.has_errors() {
            return failed(checked);
        }
        resource.import_by_identity(ctx, &identity).await
    }
}

/// The identity to answer with for the object `state` describes: the one the resource
/// derives, which must be the object Terraform's `held` identity names (it may fill in
/// attributes `held` left null); `held` itself where the resource derives none.
pub(super) fn answer_identity<C: Send + Sync + 'static>(
    resource: &dyn ErasedResource<C>,
    served: &ServedSchema,
    ctx: &Context<C>,
    state: &Value,
    held: Option<&pb::ResourceIdentityData>,
    diagnostics: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    let (_, ty) = served.identity.as_ref()?;
    if state.is_null() {
        // No object (gone, or destroyed): no identity.
        return None;
    }
    let held = match identity_value(held, ty) {
        Ok(v) => v,
        Err(d) => {
            diagnostics.extend(d);
            return None;
        }
    };
    let derived = resource.identity(ctx, state).filter(Value::is_fully_known);
    let answer = match derived {
        Some(derived) if !held.is_null() && !same_object(&held, &derived) => {
            diagnostics.push(changed(&held, &derived));
            held
        }
        Some(derived) => derived,
        None => held,
    };
    if answer.is_null() {
        return None;
    }
    identity_data(&answer, ty, diagnostics)
}

/// Whether a plan replaces the object: whether a path it says forces a replacement
/// changed. Terraform replaces only then, so a path named but unchanged (a resource
/// may name its replacing attributes whatever the change) is an update of the same
/// object, which keeps its identity.
pub(super) fn replaces(prior: &Value, planned: &Value, requires_replace: &[AttributePath]) -> bool {
    requires_replace
        .iter()
        .any(|path| prior.at(path) != planned.at(path))
}
