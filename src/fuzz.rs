//! Property-based fuzzing of what the provider reads from users and Terraform: the
//! provider configuration, resource and data source configurations of any shape the
//! schema allows (nulls and unknowns anywhere, odd strings, big numbers), import IDs and
//! Outpost IDs or ARNs. None may panic. `cargo xtask fuzz --minutes 10` runs these (the
//! tests named `fuzz_`) over and over with fresh seeds; the test run is the smoke run.

use crate::data_sources;
use crate::functions::outpost_id_of;
use crate::outposts::ids;
use crate::provider::config;
use crate::resources::capacity_task::schema as task_schema;
use proptest::prelude::*;
use std::collections::BTreeMap;
use tfplugin::erased::ErasedDataSource;
use tfplugin::value::{Type, Value};

/// Strings users write, and strings they should not: IDs, near-IDs, unicode, controls.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        Just("op-0123456789abcdef0".to_string()),
        Just("arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0".to_string()),
        Just("oo-0123456789abcdef0".to_string()),
        Just("cap-0123456789abcdef0".to_string()),
        Just("c5.4xlarge".to_string()),
        Just("12h".to_string()),
        "[a-z0-9.:/-]{0,40}",
        any::<String>(),
        "\\PC{0,300}",
    ]
    .boxed()
}

/// A value of type `ty`, or null, or unknown, at every level.
fn value_of(ty: &Type, depth: u32) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => prop_oneof![
            any::<i64>().prop_map(Value::int),
            (-3i64..10_010).prop_map(Value::int),
        ]
        .boxed(),
        Type::String | Type::Dynamic => text().prop_map(Value::String).boxed(),
        Type::List(inner) | Type::Set(inner) if depth < 4 => {
            let set = matches!(ty, Type::Set(_));
            prop::collection::vec(value_of(inner, depth + 1), 0..4)
                .prop_map(move |v| if set { Value::Set(v) } else { Value::List(v) })
                .boxed()
        }
        Type::Map(inner) if depth < 4 => {
            prop::collection::btree_map(text(), value_of(inner, depth + 1), 0..3)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(members) if depth < 4 => {
            let parts: Vec<(String, BoxedStrategy<Value>)> = members
                .iter()
                .map(|(name, t)| (name.clone(), value_of(t, depth + 1)))
                .collect();
            let names: Vec<String> = parts.iter().map(|(n, _)| n.clone()).collect();
            let strategies: Vec<BoxedStrategy<Value>> = parts.into_iter().map(|(_, s)| s).collect();
            strategies
                .prop_map(move |values| {
                    Value::Object(
                        names
                            .iter()
                            .cloned()
                            .zip(values)
                            .collect::<BTreeMap<_, _>>(),
                    )
                })
                .boxed()
        }
        Type::Tuple(types) if depth < 4 => types
            .iter()
            .map(|t| value_of(t, depth + 1))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        _ => Just(Value::Null).boxed(),
    };
    prop_oneof![8 => known, 1 => Just(Value::Null), 1 => Just(Value::Unknown)].boxed()
}

fn data_source_types() -> Vec<(usize, Type)> {
    data_sources::all()
        .iter()
        .enumerate()
        .map(|(i, d)| (i, d.schema().value_type()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_provider_configurations_never_panic(
        v in value_of(&crate::provider::schema::schema().value_type(), 0)
    ) {
        let _ = crate::provider::schema::schema().block.validate_config(&v);
        let _ = config::parse(&v);
    }

    #[test]
    fn fuzz_capacity_task_configurations_never_panic(
        v in value_of(&task_schema::schema().value_type(), 0)
    ) {
        let _ = task_schema::schema().block.validate_config(&v);
        let _ = tfplugin::value::to_serde::<task_schema::CapacityTaskState>(
            &v,
            &task_schema::schema().value_type(),
        );
    }

    #[test]
    fn fuzz_data_source_configurations_never_panic(
        (i, v) in prop::sample::select(data_source_types())
            .prop_flat_map(|(i, ty)| (Just(i), value_of(&ty, 0)))
    ) {
        let all: Vec<Box<dyn ErasedDataSource<crate::outposts::OutpostsClient>>> =
            data_sources::all();
        let _ = all[i].validate(&v);
    }

    #[test]
    fn fuzz_import_ids_and_outpost_ids_never_panic(s in text(), t in text()) {
        let _ = ids::parse_import_id(&s);
        let _ = ids::parse_import_id(&format!("{s}/{t}"));
        let _ = outpost_id_of(&s);
        let _ = ids::outpost_id(&s);
    }

    #[test]
    fn fuzz_well_formed_import_ids_round_trip(
        outpost in "[0-9a-f]{17}", task in "[0-9a-f]{17}", region in "[a-z]{2}-[a-z]{4,9}-[1-9]",
        account in "[0-9]{12}", by_arn: bool
    ) {
        let op = format!("op-{outpost}");
        let identifier = if by_arn {
            format!("arn:aws:outposts:{region}:{account}:outpost/{op}")
        } else {
            op.clone()
        };
        let id = format!("{identifier}/cap-{task}");
        prop_assert_eq!(
            ids::parse_import_id(&id),
            Ok((identifier.clone(), format!("cap-{task}")))
        );
        prop_assert_eq!(outpost_id_of(&identifier), Ok(op));
    }
}
