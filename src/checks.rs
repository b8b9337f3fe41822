//! Checks of configuration values against the API's constraints, each reported at its
//! attribute path. Unknown values are skipped: Terraform validates again once they are
//! known. Shared by the resources and data sources, with the lists of allowed values
//! their descriptions give.

use crate::outposts::ids;
use crate::outposts::task::CapacityTaskStatus;
use tfplugin::diag::Diagnostic;
use tfplugin::path::AttributePath;
use tfplugin::validators::{self, SharedValidator};
use tfplugin::value::Value;

/// An Outpost named by an ARN of another region than the provider's: AWS would only
/// answer that it does not exist, so say what is really wrong, before any call. `path`
/// is the argument that names it (the root for an import ID).
pub(crate) fn other_region(
    outpost_identifier: &str,
    region: &str,
    path: AttributePath,
) -> Option<Diagnostic> {
    let arn_region = ids::outpost_arn_region(outpost_identifier)?;
    outpost_elsewhere(outpost_identifier, arn_region, region, path)
}

/// [`other_region`] for an Outpost said to be in `outpost_region` some other way (e.g.
/// the `region` of a resource identity): the same error when it is not the provider's
/// `region`.
pub(crate) fn outpost_elsewhere(
    outpost: &str,
    outpost_region: &str,
    region: &str,
    path: AttributePath,
) -> Option<Diagnostic> {
    (outpost_region != region).then(|| {
        Diagnostic::error(
            "Outpost in another region",
            format!(
                "{outpost} is an Outpost in {outpost_region}, but the provider is \
                 configured for {region}, where AWS would answer that it does not exist. Use \
                 a provider configured for {outpost_region} (a provider block with an alias \
                 and region = \"{outpost_region}\", then provider = outposts.<alias> here), \
                 or name an Outpost of {region}."
            ),
        )
        .at(path)
    })
}

/// Whether a value has an ID's form, and how messages describe that form.
type IdForm = (fn(&str) -> bool, &'static str);

/// The form an ID argument must have, and how messages describe it.
fn id_form(name: &str) -> Option<IdForm> {
    Some(match name {
        "outpost_identifier" => (
            ids::is_outpost_identifier,
            "an Outpost ID such as \"op-0123456789abcdef0\" or its ARN",
        ),
        "order_id" => (
            ids::is_order_id,
            "an order ID such as \"oo-0123456789abcdef0\"",
        ),
        "asset_id" => (ids::is_asset_id, "a 10-digit asset ID"),
        "capacity_task_id" => (
            ids::is_capacity_task_id,
            "a capacity task ID such as \"cap-0123456789abcdef0\"",
        ),
        _ => return None,
    })
}

/// The validator of the ID argument `name` (`outpost_identifier`, `order_id`,
/// `asset_id` or `capacity_task_id`): the API's pattern for it.
///
/// # Panics
/// For any other name: a schema bug the first test finds.
pub(crate) fn id(name: &str) -> SharedValidator {
    match id_form(name) {
        Some((valid, expected)) => validators::string_is(valid, expected),
        None => panic!("checks::id: {name} is not an ID argument"),
    }
}

/// A filter list, when set, names at least one value: `[]` would quietly filter
/// nothing out, the opposite of "only these".
pub(crate) fn filter_not_empty() -> SharedValidator {
    validators::from_fn("At least one value when set.", |check, out| {
        if check
            .known()
            .and_then(Value::as_list)
            .is_some_and(<[Value]>::is_empty)
        {
            let name = validators::name_of(check.path);
            out.push(
                Diagnostic::error(
                    format!("Empty {name}"),
                    format!(
                        "{name} must have at least 1 element: it keeps only what matches one \
                         of its values. Leave {name} out for no filter."
                    ),
                )
                .at(check.path.clone()),
            );
        }
    })
}

/// An order or an asset, not both; on `asset_id`.
pub(crate) fn order_or_asset(why: &str) -> SharedValidator {
    validators::explained(validators::conflicts_with(["order_id"]), why)
}

/// Values as a description lists them, in markdown: `` `A`, `B` or `C` ``.
pub(crate) fn in_code_listed<S: AsRef<str>>(values: &[S]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{}`", v.as_ref())).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Every status the SDK knows, in the order a task goes through them, as a description
/// lists them.
pub(crate) fn task_statuses_listed() -> String {
    let all = CapacityTaskStatus::all();
    in_code_listed(
        &all.iter()
            .map(CapacityTaskStatus::as_str)
            .collect::<Vec<_>>(),
    )
}

/// Whether a message's list of allowed values (`"one of A, B or C"`) names exactly
/// `values`, so that the text cannot drift from the SDK's list it stands for.
#[cfg(test)]
pub(crate) fn names_exactly(listed: &str, values: &[&str]) -> bool {
    let mut named: Vec<&str> = listed
        .split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .filter(|word| !word.is_empty())
        .collect();
    let mut values = values.to_vec();
    named.sort_unstable();
    values.sort_unstable();
    named == values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_list_values_in_code_with_or_before_the_last() {
        assert_eq!(in_code_listed(&["A", "B", "C"]), "`A`, `B` or `C`");
        assert_eq!(in_code_listed(&["A", "B"]), "`A` or `B`");
        assert_eq!(in_code_listed(&["A"]), "`A`");
        assert_eq!(in_code_listed::<&str>(&[]), "");
        assert_eq!(
            task_statuses_listed(),
            "`REQUESTED`, `IN_PROGRESS`, `WAITING_FOR_EVACUATION`, \
             `CANCELLATION_IN_PROGRESS`, `COMPLETED`, `FAILED` or `CANCELLED`"
        );
    }

    #[test]
    fn a_listing_names_exactly_its_values() {
        assert!(names_exactly("one of B, A or C", &["A", "B", "C"]));
        assert!(!names_exactly("one of A, B", &["A", "B", "C"]));
        assert!(!names_exactly("one of A, B, C, D", &["A", "B", "C"]));
    }

    #[test]
    fn an_outpost_arn_of_another_region_is_named_before_any_call() {
        let arn = "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0";
        let path = AttributePath::attr("outpost_identifier");
        let d = other_region(arn, "us-west-2", path.clone()).expect("a diagnostic");
        assert_eq!(d.summary, "Outpost in another region");
        assert!(
            d.detail.contains("us-east-1") && d.detail.contains("us-west-2"),
            "{}",
            d.detail
        );
        assert_eq!(d.attribute, Some(path.clone()));
        assert!(other_region(arn, "us-east-1", path.clone()).is_none());
        assert!(other_region("op-0123456789abcdef0", "us-west-2", path).is_none());
        let import = other_region(arn, "us-west-2", AttributePath::root()).expect("diagnostic");
        assert_eq!(import.attribute, None);
    }
}
