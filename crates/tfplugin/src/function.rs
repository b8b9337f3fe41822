//! Provider-defined functions (plugin protocol 6.5, Terraform 1.8+): called in
//! configurations as `provider::NAME::FUNCTION(arguments)`. Terraform may call them
//! before the provider is configured and expects the same answer for the same
//! arguments, so a function sees only its arguments: no client, no I/O.

use crate::value::{Type, Value};

/// One parameter of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The name shown in messages and docs.
    pub name: String,
    /// The type Terraform converts the argument to before the call.
    pub ty: Type,
    /// One line for the docs.
    pub description: String,
    /// Whether a null argument reaches the function (otherwise Terraform refuses it).
    pub allow_null: bool,
    /// Whether an unknown argument reaches the function (otherwise Terraform answers
    /// unknown itself, without calling).
    pub allow_unknown: bool,
}

impl Parameter {
    /// A parameter that takes only known, non-null values.
    pub fn new(name: &str, ty: Type, description: &str) -> Self {
        Parameter {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            allow_null: false,
            allow_unknown: false,
        }
    }
}

/// What a function takes and returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// The positional parameters.
    pub parameters: Vec<Parameter>,
    /// Takes any number of further arguments of this kind.
    pub variadic: Option<Parameter>,
    /// The type of the result.
    pub returns: Type,
    /// One line for the docs.
    pub summary: String,
    /// What it does, in Markdown.
    pub description: String,
}

/// Why a call failed. Terraform shows `text` and points at the argument when there is
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// What is wrong, for the user.
    pub text: String,
    /// The 0-based index of the argument at fault.
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about argument `index`.
    pub fn argument(index: usize, text: impl Into<String>) -> Self {
        FunctionError {
            text: text.into(),
            argument: Some(index),
        }
    }

    /// An error about the call as a whole.
    pub fn call(text: impl Into<String>) -> Self {
        FunctionError {
            text: text.into(),
            argument: None,
        }
    }
}

/// A provider-defined function.
pub trait Function: Send + Sync + 'static {
    /// The name after `provider::NAME::`, e.g. `outpost_id`.
    fn name(&self) -> &'static str;

    /// Parameters, return type and documentation.
    fn signature(&self) -> Signature;

    /// Computes the result. `arguments` holds one value per parameter, then the
    /// variadic ones, each already of its parameter's type; it is null or unknown only
    /// where the parameter allows it.
    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError>;
}

impl Signature {
    /// The parameter that describes argument `index`, if any.
    pub fn parameter(&self, index: usize) -> Option<&Parameter> {
        self.parameters.get(index).or(self.variadic.as_ref())
    }
}

/// Checks arguments against a signature before the call: their count, and nulls or
/// unknowns where the parameter does not allow them. Terraform checks these itself; a
/// caller that does not must not reach the function with them.
pub(crate) fn check_arguments(
    signature: &Signature,
    arguments: &[Value],
) -> Result<(), FunctionError> {
    let expected = signature.parameters.len();
    if arguments.len() < expected || (signature.variadic.is_none() && arguments.len() > expected) {
        return Err(FunctionError::call(format!(
            "expected {}{expected} argument{}, got {}",
            if signature.variadic.is_some() {
                "at least "
            } else {
                ""
            },
            if expected == 1 { "" } else { "s" },
            arguments.len()
        )));
    }
    for (index, argument) in arguments.iter().enumerate() {
        let Some(parameter) = signature.parameter(index) else {
            continue;
        };
        if argument.is_null() && !parameter.allow_null {
            return Err(FunctionError::argument(
                index,
                format!("{} must not be null", parameter.name),
            ));
        }
        if !argument.is_fully_known() && !parameter.allow_unknown {
            return Err(FunctionError::argument(
                index,
                format!("{} is not known yet", parameter.name),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join() -> Signature {
        Signature {
            parameters: vec![Parameter::new("separator", Type::String, "Between parts.")],
            variadic: Some(Parameter::new("part", Type::String, "A part.")),
            returns: Type::String,
            summary: "Joins parts.".into(),
            description: String::new(),
        }
    }

    #[test]
    fn argument_counts_nulls_and_unknowns_are_checked() {
        let s = join();
        assert!(check_arguments(&s, &[Value::string("-")]).is_ok());
        assert!(check_arguments(&s, &[Value::string("-"), Value::string("a")]).is_ok());
        assert_eq!(check_arguments(&s, &[]).map_err(|e| e.argument), Err(None));
        assert_eq!(
            check_arguments(&s, &[Value::string("-"), Value::Null]).map_err(|e| e.argument),
            Err(Some(1))
        );
        assert_eq!(
            check_arguments(&s, &[Value::Unknown]).map_err(|e| e.argument),
            Err(Some(0))
        );
        let fixed = Signature {
            variadic: None,
            ..join()
        };
        assert!(check_arguments(&fixed, &[Value::string("-"), Value::string("a")]).is_err());
    }
}
