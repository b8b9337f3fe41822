//! Actions (protocol 6.10, Terraform 1.14): operations a user invokes
//! (`terraform apply -invoke=action.…`) or ties to a resource's lifecycle, that change
//! the world without being an object in state.
//!
//! An action declares a configuration schema and an async invoke that reports progress
//! as it goes. The framework validates and plans its configuration, runs the invoke as
//! its own task, and streams each progress message to Terraform, then the completion
//! with the invoke's diagnostics. An action never touches state: Terraform gives it none.

use crate::context::Context;
use crate::diag::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;
use async_trait::async_trait;
use tokio::sync::mpsc;

/// Where an invoke reports progress; each message reaches the user as it is sent.
pub struct Progress {
    sender: mpsc::Sender<String>,
}

impl Progress {
    /// Progress that goes to `sender`. The framework makes the one an invoke gets; a
    /// provider makes its own to call an invoke in its tests and read what it reported.
    pub fn new(sender: mpsc::Sender<String>) -> Self {
        Progress { sender }
    }

    /// Reports a step. `false` means Terraform no longer listens (it went away); the
    /// invoke may stop, or finish what must not be left half done.
    pub async fn report(&self, message: impl Into<String>) -> bool {
        self.sender.send(message.into()).await.is_ok()
    }
}

/// An action type.
#[async_trait]
pub trait Action<C: Send + Sync + 'static>: Send + Sync + 'static {
    /// The full type name, e.g. `notes_archive`.
    fn type_name(&self) -> &'static str;

    /// The schema of its configuration.
    fn schema(&self) -> Schema;

    /// Checks beyond the schema's validators; values may be unknown.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// What a plan can say before the invoke: errors stop the plan. Values may still
    /// be unknown. Most actions need nothing here.
    async fn plan(&self, _ctx: &Context<C>, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Does the work, reporting progress; the diagnostics are the outcome. The
    /// configuration is wholly known.
    async fn invoke(&self, ctx: &Context<C>, config: Value, progress: &Progress) -> Diagnostics;
}
