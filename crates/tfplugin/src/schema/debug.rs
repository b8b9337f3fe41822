//! How schemas print in `{:?}`: validators and plan modifiers by their descriptions.

use super::{Attribute, Block, NestedBlock};
use crate::plan_modifiers::SharedPlanModifier;
use crate::validators::SharedValidator;
use std::fmt;

fn descriptions(validators: &[SharedValidator]) -> Vec<String> {
    validators.iter().map(|v| v.description()).collect()
}

fn modifier_descriptions(modifiers: &[SharedPlanModifier]) -> Vec<String> {
    modifiers.iter().map(|m| m.description()).collect()
}

impl fmt::Debug for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Block")
            .field("description", &self.description)
            .field("attributes", &self.attributes)
            .field("blocks", &self.blocks)
            .field("deprecated", &self.deprecated)
            .field("validators", &descriptions(&self.validators))
            .finish()
    }
}

impl fmt::Debug for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attribute")
            .field("name", &self.name)
            .field("ty", &self.ty)
            .field("required", &self.required)
            .field("optional", &self.optional)
            .field("computed", &self.computed)
            .field("sensitive", &self.sensitive)
            .field("deprecation", &self.deprecation)
            .field("nested", &self.nested)
            .field("validators", &descriptions(&self.validators))
            .field(
                "plan_modifiers",
                &modifier_descriptions(&self.plan_modifiers),
            )
            .field("default", &self.default)
            .field("equivalence", &self.equivalence.is_some())
            .finish()
    }
}

impl fmt::Debug for NestedBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NestedBlock")
            .field("type_name", &self.type_name)
            .field("nesting", &self.nesting)
            .field("min_items", &self.min_items)
            .field("max_items", &self.max_items)
            .field("block", &self.block)
            .field("validators", &descriptions(&self.validators))
            .field(
                "plan_modifiers",
                &modifier_descriptions(&self.plan_modifiers),
            )
            .field("equivalence", &self.equivalence.is_some())
            .finish()
    }
}
