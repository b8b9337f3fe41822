//! Credentials are checked when the provider is configured, not at the first request: a
//! missing profile, an unreadable shared file or no credentials at all is a
//! configuration error with a name, not a "temporary failure" in the middle of an apply.

use super::config::ProviderConfig;
use crate::outposts::error::error_chain;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use std::path::PathBuf;
use std::time::Duration;
use tfplugin::diag::Diagnostic;
use tfplugin::path::AttributePath;

/// How long finding credentials may take (instance metadata and SSO are network calls).
const CREDENTIALS_BUDGET: Duration = Duration::from_secs(60);

/// A shared config or credentials file the provider was told to use.
pub(crate) struct SharedFile {
    pub path: String,
    pub kind: EnvConfigFileKind,
    /// Where it was named: a provider argument (with its path) or an environment variable.
    pub source: FileSource,
}

pub(crate) enum FileSource {
    Argument(AttributePath),
    Environment(&'static str),
}

impl SharedFile {
    fn describe(&self) -> String {
        match &self.source {
            FileSource::Argument(path) => format!("{path} ({:?})", self.path),
            FileSource::Environment(var) => format!("{var} ({:?})", self.path),
        }
    }

    fn at(&self, diagnostic: Diagnostic) -> Diagnostic {
        match &self.source {
            FileSource::Argument(path) => diagnostic.at(path.clone()),
            FileSource::Environment(_) => diagnostic,
        }
    }
}

/// The shared files in play: the provider's lists, else the environment's.
pub(crate) fn shared_files(c: &ProviderConfig) -> Vec<SharedFile> {
    let mut files = Vec::new();
    for (name, list, kind, var) in [
        (
            "shared_config_files",
            &c.shared_config_files,
            EnvConfigFileKind::Config,
            "AWS_CONFIG_FILE",
        ),
        (
            "shared_credentials_files",
            &c.shared_credentials_files,
            EnvConfigFileKind::Credentials,
            "AWS_SHARED_CREDENTIALS_FILE",
        ),
    ] {
        if list.is_empty() {
            if let Some(path) = std::env::var(var).ok().filter(|p| !p.is_empty()) {
                files.push(SharedFile {
                    path,
                    kind,
                    source: FileSource::Environment(var),
                });
            }
        } else {
            for (i, path) in list.iter().enumerate() {
                files.push(SharedFile {
                    path: path.clone(),
                    kind,
                    source: FileSource::Argument(AttributePath::attr(name).index(i as i64)),
                });
            }
        }
    }
    files
}

/// The profile files the SDK reads, in the provider's terms.
pub(crate) fn profile_files(c: &ProviderConfig) -> Option<EnvConfigFiles> {
    if c.shared_config_files.is_empty() && c.shared_credentials_files.is_empty() {
        return None;
    }
    let mut files = EnvConfigFiles::builder();
    if c.shared_config_files.is_empty() {
        files = files.include_default_config_file(true);
    }
    if c.shared_credentials_files.is_empty() {
        files = files.include_default_credentials_file(true);
    }
    for path in &c.shared_config_files {
        files = files.with_file(EnvConfigFileKind::Config, path);
    }
    for path in &c.shared_credentials_files {
        files = files.with_file(EnvConfigFileKind::Credentials, path);
    }
    Some(files.build())
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// A named file that exists but cannot be read is an error (the SDK would silently skip
/// it and look elsewhere); one that does not exist is only noted, because the same
/// configuration often runs where credentials come from the environment instead.
pub(crate) fn check_shared_files(files: &[SharedFile]) -> Result<Vec<String>, Diagnostic> {
    let mut missing = Vec::new();
    for file in files {
        let path = expand_home(&file.path);
        match std::fs::read(&path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(format!("{} does not exist", file.describe()));
            }
            Err(e) => {
                let what = match file.kind {
                    EnvConfigFileKind::Config => "shared config file",
                    EnvConfigFileKind::Credentials => "shared credentials file",
                };
                return Err(file.at(Diagnostic::error(
                    "Unreadable AWS shared file",
                    format!("The {what} {} cannot be read: {e}.", file.describe()),
                )));
            }
        }
    }
    Ok(missing)
}

/// A profile named explicitly (the provider's `profile`, else `AWS_PROFILE`) must exist,
/// as the AWS CLI and the hashicorp/aws provider require.
pub(crate) async fn check_profile(
    c: &ProviderConfig,
    files: Option<&EnvConfigFiles>,
    missing_files: &[String],
) -> Result<(), Diagnostic> {
    let (name, path) = match (&c.profile, std::env::var("AWS_PROFILE")) {
        (Some(profile), _) => (profile.clone(), Some(AttributePath::attr("profile"))),
        (None, Ok(profile)) if !profile.is_empty() => (profile, None),
        _ => return Ok(()),
    };
    if name == "default" {
        return Ok(());
    }
    let default_files = EnvConfigFiles::default();
    let loaded = aws_config::profile::load(
        &aws_types::os_shim_internal::Fs::real(),
        &aws_types::os_shim_internal::Env::real(),
        files.unwrap_or(&default_files),
        None,
    )
    .await;
    let profiles = match loaded {
        Ok(set) => {
            if set.get_profile(&name).is_some() {
                return Ok(());
            }
            let mut names: Vec<&str> = set.profiles().collect();
            names.sort_unstable();
            names.join(", ")
        }
        Err(error) => {
            let diagnostic = Diagnostic::error(
                "Unreadable AWS shared files",
                format!(
                    "The shared config and credentials files could not be read to find profile \
                     {name:?}: {}",
                    error_chain(&error)
                ),
            );
            return Err(match path {
                Some(p) => diagnostic.at(p),
                None => diagnostic,
            });
        }
    };
    let source = if path.is_some() {
        "profile".to_string()
    } else {
        "AWS_PROFILE".to_string()
    };
    let mut detail = format!(
        "{source} is {name:?}, but no profile of that name is defined in the shared config \
         or credentials files. "
    );
    if profiles.is_empty() {
        detail.push_str("No profiles are defined there at all.");
    } else {
        detail.push_str(&format!("Defined profiles: {profiles}."));
    }
    for note in missing_files {
        detail.push_str(&format!("\nNote: {note}."));
    }
    let diagnostic = Diagnostic::error("AWS profile not found", detail);
    Err(match path {
        Some(p) => diagnostic.at(p),
        None => diagnostic,
    })
}

/// Resolves the credentials now, so that every later request can rely on them.
pub(crate) async fn check_credentials(
    shared: &aws_types::SdkConfig,
    c: &ProviderConfig,
    missing_files: &[String],
) -> Result<(), Diagnostic> {
    let Some(provider) = shared.credentials_provider() else {
        return Err(Diagnostic::error(
            "No AWS credentials",
            "No credentials provider is configured.",
        ));
    };
    let resolved = tokio::time::timeout(CREDENTIALS_BUDGET, provider.provide_credentials()).await;
    let error = match resolved {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(error)) => error,
        Err(_) => {
            return Err(Diagnostic::error(
                "AWS credentials not found in time",
                format!(
                    "Looking for AWS credentials took longer than {}s (instance metadata, \
                     SSO or a credential process did not answer).",
                    CREDENTIALS_BUDGET.as_secs()
                ),
            ));
        }
    };
    let mut notes = String::new();
    for note in missing_files {
        notes.push_str(&format!("\nNote: {note}."));
    }
    let half_pair = half_key_pair();
    if let (Some((set, missing)), Some(_)) = (half_pair, &c.assume_role) {
        notes.push_str(&format!("\nNote: {set} is set, but {missing} is not."));
    }
    if let Some(role) = &c.assume_role {
        return Err(Diagnostic::error(
            "Could not assume the IAM role",
            format!(
                "Assuming {} failed: {}{notes}",
                role.role_arn,
                error_chain(&error)
            ),
        )
        .at(AttributePath::attr("assume_role")
            .index(0)
            .attribute("role_arn")));
    }
    Err(match (&error, half_pair) {
        (CredentialsError::CredentialsNotLoaded(_), Some((set, missing))) => Diagnostic::error(
            format!("Missing {missing}"),
            format!(
                "{set} is set, but {missing} is not. The environment's keys are used only \
                 as a pair, and no other credentials were found. Set {missing} too (with \
                 AWS_SESSION_TOKEN for temporary keys), or unset {set}. Where it looked: \
                 {}{notes}",
                error_chain(&error)
            ),
        ),
        (CredentialsError::CredentialsNotLoaded(_), None) => Diagnostic::error(
            "No AWS credentials found",
            format!(
                "The provider found no AWS credentials. Set access_key and secret_key, the \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables, or a \
                 profile with credentials (profile, AWS_PROFILE). Where it looked: {}{notes}",
                error_chain(&error)
            ),
        ),
        (_, _) => Diagnostic::error(
            "Could not load AWS credentials",
            format!("{}{notes}", error_chain(&error)),
        ),
    })
}

/// One half of the environment's key pair without the other, as `(set, missing)`: the
/// SDK then passes over the environment without a word.
fn half_key_pair() -> Option<(&'static str, &'static str)> {
    // Blank counts as unset, as the SDK reads them.
    let set = |name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    match (set("AWS_ACCESS_KEY_ID"), set("AWS_SECRET_ACCESS_KEY")) {
        (true, false) => Some(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")),
        (false, true) => Some(("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID")),
        _ => None,
    }
}
