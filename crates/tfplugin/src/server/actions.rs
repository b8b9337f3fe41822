//! Actions on the wire (protocol 6.10): validating and planning an action's
//! configuration, and invoking it with its progress streamed as it goes.

use super::served::{ServedAction, find_served, validate};
use super::wire::{decode, diags};
use super::{Answers, ProviderRpcResult, ProviderService};
use crate::action::Progress;
use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::provider::Provider;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

type Event = pb::invoke_action::Event;

fn progress_event(message: String) -> Event {
    Event {
        r#type: Some(pb::invoke_action::event::Type::Progress(
            pb::invoke_action::event::Progress { message },
        )),
    }
}

fn completed_event(diagnostics: &Diagnostics) -> Event {
    Event {
        r#type: Some(pb::invoke_action::event::Type::Completed(
            pb::invoke_action::event::Completed {
                diagnostics: diags(diagnostics),
            },
        )),
    }
}

impl<P: Provider> ProviderService<P> {
    fn action(&self, type_name: &str) -> Result<&ServedAction<P::Client>, Diagnostics> {
        find_served(&self.actions, type_name, "Unknown action type", "an action")
    }

    pub(super) fn validate_action(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> ProviderRpcResult<pb::validate_action_config::Response> {
        let request = request.into_inner();
        let diagnostics = match self.action(&request.type_name) {
            Err(d) => d,
            Ok((action, served)) => validate(
                request.config.as_ref(),
                served,
                "action configuration",
                |config| action.validate(config),
            ),
        };
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: diags(&diagnostics),
        }))
    }

    /// PlanAction: the action's own plan-time checks. The framework never defers, so
    /// it returns nothing a client did not allow.
    pub(super) async fn plan_action_config(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> ProviderRpcResult<pb::plan_action::Response> {
        let request = request.into_inner();
        let diagnostics = match self.action(&request.action_type) {
            Err(d) => d,
            Ok((action, served)) => {
                match decode(request.config.as_ref(), &served.ty, "action configuration") {
                    Err(d) => d,
                    Ok(config) => action.plan(&self.context(), &config).await,
                }
            }
        };
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: diags(&diagnostics),
            deferred: None,
        }))
    }

    /// InvokeAction: the invoke runs as its own task; each progress message is an event
    /// as soon as it is reported, and the last event is the completion with the
    /// invoke's diagnostics.
    pub(super) fn invoke(&self, request: pb::invoke_action::Request) -> Answers<Event> {
        let (events, receiver) = mpsc::channel::<Result<Event, Status>>(16);
        let answers: Answers<Event> = Box::pin(ReceiverStream::new(receiver));
        let found = self
            .action(&request.action_type)
            .and_then(|(action, served)| {
                let config = decode(request.config.as_ref(), &served.ty, "action configuration")?;
                if !config.is_fully_known() {
                    return Err(Diagnostics::from(crate::diag::Diagnostic::error(
                        "Action configuration not known",
                        "An action is invoked with its whole configuration known; Terraform \
                     sent values still unknown.",
                    )));
                }
                Ok((action.clone(), config))
            });
        let (action, config) = match found {
            Ok(found) => found,
            Err(d) => {
                let _ = events.try_send(Ok(completed_event(&d)));
                return answers;
            }
        };
        let ctx = self.context();
        tokio::spawn(async move {
            let (sender, mut messages) = mpsc::channel::<String>(16);
            let progress = Progress::new(sender);
            let invoked = action.invoke(&ctx, config, &progress);
            tokio::pin!(invoked);
            let diagnostics = loop {
                tokio::select! {
                    biased;
                    Some(message) = messages.recv() => {
                        if events.send(Ok(progress_event(message))).await.is_err() {
                            // Terraform went away: closing the channel makes the next
                            // report say so, as `Progress::report` promises.
                            messages.close();
                        }
                    }
                    diagnostics = &mut invoked => break diagnostics,
                }
            };
            // Progress reported just before the end goes out before the completion.
            while let Ok(message) = messages.try_recv() {
                let _ = events.send(Ok(progress_event(message))).await;
            }
            let _ = events.send(Ok(completed_event(&diagnostics))).await;
        });
        answers
    }
}
