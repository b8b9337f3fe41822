//! Data sources: read-only lookups Terraform evaluates during plan (or apply, when
//! their arguments are unknown until then).

use crate::context::Context;
use crate::diag::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A data source type. What it reads is the serde struct [`DataSource::State`]. A
/// provider serves it boxed with [`erase_data_source`](crate::erased::erase_data_source).
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
