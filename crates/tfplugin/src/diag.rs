//! Diagnostics: what a user reads when something is wrong, pointing at the attribute
//! where there is one.

use super::path::{AttributePath, PathStep};
use super::proto::tfplugin6 as pb;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// How serious a diagnostic is.
pub enum Severity {
    /// Stops the operation; Terraform exits non-zero.
    Error,
    /// Shown, but the operation goes on.
    Warning,
}

/// One message for the user: a one-line summary and a detail that says what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub summary: String,
    /// What happened and what to do about it.
    pub detail: String,
    /// The attribute it is about, so Terraform can quote the configuration line.
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    /// An error.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    /// A warning.
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// Points the diagnostic at an attribute; Terraform then underlines it in the config.
    pub fn at(mut self, path: AttributePath) -> Self {
        self.attribute = (!path.is_empty()).then_some(path);
        self
    }

    pub(crate) fn to_proto(&self) -> pb::Diagnostic {
        let severity = match self.severity {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        };
        pb::Diagnostic {
            severity: severity as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.attribute.as_ref().map(path_to_proto),
        }
    }
}

pub(crate) fn path_to_proto(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    let steps = path
        .steps
        .iter()
        .map(|step| Step {
            selector: Some(match step {
                PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                PathStep::ElementKeyString(key) => Selector::ElementKeyString(key.clone()),
                PathStep::ElementKeyInt(index) => Selector::ElementKeyInt(*index),
            }),
        })
        .collect();
    pb::AttributePath { steps }
}

/// An ordered collection of diagnostics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds an error without an attribute.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }

    /// Adds all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Whether any of them is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each diagnostic, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub(crate) fn to_proto(&self) -> Vec<pb::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pb::attribute_path::step::Selector;

    #[test]
    fn attribute_path_reaches_the_wire_step_by_step() {
        let path = AttributePath::attr("instance_pool")
            .index(1)
            .attribute("count");
        let proto = Diagnostic::error("Bad count", "must be 0..9999")
            .at(path)
            .to_proto();
        let steps: Vec<_> = proto
            .attribute
            .expect("path")
            .steps
            .into_iter()
            .map(|s| s.selector)
            .collect();
        assert_eq!(
            steps,
            vec![
                Some(Selector::AttributeName("instance_pool".into())),
                Some(Selector::ElementKeyInt(1)),
                Some(Selector::AttributeName("count".into())),
            ]
        );
        assert_eq!(proto.severity, pb::diagnostic::Severity::Error as i32);
    }

    #[test]
    fn empty_path_is_sent_as_no_attribute() {
        let proto = Diagnostic::warning("w", "d")
            .at(AttributePath::root())
            .to_proto();
        assert!(proto.attribute.is_none());
        assert_eq!(proto.severity, pb::diagnostic::Severity::Warning as i32);
    }

    #[test]
    fn has_errors_ignores_warnings() {
        let mut diags = Diagnostics::new();
        diags.push(Diagnostic::warning("w", ""));
        assert!(!diags.has_errors());
        diags.error("e", "");
        assert!(diags.has_errors());
    }
}
