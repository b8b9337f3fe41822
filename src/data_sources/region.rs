//! Data source `outposts_region`: the region and Outposts endpoint the provider is
//! configured for, like hashicorp/aws's `aws_region`. It calls no API, so modules can use
//! it to build ARNs or check they run against the intended region and endpoint.

use crate::outposts::OutpostsClient;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::data_source::DataSource;
use tfplugin::diag::Diagnostics;
use tfplugin::provider::Context;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::Value;

pub struct RegionDataSource;

#[derive(Serialize, Deserialize)]
pub struct RegionState {
    pub name: String,
    pub endpoint: String,
}

#[async_trait]
impl DataSource<OutpostsClient> for RegionDataSource {
    type State = RegionState;

    fn type_name(&self) -> &'static str {
        "outposts_region"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "The AWS region and Outposts API endpoint the provider is configured for. \
                 Reads only the provider configuration; calls no AWS API.",
            )
            .attribute(
                Attribute::string("name")
                    .computed()
                    .description("Region name, e.g. `us-west-2`."),
            )
            .attribute(Attribute::string("endpoint").computed().description(
                "URL of the Outposts API the provider calls: the configured endpoint, \
                 else the regional AWS endpoint.",
            )),
        )
    }

    async fn read(
        &self,
        ctx: &Context<OutpostsClient>,
        _config: &Value,
    ) -> Result<RegionState, Diagnostics> {
        let client = ctx.client()?;
        Ok(RegionState {
            name: client.region().to_string(),
            endpoint: client.endpoint().to_string(),
        })
    }
}
