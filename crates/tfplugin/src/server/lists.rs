//! List resources and config generation on the wire (protocol 6.10): validating a
//! `list` block's configuration, streaming what a list resource finds with each
//! object's identity, and the configuration for an object found.

use super::served::{ServedList, ServedResource, find_served, validate};
use super::wire::{decode, diags, encode, identity_data};
use super::{Answers, ProviderRpcResult, ProviderService};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::list::ListRequest;
use crate::proto::tfplugin6 as pb;
use crate::provider::Provider;
use crate::value::{Type, Value};
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

type Event = pb::list_resource::Event;

fn diagnostics_event(diagnostics: &Diagnostics) -> Event {
    Event {
        identity: None,
        display_name: String::new(),
        resource_object: None,
        diagnostic: diags(diagnostics),
    }
}

impl<P: Provider> ProviderService<P> {
    fn list_resource(&self, type_name: &str) -> Result<&ServedList<P::Client>, Diagnostics> {
        find_served(
            &self.list_resources,
            type_name,
            "Unknown list resource type",
            "a list resource",
        )
    }

    /// The managed resource a list resource lists, and the type of its identity, which
    /// it must have.
    fn listed_resource(
        &self,
        type_name: &str,
    ) -> Result<(&ServedResource<P::Client>, Type), Diagnostics> {
        let found = self.resource(type_name)?;
        let Some((_, identity_type)) = &found.1.identity else {
            return Err(Diagnostic::error(
                "List resource without identity",
                format!(
                    "The resource {type_name} declares no identity, so its objects cannot be \
                     listed. This is a bug in the provider."
                ),
            )
            .into());
        };
        Ok((found, identity_type.clone()))
    }

    pub(super) fn validate_list(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> ProviderRpcResult<pb::validate_list_resource_config::Response> {
        let request = request.into_inner();
        let mut diagnostics = match self.list_resource(&request.type_name) {
            Err(d) => d,
            Ok((list, served)) => validate(
                request.config.as_ref(),
                served,
                "list configuration",
                |config| list.validate(config),
            ),
        };
        match decode(request.limit.as_ref(), &Type::Number, "limit") {
            Ok(limit) if limit.as_i64().is_some_and(|l| l < 0) => diagnostics.error(
                "Invalid limit",
                "A list block's limit must not be negative.",
            ),
            Ok(_) => {}
            Err(d) => diagnostics.extend(d),
        }
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diags(&diagnostics),
        }))
    }

    /// The events of one ListResource call, streamed as the list resource finds
    /// objects. The listing stops at Terraform's limit (none when it gives none), at the
    /// first error, at StopProvider, or when Terraform stops reading.
    pub(super) fn list(&self, request: pb::list_resource::Request) -> Answers<Event> {
        let (sender, receiver) = mpsc::channel::<Result<Event, Status>>(16);
        let answers: Answers<Event> = Box::pin(ReceiverStream::new(receiver));
        let found = self.list_resource(&request.type_name).and_then(|list| {
            let (resource, identity_type) = self.listed_resource(&request.type_name)?;
            let config = decode(request.config.as_ref(), &list.1.ty, "list configuration")?;
            let checked = list.1.schema.block.validate_config(&config);
            if checked.has_errors() {
                return Err(checked);
            }
            let state_type = resource.1.ty.clone();
            Ok((
                list.0.clone(),
                resource.0.clone(),
                state_type,
                identity_type,
                config,
            ))
        });
        let (list, resource, state_type, identity_type, config) = match found {
            Ok(found) => found,
            Err(d) => {
                let _ = sender.try_send(Ok(diagnostics_event(&d)));
                return answers;
            }
        };
        let ctx = self.context();
        let stop = ctx.stop().clone();
        let include = request.include_resource_object;
        let limit = u64::try_from(request.limit).ok().filter(|l| *l > 0);
        let listing = ListRequest {
            config,
            include_resource_object: include,
            limit: request.limit,
        };
        tokio::spawn(async move {
            let mut items = list.list(ctx.clone(), listing, state_type.clone());
            let mut sent = 0u64;
            while limit.is_none_or(|l| sent < l) {
                let item = tokio::select! {
                    item = items.next() => item,
                    () = sender.closed() => break,
                    () = stop.cancelled() => {
                        let stopped = Diagnostic::error(
                            "Listing stopped",
                            "Terraform asked the provider to stop before the listing ended.",
                        );
                        let _ = sender.send(Ok(diagnostics_event(&stopped.into()))).await;
                        break;
                    }
                };
                let event = match item {
                    None => break,
                    Some(Err(diagnostic)) => {
                        let error = diagnostic.severity == Severity::Error;
                        let _ = sender.send(Ok(diagnostics_event(&diagnostic.into()))).await;
                        if error {
                            break;
                        }
                        continue;
                    }
                    Some(Ok(listed)) => {
                        let mut diagnostics = Diagnostics::new();
                        let identity = resource
                            .identity(&ctx, &listed.state)
                            .filter(Value::is_fully_known);
                        let identity = match identity {
                            Some(i) => identity_data(&i, &identity_type, &mut diagnostics),
                            None => {
                                diagnostics.error(
                                    "Listed object without identity",
                                    format!(
                                        "The provider found {:?} but could not say its \
                                         identity. This is a bug in the provider.",
                                        listed.display_name
                                    ),
                                );
                                None
                            }
                        };
                        let resource_object = if include {
                            encode(&listed.state, &state_type, &mut diagnostics)
                        } else {
                            None
                        };
                        let failed = diagnostics.has_errors();
                        let event = Event {
                            identity,
                            display_name: listed.display_name,
                            resource_object,
                            diagnostic: diags(&diagnostics),
                        };
                        if failed {
                            let _ = sender.send(Ok(event)).await;
                            break;
                        }
                        event
                    }
                };
                if sender.send(Ok(event)).await.is_err() {
                    break;
                }
                sent += 1;
            }
        });
        answers
    }

    pub(super) fn generate_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> ProviderRpcResult<pb::generate_resource_config::Response> {
        let request = request.into_inner();
        let mut diagnostics = Diagnostics::new();
        let mut config = None;
        match self.resource(&request.type_name) {
            Err(d) => diagnostics = d,
            Ok((resource, served)) => match decode(request.state.as_ref(), &served.ty, "state") {
                Err(d) => diagnostics = d,
                Ok(state) => {
                    let generated = served.schema.block.config_from_state(&state);
                    let generated = resource.generate_config(generated);
                    config = encode(&generated, &served.ty, &mut diagnostics);
                }
            },
        }
        Ok(Response::new(pb::generate_resource_config::Response {
            config,
            diagnostics: diags(&diagnostics),
        }))
    }
}
