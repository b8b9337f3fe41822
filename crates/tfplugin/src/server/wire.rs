//! Between the wire and the framework's types: DynamicValues decoded and encoded with
//! the schema's types, diagnostics, function signatures and calls.

use crate::diag::{Diagnostic, Diagnostics};
use crate::function::{self, Function, FunctionError, Signature};
use crate::proto::tfplugin6 as pb;
use crate::value::{self, Type, Value};

/// Decodes a DynamicValue Terraform sent; an absent value is null.
pub(super) fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let result = if !dv.msgpack.is_empty() {
        value::decode_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        value::decode_json(&dv.json, ty)
    } else {
        return Ok(Value::Null);
    };
    result.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!("The {what} Terraform sent could not be decoded: {e}"),
        )
        .into()
    })
}

/// Decodes the values of a resource change, in order: the prior state, the new state
/// (`new.1` says which: proposed or planned) and the configuration. The first that
/// cannot be decoded is the error.
pub(super) fn decode_change(
    ty: &Type,
    prior: Option<&pb::DynamicValue>,
    new: (Option<&pb::DynamicValue>, &str),
    config: Option<&pb::DynamicValue>,
) -> Result<(Value, Value, Value), Diagnostics> {
    let prior = decode(prior, ty, "prior state")?;
    let new = decode(new.0, ty, new.1)?;
    let config = decode(config, ty, "configuration")?;
    Ok((prior, new, config))
}

/// Encodes a value for Terraform; a failure is a provider bug reported as a diagnostic.
pub(super) fn encode(
    value: &Value,
    ty: &Type,
    diagnostics: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match value::encode_msgpack(value, ty) {
        Ok(msgpack) => Some(pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(e) => {
            diagnostics.error(
                "Provider produced an invalid value",
                format!("This is a bug in the provider: {e}"),
            );
            None
        }
    }
}

pub(super) fn diags(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.to_proto()
}

/// Decodes the arguments with their parameters' types, checks them, calls the function
/// and encodes its result with the return type.
pub(super) fn call(
    function: &dyn Function,
    signature: &Signature,
    arguments: &[pb::DynamicValue],
) -> Result<pb::DynamicValue, FunctionError> {
    let mut values = Vec::with_capacity(arguments.len());
    for (index, argument) in arguments.iter().enumerate() {
        let Some(parameter) = signature.parameter(index) else {
            return Err(FunctionError::call(format!(
                "expected {} arguments, got {}",
                signature.parameters.len(),
                arguments.len()
            )));
        };
        let value = decode(Some(argument), &parameter.ty, "argument").map_err(|d| {
            FunctionError::argument(
                index,
                d.iter()
                    .map(|d| d.detail.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        values.push(value);
    }
    function::check_arguments(signature, &values)?;
    let result = function.call(&values)?;
    value::encode_msgpack(&result, &signature.returns)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            FunctionError::call(format!(
                "the provider produced an invalid result (a bug in the provider): {e}"
            ))
        })
}

pub(super) fn function_proto(signature: &Signature) -> pb::Function {
    let parameter = |p: &function::Parameter| pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json().to_string().into_bytes(),
        allow_null_value: p.allow_null,
        allow_unknown_values: p.allow_unknown,
        description: p.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
    };
    pb::Function {
        parameters: signature.parameters.iter().map(parameter).collect(),
        variadic_parameter: signature.variadic.as_ref().map(parameter),
        r#return: Some(pb::function::Return {
            r#type: signature.returns.to_json().to_string().into_bytes(),
        }),
        summary: signature.summary.clone(),
        description: signature.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecation_message: String::new(),
    }
}

pub(super) fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: false,
        move_resource_state: true,
        generate_resource_config: true,
    }
}

/// What the client said it can do; a client that says nothing can do nothing.
pub(super) fn client_capabilities(
    given: Option<&pb::ClientCapabilities>,
) -> crate::resource::ClientCapabilities {
    let given = given.cloned().unwrap_or_default();
    crate::resource::ClientCapabilities {
        deferral_allowed: given.deferral_allowed,
        write_only_attributes_allowed: given.write_only_attributes_allowed,
        store_planned_private: given.store_planned_private,
    }
}

/// An identity for the wire, in the identity schema's type.
pub(super) fn identity_data(
    identity: &Value,
    ty: &Type,
    diagnostics: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    let identity_data = encode(identity, ty, diagnostics)?;
    Some(pb::ResourceIdentityData {
        identity_data: Some(identity_data),
    })
}

/// An identity Terraform sent; absent or empty is null.
pub(super) fn identity_value(
    given: Option<&pb::ResourceIdentityData>,
    ty: &Type,
) -> Result<Value, Diagnostics> {
    decode(
        given.and_then(|i| i.identity_data.as_ref()),
        ty,
        "resource identity",
    )
}
