//! List resources (protocol 6.10, Terraform 1.14): what `terraform query` runs for a
//! `list` block in a `.tfquery.hcl` file, to find existing objects of a managed
//! resource type and bring them under management.
//!
//! A list resource has the type name of the managed resource whose objects it finds,
//! its own configuration schema, and an async stream of results. Each result is the
//! managed resource's state of one object and a name for people; the framework derives
//! the identity from the state with the managed resource's
//! [`identity`](crate::resource::Resource::identity), sends the object only when
//! Terraform asks for it, stops at Terraform's limit or when Terraform goes away, and
//! streams diagnostics. [`results`] turns async code into such a stream.

use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::{Type, Value};
use serde::Serialize;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};

/// What Terraform asks of a list resource.
pub struct ListRequest {
    /// The configuration in the list resource's schema (a `list` block's `config`).
    pub config: Value,
    /// Whether Terraform wants each object's full state (`include_resource = true`);
    /// the framework drops it otherwise, so a list resource may always produce it.
    pub include_resource_object: bool,
    /// The most results Terraform wants; the framework stops the stream there.
    pub limit: i64,
}

/// One object found.
pub struct Listed<S> {
    /// A name for people, e.g. in `terraform query`'s output.
    pub display_name: String,
    /// The object as the managed resource's state.
    pub state: S,
}

/// One item of a list resource's stream: an object found, or a diagnostic (an error
/// ends the listing).
pub type ListItem<S> = Result<Listed<S>, Diagnostic>;

/// A list resource's results, in the order found.
pub type ListStream<S> = Pin<Box<dyn Stream<Item = ListItem<S>> + Send + 'static>>;

/// A list resource: the objects of the managed resource type [`ListResource::type_name`].
pub trait ListResource<C: Send + Sync + 'static>: Send + Sync + 'static {
    /// The managed resource's state, as the resource of the same type name stores it.
    type State: Serialize + Send + 'static;

    /// The type name, that of the managed resource whose objects it lists.
    fn type_name(&self) -> &'static str;

    /// The schema of the `config` block of a `list` block.
    fn schema(&self) -> Schema;

    /// Checks beyond the schema's validators; values may be unknown.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// The objects found. `ctx` is the provider's context, owned so that the stream can
    /// outlive this call; the stream is dropped when Terraform has enough or goes away.
    fn list(&self, ctx: Context<C>, request: ListRequest) -> ListStream<Self::State>;
}

/// Where async code sends its results: see [`results`].
pub struct Results<S> {
    sender: mpsc::Sender<ListItem<S>>,
}

impl<S> Results<S> {
    /// Sends an object found. `false` means nobody listens any more (Terraform has
    /// what it wanted, or went away): stop listing.
    pub async fn found(&self, display_name: impl Into<String>, state: S) -> bool {
        let listed = Listed {
            display_name: display_name.into(),
            state,
        };
        self.sender.send(Ok(listed)).await.is_ok()
    }

    /// Sends a diagnostic; an error ends the listing. `false` as for [`Results::found`].
    pub async fn diagnostic(&self, diagnostic: Diagnostic) -> bool {
        self.sender.send(Err(diagnostic)).await.is_ok()
    }
}

/// A [`ListStream`] fed by `produce`, which runs as its own task and sends each result
/// as it finds it, page by page: nothing waits for the whole listing, and once the
/// stream is dropped the next send says to stop.
pub fn results<S, F, Fut>(produce: F) -> ListStream<S>
where
    S: Send + 'static,
    F: FnOnce(Results<S>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(16);
    tokio::spawn(produce(Results { sender }));
    Box::pin(ReceiverStream::new(receiver))
}

/// A list resource with its state type erased to [`Value`], so a provider can serve
/// several; [`erase_list`] boxes one.
pub trait ErasedListResource<C: Send + Sync + 'static>: Send + Sync {
    /// [`ListResource::type_name`].
    fn type_name(&self) -> &'static str;
    /// [`ListResource::schema`].
    fn schema(&self) -> Schema;
    /// [`ListResource::validate`].
    fn validate(&self, config: &Value) -> Diagnostics;
    /// [`ListResource::list`], each state converted with `state_type`, the managed
    /// resource's value type.
    fn list(&self, ctx: Context<C>, request: ListRequest, state_type: Type) -> ListStream<Value>;
}

/// Boxes a list resource for [`Provider::list_resources`](crate::provider::Provider::list_resources).
pub fn erase_list<C, L>(list: L) -> Box<dyn ErasedListResource<C>>
where
    C: Send + Sync + 'static,
    L: ListResource<C>,
{
    Box::new(ErasedList(list))
}

struct ErasedList<L>(L);

impl<C, L> ErasedListResource<C> for ErasedList<L>
where
    C: Send + Sync + 'static,
    L: ListResource<C>,
{
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        self.0.validate(config)
    }

    fn list(&self, ctx: Context<C>, request: ListRequest, state_type: Type) -> ListStream<Value> {
        let typed = self.0.list(ctx, request);
        Box::pin(typed.map(move |item| {
            let listed = item?;
            let state = crate::value::from_serde(&listed.state, &state_type).map_err(|e| {
                Diagnostic::error(
                    "Provider produced an invalid state",
                    format!("A listed object does not fit the resource's schema: {e}"),
                )
            })?;
            Ok(Listed {
                display_name: listed.display_name,
                state,
            })
        }))
    }
}
