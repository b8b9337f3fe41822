//! Provider-defined functions, called as `provider::outposts::NAME(...)` (Terraform 1.8
//! and later). They see only their arguments: no AWS call, the same answer every time.

use crate::outposts::ids;
use tfplugin::function::{Function, FunctionError, Parameter, Signature};
use tfplugin::value::{Type, Value};

/// Every function the provider serves.
pub fn all() -> Vec<Box<dyn Function>> {
    vec![Box::new(OutpostId)]
}

/// `outpost_id(id_or_arn)`: the `op-...` ID of an Outpost ID or ARN.
pub struct OutpostId;

impl Function for OutpostId {
    fn name(&self) -> &'static str {
        "outpost_id"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter::new(
                "id_or_arn",
                Type::String,
                "An Outpost ID (`op-...`) or ARN (`arn:aws:outposts:REGION:ACCOUNT:outpost/op-...`).",
            )],
            variadic: None,
            returns: Type::String,
            summary: "The Outpost ID of an Outpost ID or ARN".into(),
            description: "Returns the `op-...` ID of an Outpost named by its ID or its ARN, so \
                          that modules can compare, key and join Outposts however callers \
                          name them. Anything else is an error that says what was expected."
                .into(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        let text = arguments
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| FunctionError::argument(0, "id_or_arn must be a string"))?;
        outpost_id_of(text)
            .map(Value::string)
            .map_err(|message| FunctionError::argument(0, message))
    }
}

/// The `op-...` ID in an Outpost ID or ARN, or why `text` is neither.
pub fn outpost_id_of(text: &str) -> Result<String, String> {
    if ids::is_outpost_identifier(text) {
        return Ok(ids::outpost_id(text).to_string());
    }
    let shown: String = text.chars().take(80).collect();
    let shown = if shown.len() < text.len() {
        format!("{shown}...")
    } else {
        shown
    };
    Err(format!(
        "{shown:?} is not an Outpost ID or ARN: expected op- followed by 17 lower-case hex \
         digits (op-0123456789abcdef0), or an ARN such as \
         arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_arns_give_the_id_everything_else_says_why() {
        const OP: &str = "op-0123456789abcdef0";
        for good in [
            OP.to_string(),
            format!("arn:aws:outposts:us-west-2:123456789012:outpost/{OP}"),
            format!("arn:aws-us-gov:outposts:us-gov-west-1:123456789012:outpost/{OP}"),
        ] {
            assert_eq!(outpost_id_of(&good).as_deref(), Ok(OP), "{good}");
        }
        for bad in [
            "",
            "op-123",
            "OP-0123456789ABCDEF0",
            " op-0123456789abcdef0",
            "arn:aws:outposts:us-west-2:123456789012:site/os-0123456789abcdef0",
            "arn:aws:ec2:us-west-2:123456789012:outpost/op-0123456789abcdef0",
            "op-0123456789abcdef0/cap-0123456789abcdef0",
        ] {
            let error = outpost_id_of(bad).expect_err(bad);
            assert!(error.contains("not an Outpost ID or ARN"), "{error}");
        }
        let long = "x".repeat(5000);
        assert!(outpost_id_of(&long).expect_err("long").len() < 400);
        assert_eq!(OutpostId.call(&[Value::string(OP)]), Ok(Value::string(OP)));
        assert_eq!(
            OutpostId
                .call(&[Value::string("nope")])
                .map_err(|e| e.argument),
            Err(Some(0))
        );
    }
}
