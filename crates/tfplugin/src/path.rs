//! Attribute paths: where in a value something is, as Terraform reports it in diagnostics.

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute, shown as `.name`.
    Attribute(String),
    /// A map key, shown as `["key"]`.
    ElementKeyString(String),
    /// A list, set or tuple index, shown as `[0]`.
    ElementKeyInt(i64),
}

/// A path from the root of a value to one of its parts; the root is the empty path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AttributePath {
    /// The steps from the root, outermost first.
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path, naming the whole value.
    pub fn root() -> Self {
        Self::default()
    }

    /// A path of a single attribute step.
    pub fn attr(name: impl Into<String>) -> Self {
        Self::root().attribute(name)
    }

    /// A copy of this path extended by an attribute step.
    pub fn attribute(&self, name: impl Into<String>) -> Self {
        self.with(PathStep::Attribute(name.into()))
    }

    /// A copy of this path extended by a map key step.
    pub fn key(&self, k: impl Into<String>) -> Self {
        self.with(PathStep::ElementKeyString(k.into()))
    }

    /// A copy of this path extended by an index step.
    pub fn index(&self, i: i64) -> Self {
        self.with(PathStep::ElementKeyInt(i))
    }

    /// Whether this is the root path.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    fn with(&self, step: PathStep) -> Self {
        let mut steps = Vec::with_capacity(self.steps.len() + 1);
        steps.extend_from_slice(&self.steps);
        steps.push(step);
        Self { steps }
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::ElementKeyString(k) => {
                    f.write_str("[\"")?;
                    for c in k.chars() {
                        match c {
                            '"' => f.write_str("\\\"")?,
                            '\\' => f.write_str("\\\\")?,
                            '\n' => f.write_str("\\n")?,
                            c => write!(f, "{c}")?,
                        }
                    }
                    f.write_str("\"]")?;
                }
                PathStep::ElementKeyInt(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}
