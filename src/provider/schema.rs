//! The provider block's schema: arguments in the conventions of the hashicorp/aws
//! provider, each described for the docs.

use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::value::Type;

/// The `provider "outposts"` block.
pub fn schema() -> Schema {
    let list_of_strings = Type::List(Box::new(Type::String));
    Schema::new(
        0,
        Block::new(
            "Configures access to AWS Outposts. Every argument is optional and falls back to \
             the standard AWS environment variables, shared config and credentials files, \
             and instance metadata, as the AWS CLI does.",
        )
        .attribute(Attribute::optional(
            "region",
            Type::String,
            "AWS region of the Outposts, e.g. `us-west-2`. Defaults to `AWS_REGION`, \
             `AWS_DEFAULT_REGION` or the profile's region.",
        ))
        .attribute(Attribute::optional(
            "skip_region_validation",
            Type::Bool,
            "Accept a `region` that does not look like an AWS region name, e.g. a private \
             or brand-new partition's region. Default `false`.",
        ))
        .attribute(Attribute::optional(
            "profile",
            Type::String,
            "Named profile from the shared config and credentials files. Defaults to \
             `AWS_PROFILE`, else `default`.",
        ))
        .attribute(Attribute::optional(
            "shared_config_files",
            list_of_strings.clone(),
            "Paths of shared config files to use instead of `~/.aws/config` \
             (`AWS_CONFIG_FILE`).",
        ))
        .attribute(Attribute::optional(
            "shared_credentials_files",
            list_of_strings,
            "Paths of shared credentials files to use instead of `~/.aws/credentials` \
             (`AWS_SHARED_CREDENTIALS_FILE`).",
        ))
        .attribute(Attribute::optional(
            "access_key",
            Type::String,
            "Static access key ID. Must be set together with `secret_key`. Prefer \
             environment variables or profiles over keys in configuration.",
        ))
        .attribute(
            Attribute::optional(
                "secret_key",
                Type::String,
                "Static secret access key. Must be set together with `access_key`.",
            )
            .sensitive(),
        )
        .attribute(
            Attribute::optional(
                "token",
                Type::String,
                "Session token for temporary static credentials.",
            )
            .sensitive(),
        )
        .attribute(Attribute::optional(
            "max_retries",
            Type::Number,
            "How many times a throttled or failed AWS call is retried (0 to 100), with \
             exponential back-off. Defaults to `AWS_MAX_ATTEMPTS` minus one, else 25 (as \
             the hashicorp/aws provider).",
        ))
        .attribute(Attribute::optional(
            "retry_mode",
            Type::String,
            "Retry strategy: `standard` or `adaptive` (client-side rate limiting). \
             Defaults to `AWS_RETRY_MODE`, else `standard`.",
        ))
        .attribute(Attribute::optional(
            "connect_timeout",
            Type::String,
            "How long to wait for a connection to an AWS endpoint, as a duration such as \
             `10s` (at most `10m`). Default `10s`.",
        ))
        .attribute(Attribute::optional(
            "response_timeout",
            Type::String,
            "How long one attempt of an AWS call may take, the connection included, as a \
             duration such as `15s` (at most `10m`). An attempt that gets no answer in time \
             is tried again, but at most 3 attempts in all go unanswered whatever \
             `max_retries` says, so a dead endpoint fails a call in about 3 times this. \
             Default `15s`.",
        ))
        .attribute(Attribute::optional(
            "custom_ca_bundle",
            Type::String,
            "Path of a PEM bundle of certificate authorities to trust instead of the \
             system's, e.g. for a TLS-intercepting proxy. Defaults to `AWS_CA_BUNDLE`.",
        ))
        .block(NestedBlock::list(
            "assume_role",
            Block::new("Assume an IAM role with STS before calling Outposts.")
                .attribute(Attribute::required(
                    "role_arn",
                    Type::String,
                    "ARN of the IAM role to assume.",
                ))
                .attribute(Attribute::optional(
                    "session_name",
                    Type::String,
                    "Session name recorded in CloudTrail (2 to 64 characters of \
                     `[\\w+=,.@-]`).",
                ))
                .attribute(Attribute::optional(
                    "external_id",
                    Type::String,
                    "External ID the role's trust policy requires.",
                ))
                .attribute(Attribute::optional(
                    "duration",
                    Type::String,
                    "Session length such as `1h` or `45m`, from 15 minutes to 12 hours. \
                     Defaults to 1 hour.",
                )),
            0,
            1,
        ))
        .block(NestedBlock::list(
            "endpoints",
            Block::new("Custom service endpoints, e.g. a local Outposts simulator.")
                .attribute(Attribute::optional(
                    "outposts",
                    Type::String,
                    "URL of the Outposts API. Defaults to `AWS_ENDPOINT_URL_OUTPOSTS`, else \
                     the regional AWS endpoint.",
                ))
                .attribute(Attribute::optional(
                    "sts",
                    Type::String,
                    "URL of the STS API used by `assume_role`. Defaults to \
                     `AWS_ENDPOINT_URL_STS`, else the regional AWS endpoint.",
                )),
            0,
            1,
        )),
    )
}
