//! The provider block's schema: arguments in the conventions of the hashicorp/aws
//! provider, each described for the docs.

use super::validators::{
    DurationBetween, RegionName, endpoint_url, file_paths, matches_quietly, not_empty, paired_with,
    token_needs_keys,
};
use std::sync::Arc;
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::validators::{int_between, matches, one_of};
use tfplugin::value::Type;

const ROLE_ARN: &str = r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}$";
const SESSION_NAME: &str = r"^[A-Za-z0-9_+=,.@-]{2,64}$";
const EXTERNAL_ID: &str = r"^[A-Za-z0-9_+=,.@:/-]{2,1224}$";

/// The `provider "outposts"` block. Every check of a single argument, and of the
/// pairs among `access_key`, `secret_key` and `token`, is declared here as a validator:
/// the framework runs them when Terraform validates the block, and `configure` runs
/// them again with every value known.
pub fn schema() -> Schema {
    let list_of_strings = Type::List(Box::new(Type::String));
    Schema::new(
        0,
        Block::new(
            "Configures access to AWS Outposts. Every argument is optional and falls back to \
             the standard AWS environment variables, shared config and credentials files, \
             and instance metadata, as the AWS CLI does.",
        )
        .attribute(Attribute::string("region").optional().description(
            "AWS region of the Outposts, e.g. `us-west-2`. Defaults to `AWS_REGION`, \
             `AWS_DEFAULT_REGION` or the profile's region.",
        ).validator(Arc::new(RegionName)))
        .attribute(
            Attribute::bool("skip_region_validation")
                .optional()
                .description(
                    "Accept a `region` that does not look like an AWS region name, e.g. a private \
             or brand-new partition's region. Default `false`.",
                ),
        )
        .attribute(Attribute::string("profile").optional().description(
            "Named profile from the shared config and credentials files. Defaults to \
             `AWS_PROFILE`, else `default`.",
        ).validator(not_empty()))
        .attribute(
            Attribute::new("shared_config_files", list_of_strings.clone())
                .optional()
                .description(
                    "Paths of shared config files to use instead of `~/.aws/config` \
             (`AWS_CONFIG_FILE`).",
                )
                .validator(file_paths()),
        )
        .attribute(
            Attribute::new("shared_credentials_files", list_of_strings)
                .optional()
                .description(
                    "Paths of shared credentials files to use instead of `~/.aws/credentials` \
             (`AWS_SHARED_CREDENTIALS_FILE`).",
                )
                .validator(file_paths()),
        )
        .attribute(Attribute::string("access_key").optional().description(
            "Static access key ID. Must be set together with `secret_key`. Prefer \
             environment variables or profiles over keys in configuration.",
        ).validator(paired_with("secret_key")))
        .attribute(
            Attribute::string("secret_key")
                .optional()
                .description("Static secret access key. Must be set together with `access_key`.")
                .sensitive()
                .validator(paired_with("access_key")),
        )
        .attribute(
            Attribute::string("token")
                .optional()
                .description("Session token for temporary static credentials.")
                .sensitive()
                .validator(token_needs_keys()),
        )
        .attribute(Attribute::number("max_retries").optional().description(
            "How many times a throttled or failed AWS call is retried (0 to 100), with \
             exponential back-off. Defaults to `AWS_MAX_ATTEMPTS` minus one, else 25 (as \
             the hashicorp/aws provider).",
        ).validator(int_between(0, 100)))
        .attribute(Attribute::string("retry_mode").optional().description(
            "Retry strategy: `standard` or `adaptive` (client-side rate limiting). \
             Defaults to `AWS_RETRY_MODE`, else `standard`.",
        ).validator(one_of(["standard", "adaptive"])))
        .attribute(Attribute::string("connect_timeout").optional().description(
            "How long to wait for a connection to an AWS endpoint, as a duration such as \
             `10s` (at most `10m`). Default `10s`.",
        ).validator(DurationBetween::network_timeout()))
        .attribute(
            Attribute::string("response_timeout")
                .optional()
                .description(
                    "How long one attempt of an AWS call may take, the connection included, as a \
             duration such as `15s` (at most `10m`). An attempt that gets no answer in time \
             is tried again, but at most 3 attempts in all go unanswered whatever \
             `max_retries` says, so a dead endpoint fails a call in about 3 times this. \
             Default `15s`.",
                )
                .validator(DurationBetween::network_timeout()),
        )
        .attribute(
            Attribute::string("custom_ca_bundle")
                .optional()
                .description(
                    "Path of a PEM bundle of certificate authorities to trust instead of the \
             system's, e.g. for a TLS-intercepting proxy. Defaults to `AWS_CA_BUNDLE`.",
                )
                .validator(not_empty()),
        )
        .block(
            NestedBlock::list(
                "assume_role",
                Block::new("Assume an IAM role with STS before calling Outposts.")
                    .attribute(
                        Attribute::string("role_arn")
                            .required()
                            .description("ARN of the IAM role to assume.")
                            .validator(matches(
                                ROLE_ARN,
                                "an IAM role ARN such as \"arn:aws:iam::123456789012:role/Deploy\"",
                            )),
                    )
                    .attribute(Attribute::string("session_name").optional().description(
                        "Session name recorded in CloudTrail (2 to 64 characters of \
                     `[\\w+=,.@-]`).",
                    ).validator(matches_quietly(
                        SESSION_NAME,
                        "session_name must be 2 to 64 characters of letters, digits and +=,.@_-.",
                    )))
                    .attribute(
                        Attribute::string("external_id")
                            .optional()
                            .description("External ID the role's trust policy requires.")
                            .validator(matches_quietly(
                                EXTERNAL_ID,
                                "external_id must be 2 to 1224 characters of letters, digits and \
                                 +=,.@:/_-.",
                            )),
                    )
                    .attribute(Attribute::string("duration").optional().description(
                        "Session length such as `1h` or `45m`, from 15 minutes to 12 hours. \
                     Defaults to 1 hour.",
                    ).validator(DurationBetween::role_session())),
            )
            .max_items(1),
        )
        .block(
            NestedBlock::list(
                "endpoints",
                Block::new("Custom service endpoints, e.g. a local Outposts simulator.")
                    .attribute(Attribute::string("outposts").optional().description(
                        "URL of the Outposts API. Defaults to `AWS_ENDPOINT_URL_OUTPOSTS`, else \
                     the regional AWS endpoint.",
                    ).validator(endpoint_url()))
                    .attribute(Attribute::string("sts").optional().description(
                        "URL of the STS API used by `assume_role`. Defaults to \
                     `AWS_ENDPOINT_URL_STS`, else the regional AWS endpoint.",
                    ).validator(endpoint_url())),
            )
            .max_items(1),
        ),
    )
}
