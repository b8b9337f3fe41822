//! The provider's data sources: what an Outpost is, has and supports, its capacity
//! tasks, and whether a layout fits. Each reads every page of what it asks for and
//! turns AWS's errors into diagnostics on the argument they concern.

pub mod assets;
pub mod capacity_check;
pub mod capacity_task;
pub mod capacity_tasks;
pub mod outposts;
pub mod region;
pub mod supported_instance_types;

use crate::checks;
use crate::layout::missing_argument;
pub(crate) use crate::layout::strings;
use crate::outposts::error::OutpostsError;
use crate::outposts::{OutpostsClient, until_stopped};
use std::collections::BTreeMap;
use std::future::Future;
use tfplugin::diag::Diagnostic;
use tfplugin::erased::{ErasedDataSource, erase_data_source};
use tfplugin::path::AttributePath;
use tfplugin::provider::Context;
use tfplugin::schema::Attribute;
use tfplugin::validators::{SharedValidator, each};
use tfplugin::value::Type;

/// Every data source the provider serves.
pub fn all() -> Vec<Box<dyn ErasedDataSource<OutpostsClient>>> {
    vec![
        erase_data_source(region::RegionDataSource),
        erase_data_source(outposts::OutpostsDataSource),
        erase_data_source(assets::AssetsDataSource),
        erase_data_source(supported_instance_types::SupportedInstanceTypesDataSource),
        erase_data_source(capacity_task::CapacityTaskDataSource),
        erase_data_source(capacity_tasks::CapacityTasksDataSource),
        erase_data_source(capacity_check::CapacityCheckDataSource),
    ]
}

/// An object type with these members.
pub(crate) fn object(members: &[(&str, Type)]) -> Type {
    Type::Object(
        members
            .iter()
            .map(|(name, ty)| (name.to_string(), ty.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

pub(crate) fn list_of(ty: Type) -> Type {
    Type::List(Box::new(ty))
}

/// The required `outpost_identifier` argument: the Outpost's ID or ARN, of the
/// provider's region ([`same_region`] checks that when read).
pub(crate) fn outpost_identifier() -> Attribute {
    Attribute::string("outpost_identifier")
        .required()
        .validator(checks::id("outpost_identifier"))
        .description(
            "ID (`op-...`) or ARN of the Outpost; an ARN must be of the provider's region.",
        )
}

/// The computed `outpost_id`: the Outpost's ID whichever form `outpost_identifier` has.
pub(crate) fn outpost_id() -> Attribute {
    Attribute::string("outpost_id")
        .computed()
        .description("ID (`op-...`) of the Outpost, also when `outpost_identifier` is an ARN.")
}

/// An optional ID argument (e.g. `order_id`, `asset_id`) of the form [`checks::id`]
/// expects for its name.
pub(crate) fn optional_id(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .optional()
        .validator(checks::id(name))
        .description(description)
}

/// A filter argument: an optional list of strings, not empty when given, each of which
/// `element` accepts.
pub(crate) fn filter(
    name: &str,
    element: SharedValidator,
    description: impl Into<String>,
) -> Attribute {
    Attribute::new(name, strings())
        .optional()
        .validator(checks::filter_not_empty())
        .validator(each(element))
        .description(description)
}

/// One read-only call of a data source: stopped when Terraform asks the provider to
/// stop, and its error described for the user. `what` names the thing read (e.g.
/// "Outpost"), `action` the API operation, `path` the argument a NotFound is about.
pub(crate) async fn call<T>(
    ctx: &Context<OutpostsClient>,
    action: &str,
    what: &str,
    path: AttributePath,
    request: impl Future<Output = Result<T, OutpostsError>>,
) -> Result<T, Diagnostic> {
    until_stopped(ctx.stop(), request)
        .await
        .map_err(|error| read_failed(ctx, action, what, path, error))
}

/// The diagnostic for a failed read.
pub(crate) fn read_failed(
    ctx: &Context<OutpostsClient>,
    action: &str,
    what: &str,
    path: AttributePath,
    error: OutpostsError,
) -> Diagnostic {
    let region = ctx
        .client()
        .map(|c| c.region().to_string())
        .unwrap_or_default();
    match error {
        OutpostsError::NotFound(message) => Diagnostic::error(
            format!("{what} not found"),
            format!(
                "AWS answered {action} with NotFound: {message}. Check the ID, and that the \
                 provider's region ({region}) and account are the ones the {what} belongs to."
            ),
        )
        .at(path),
        OutpostsError::AccessDenied(message) => Diagnostic::error(
            "Access denied",
            format!(
                "The provider's credentials may not call {action}: {message}. Grant the IAM \
                 action outposts:{action} to the role or user Terraform runs as."
            ),
        ),
        OutpostsError::Validation(message) => {
            Diagnostic::error(format!("AWS refused the {action} request"), message).at(path)
        }
        OutpostsError::Interrupted => Diagnostic::error(
            "Interrupted",
            format!("Terraform asked the provider to stop before {action} answered."),
        ),
        other => Diagnostic::error(
            format!("Could not read the {what}"),
            format!("{action} failed: {other}"),
        ),
    }
}

/// Refuses an `outpost_identifier` ARN of another region than the provider's before any
/// call ([`crate::checks::other_region`]).
pub(crate) fn same_region(
    client: &OutpostsClient,
    outpost_identifier: &str,
) -> Result<(), tfplugin::diag::Diagnostics> {
    match crate::checks::other_region(
        outpost_identifier,
        client.region(),
        AttributePath::attr("outpost_identifier"),
    ) {
        Some(d) => Err(d.into()),
        None => Ok(()),
    }
}

/// The configuration did not decode into the data source's struct: the schema and the
/// struct disagree, or Terraform sent something unexpected.
/// [`call`] for a request about something inside an Outpost: a NotFound points at the
/// Outpost or at `inner`, whichever AWS could not find.
pub(crate) async fn call_within<T>(
    ctx: &Context<OutpostsClient>,
    action: &str,
    what: &str,
    (outpost_identifier, inner): (&str, &str),
    request: impl Future<Output = Result<T, OutpostsError>>,
) -> Result<T, Diagnostic> {
    match until_stopped(ctx.stop(), request).await {
        Ok(value) => Ok(value),
        Err(OutpostsError::NotFound(message)) => {
            let path = match ctx.client() {
                Ok(client) => missing_argument(client, outpost_identifier, inner).await,
                Err(_) => AttributePath::attr(inner),
            };
            let what = if path == AttributePath::attr("outpost_identifier") {
                "Outpost"
            } else {
                what
            };
            Err(read_failed(
                ctx,
                action,
                what,
                path,
                OutpostsError::NotFound(message),
            ))
        }
        Err(error) => Err(read_failed(
            ctx,
            action,
            what,
            AttributePath::attr(inner),
            error,
        )),
    }
}

/// A list Terraform sends as null (a computed attribute in a configuration) read as
/// empty.
pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Ok(<Option<Vec<T>> as serde::Deserialize>::deserialize(deserializer)?.unwrap_or_default())
}

/// A data source's configuration as its serde struct, with the attribute path of what
/// does not fit.
pub(crate) fn read_config<T: serde::de::DeserializeOwned>(
    config: &tfplugin::value::Value,
) -> Result<T, tfplugin::diag::Diagnostics> {
    Ok(tfplugin::typed::decode(config, "configuration")?)
}
