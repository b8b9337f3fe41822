//! Data sources: read-only lookups Terraform evaluates during plan (or apply, when
//! their arguments are unknown until then).

use crate::diag::Diagnostics;
use crate::provider::Context;
use crate::resource::{ErasedApplied, erase_outcome};
use crate::schema::Schema;
use crate::value::{Type, Value};
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A data source type. What it reads is the serde struct [`DataSource::State`].
#[async_trait]
pub trait DataSource<C: Send + Sync + 'static>: Send + Sync + 'static {
    /// What the data source reads, as Terraform stores it.
    type State: Serialize + DeserializeOwned + Send + Sync;

    /// The full type name, e.g. `notes_greeting`.
    fn type_name(&self) -> &'static str;

    /// The data source's schema: its arguments and what it reads.
    fn schema(&self) -> Schema;

    /// Checks beyond what the schema implies; values may still be unknown.
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads with a wholly known configuration.
    async fn read(&self, ctx: &Context<C>, config: &Value) -> Result<Self::State, Diagnostics>;
}

/// Boxes a data source for [`Provider::data_sources`](crate::provider::Provider::data_sources).
pub fn erase_data_source<C, D>(data_source: D) -> Box<dyn ErasedDataSource<C>>
where
    C: Send + Sync + 'static,
    D: DataSource<C>,
{
    let value_type = data_source.schema().value_type();
    Box::new(TypedDataSource {
        data_source,
        value_type,
    })
}

/// A data source with its schema's value type worked out once, not at every read.
struct TypedDataSource<T> {
    data_source: T,
    value_type: Type,
}

/// A data source with its state type erased to [`Value`].
#[async_trait]
pub trait ErasedDataSource<C: Send + Sync + 'static>: Send + Sync {
    /// [`DataSource::type_name`].
    fn type_name(&self) -> &'static str;
    /// [`DataSource::schema`].
    fn schema(&self) -> Schema;
    /// [`DataSource::validate`].
    fn validate(&self, config: &Value) -> Diagnostics;
    /// [`DataSource::read`], with the state as a [`Value`].
    async fn read(&self, ctx: &Context<C>, config: &Value) -> ErasedApplied;
}

#[async_trait]
impl<C, D> ErasedDataSource<C> for TypedDataSource<D>
where
    C: Send + Sync + 'static,
    D: DataSource<C>,
{
    fn type_name(&self) -> &'static str {
        self.data_source.type_name()
    }

    fn schema(&self) -> Schema {
        self.data_source.schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        self.data_source.validate(config)
    }

    async fn read(&self, ctx: &Context<C>, config: &Value) -> ErasedApplied {
        match self.data_source.read(ctx, config).await {
            Ok(state) => erase_outcome(
                &self.value_type,
                Some(state),
                Vec::new(),
                Diagnostics::new(),
            ),
            Err(diagnostics) => {
                erase_outcome::<D::State>(&self.value_type, None, Vec::new(), diagnostics)
            }
        }
    }
}
