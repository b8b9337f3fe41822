//! Validation the schema drives, for every provider block, resource and data source:
//! what the schema itself implies, then the validators it declares.

use super::{Attribute, Block, Nesting, ObjectNesting};
use crate::diag::{Diagnostic, Diagnostics};
use crate::path::AttributePath;
use crate::validators::{Check, SharedValidator};
use crate::value::Value;

impl Block {
    /// Checks a configuration against the schema:
    /// - a required attribute must not be null (Terraform only checks that the argument
    ///   is written, so `x = var.nullable` gets through);
    /// - an attribute only the provider sets must not be configured;
    /// - a configured deprecated attribute warns with its message;
    /// - every validator of every attribute, nested attribute, block and nested block
    ///   runs, each reporting on its path.
    ///
    /// Unknown values are skipped; Terraform validates again once they are known.
    pub fn validate_config(&self, config: &Value) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        self.validate_config_at(config, &AttributePath::root(), &mut diagnostics);
        diagnostics
    }

    fn validate_config_at(&self, value: &Value, path: &AttributePath, out: &mut Diagnostics) {
        if value.is_null() || value.is_unknown() {
            return;
        }
        run(&self.validators, path, value, value, out);
        validate_attributes(&self.attributes, value, path, out);
        for nested in &self.blocks {
            let at = path.attribute(&nested.type_name);
            let Some(member) = value.attr(&nested.type_name) else {
                continue;
            };
            run(&nested.validators, &at, member, value, out);
            if member.is_unknown() {
                continue;
            }
            match nested.nesting {
                Nesting::Single | Nesting::Group => {
                    nested.block.validate_config_at(member, &at, out);
                }
                Nesting::List => {
                    for (i, item) in member.as_list().unwrap_or_default().iter().enumerate() {
                        nested
                            .block
                            .validate_config_at(item, &at.index(i as i64), out);
                    }
                }
                // A set element has no index Terraform could point at: the block it is.
                Nesting::Set => {
                    for item in member.as_list().unwrap_or_default() {
                        nested.block.validate_config_at(item, &at, out);
                    }
                }
                Nesting::Map => {
                    for (key, item) in member.as_map().into_iter().flatten() {
                        nested.block.validate_config_at(item, &at.key(key), out);
                    }
                }
            }
        }
    }
}

fn run(
    validators: &[SharedValidator],
    path: &AttributePath,
    value: &Value,
    parent: &Value,
    out: &mut Diagnostics,
) {
    let check = Check {
        path,
        value,
        parent,
    };
    for validator in validators {
        validator.validate(&check, out);
    }
}

/// The attributes of one object (a block, or an object of a nested attribute).
fn validate_attributes(
    attributes: &[Attribute],
    object: &Value,
    path: &AttributePath,
    out: &mut Diagnostics,
) {
    for attribute in attributes {
        let at = path.attribute(&attribute.name);
        let member = object.attr(&attribute.name).unwrap_or(&Value::Null);
        run(&attribute.validators, &at, member, object, out);
        if member.is_unknown() {
            continue;
        }
        if attribute.required && member.is_null() {
            out.push(
                Diagnostic::error(
                    "Missing Configuration for Required Attribute",
                    format!(
                        "{at} is required, but its value is null. Set it to a value; when it \
                         comes from a variable or an expression, that value must not be null."
                    ),
                )
                .at(at.clone()),
            );
        } else if attribute.computed && !attribute.optional && !member.is_null() {
            out.push(
                Diagnostic::error(
                    "Invalid Configuration for Read-Only Attribute",
                    format!(
                        "{at} is set by the provider: you can't configure a value for it. \
                         Remove this argument; read the value from the resource instead."
                    ),
                )
                .at(at.clone()),
            );
        } else if let Some(message) = &attribute.deprecation
            && !member.is_null()
        {
            out.push(
                Diagnostic::warning("Argument is deprecated", format!("{at}: {message}"))
                    .at(at.clone()),
            );
        }
        let Some(nested) = &attribute.nested else {
            continue;
        };
        match nested.nesting {
            ObjectNesting::Single => {
                if !member.is_null() {
                    validate_attributes(&nested.attributes, member, &at, out);
                }
            }
            ObjectNesting::List => {
                for (i, item) in member.as_list().unwrap_or_default().iter().enumerate() {
                    validate_object(&nested.attributes, item, &at.index(i as i64), out);
                }
            }
            ObjectNesting::Set => {
                for item in member.as_list().unwrap_or_default() {
                    validate_object(&nested.attributes, item, &at, out);
                }
            }
            ObjectNesting::Map => {
                for (key, item) in member.as_map().into_iter().flatten() {
                    validate_object(&nested.attributes, item, &at.key(key), out);
                }
            }
        }
    }
}

fn validate_object(
    attributes: &[Attribute],
    object: &Value,
    path: &AttributePath,
    out: &mut Diagnostics,
) {
    if !object.is_null() && object.is_known() {
        validate_attributes(attributes, object, path, out);
    }
}
