//! A second example provider: `inventory`, a read-only catalogue of a small shop. It
//! shows a provider block with a validated attribute, a data source (`inventory_item`)
//! and a provider-defined function (`provider::inventory::sku`), all declared with the
//! schema builders. The catalogue is built in, so it needs no service behind it.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::process::ExitCode;
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::erased::{ErasedDataSource, ErasedResource, erase_data_source};
use tfplugin::function::{Function, FunctionError, Parameter, Signature};
use tfplugin::path::AttributePath;
use tfplugin::provider::{Configured, Provider};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::typed;
use tfplugin::validators::{int_between, matches, one_of};
use tfplugin::value::{Type, Value};

mod common;

/// The catalogue: SKU, name, and the stock in the north and south warehouses.
const CATALOGUE: &[(&str, &str, i64, i64)] = &[
    ("TOOLS-0042", "Claw hammer", 12, 3),
    ("TOOLS-0043", "Tape measure", 0, 8),
    ("GARDEN-0001", "Watering can", 5, 5),
];

/// What configuring the provider produces: the warehouse whose stock is counted.
struct Warehouse {
    south: bool,
}

#[derive(Deserialize)]
struct ProviderConfig {
    warehouse: String,
}

struct InventoryProvider;

#[async_trait]
impl Provider for InventoryProvider {
    type Client = Warehouse;

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("A shop's catalogue and its stock.").attribute(
                Attribute::string("warehouse")
                    .required()
                    .description("Whose stock to count: `north` or `south`.")
                    .validator(one_of(["north", "south"])),
            ),
        )
    }

    async fn configure(&self, config: &Value, _terraform_version: &str) -> Configured<Warehouse> {
        if !config.is_fully_known() {
            return Configured::Unknown {
                reason: "the warehouse is not known until apply".into(),
            };
        }
        // The schema's validator has already refused anything but north and south.
        match typed::decode::<ProviderConfig>(config, "provider block") {
            Ok(c) => Configured::Ready(Warehouse {
                south: c.warehouse == "south",
            }),
            Err(problem) => Configured::Failed(problem.into()),
        }
    }

    fn resources(&self) -> Vec<Box<dyn ErasedResource<Warehouse>>> {
        Vec::new()
    }

    fn data_sources(&self) -> Vec<Box<dyn ErasedDataSource<Warehouse>>> {
        vec![erase_data_source(Item)]
    }

    fn functions(&self) -> Vec<Box<dyn Function>> {
        vec![Box::new(Sku)]
    }
}

/// `inventory_item`: one item of the catalogue by SKU, with its stock.
struct Item;

/// What the data source is given.
#[derive(Deserialize)]
struct ItemConfig {
    sku: String,
    hold: Option<Hold>,
}

/// A nested attribute: how many to hold back from `available`.
#[derive(Clone, Serialize, Deserialize)]
struct Hold {
    quantity: i64,
    reason: Option<String>,
}

/// A computed nested attribute: where the item is kept.
#[derive(Serialize, Deserialize)]
struct Bin {
    aisle: i64,
    shelf: String,
}

/// What it reads.
#[derive(Serialize, Deserialize)]
struct ItemState {
    sku: String,
    hold: Option<Hold>,
    name: String,
    quantity: i64,
    available: i64,
    bins: Vec<Bin>,
}

#[async_trait]
impl DataSource<Warehouse> for Item {
    type State = ItemState;

    fn type_name(&self) -> &'static str {
        "inventory_item"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("An item of the catalogue.")
                .attribute(
                    Attribute::string("sku")
                        .required()
                        .description("Its stock-keeping unit, e.g. `TOOLS-0042`.")
                        .validator(matches("^[A-Z]+-[0-9]{4}$", "a SKU such as \"TOOLS-0042\"")),
                )
                .attribute(
                    Attribute::string("name")
                        .computed()
                        .description("What it is."),
                )
                .attribute(
                    Attribute::single_nested(
                        "hold",
                        [
                            Attribute::number("quantity")
                                .required()
                                .description("How many to hold back.")
                                .validator(int_between(1, 100)),
                            Attribute::string("reason")
                                .optional()
                                .description("Why, for the record."),
                        ],
                    )
                    .optional()
                    .description("Items held back from `available`, e.g. for repairs."),
                )
                .attribute(
                    Attribute::number("quantity")
                        .computed()
                        .description("How many the warehouse holds."),
                )
                .attribute(
                    Attribute::number("available")
                        .computed()
                        .description("`quantity` less what `hold` holds back, at least 0."),
                )
                .attribute(
                    Attribute::list_nested(
                        "bins",
                        [
                            Attribute::number("aisle")
                                .computed()
                                .description("The aisle."),
                            Attribute::string("shelf")
                                .computed()
                                .description("The shelf."),
                        ],
                    )
                    .computed()
                    .description("Where the item is kept, one bin per shelf."),
                ),
        )
    }

    async fn read(
        &self,
        ctx: &Context<Warehouse>,
        config: &Value,
    ) -> Result<ItemState, Diagnostics> {
        let warehouse = ctx.client()?;
        let config: ItemConfig = typed::decode(config, "configuration")?;
        let Some(&(sku, name, north, south)) =
            CATALOGUE.iter().find(|(sku, ..)| *sku == config.sku)
        else {
            return Err(Diagnostic::error(
                "No such item",
                format!("{} is not in the catalogue.", config.sku),
            )
            .at(AttributePath::attr("sku"))
            .into());
        };
        let quantity = if warehouse.south { south } else { north };
        let held = config.hold.as_ref().map_or(0, |h| h.quantity);
        Ok(ItemState {
            sku: sku.to_string(),
            hold: config.hold,
            name: name.to_string(),
            quantity,
            available: (quantity - held).max(0),
            bins: (1..=2)
                .map(|shelf| Bin {
                    aisle: sku.len() as i64,
                    shelf: format!("{}{shelf}", &sku[..1]),
                })
                .collect(),
        })
    }
}

/// `provider::inventory::sku(category, number)`: the SKU of item `number` of a
/// category, `sku("tools", 42)` being `"TOOLS-0042"`.
struct Sku;

impl Function for Sku {
    fn name(&self) -> &'static str {
        "sku"
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![
                Parameter::new("category", Type::String, "A word, e.g. `tools`."),
                Parameter::new("number", Type::Number, "From 1 to 9999."),
            ],
            variadic: None,
            returns: Type::String,
            summary: "Builds an item's SKU.".into(),
            description: "Upper-cases `category` and appends `number` in four digits.".into(),
        }
    }

    fn call(&self, arguments: &[Value]) -> Result<Value, FunctionError> {
        // Terraform has converted the arguments to the parameters' types and refused
        // nulls and unknowns: the parameters do not allow them.
        let category = arguments
            .first()
            .and_then(Value::as_str)
            .unwrap_or_default();
        if category.is_empty() || !category.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(FunctionError::argument(
                0,
                "category must be a word of letters",
            ));
        }
        match arguments.get(1).and_then(Value::as_i64) {
            Some(number @ 1..=9999) => Ok(Value::string(format!(
                "{}-{number:04}",
                category.to_ascii_uppercase()
            ))),
            _ => Err(FunctionError::argument(
                1,
                "number must be from 1 to 9999, a whole number",
            )),
        }
    }
}

fn main() -> ExitCode {
    common::main(InventoryProvider, &["inventory"])
}
