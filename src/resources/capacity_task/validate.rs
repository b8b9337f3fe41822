//! Static checks of an `outposts_capacity_task` configuration: the layout's
//! ([`crate::layout::check_layout`]) and the timeouts, each reported at its attribute
//! path. Unknown values are skipped: Terraform validates again once they are known.

use crate::checks::{Checker, known_str};
use crate::layout::check_layout;
use tfplugin::diag::Diagnostics;
use tfplugin::path::AttributePath;
use tfplugin::value::Value;

pub fn validate(config: &Value) -> Diagnostics {
    let mut check = Checker::default();
    check_layout(&mut check, config);
    let root = AttributePath::root();
    if let Some(timeouts) = config
        .attr("timeouts")
        .filter(|t| t.is_known() && !t.is_null())
    {
        let path = root.attribute("timeouts");
        for name in ["create", "delete"] {
            if let Some(text) = known_str(timeouts, name) {
                match tfplugin::duration::parse(text) {
                    Ok(d) if !d.is_zero() => {}
                    Ok(_) => check.error(
                        path.attribute(name),
                        "Invalid timeout",
                        "A timeout must be longer than zero.",
                    ),
                    Err(e) => check.error(path.attribute(name), "Invalid timeout", e),
                }
            }
        }
    }
    check.diagnostics
}
