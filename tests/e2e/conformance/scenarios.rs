//! The call sequences of Terraform's CLI, for any provider: what a provider must answer
//! at each step is checked here, and what only one provider knows (its identities, its
//! IDs, its messages) is left to the caller.

use super::driver::{ActionEvent, Driver, Listed, Object};
use super::values::{errors, path};
use serde_json::Value as Json;
use tfplugin::value::Value;

/// An import block with `identity` (import by identity), as `terraform plan` runs it:
/// ImportResourceState with the identity, ReadResource with the imported identity as
/// current_identity, then PlanResourceChange with the read state as prior and
/// proposed state, its identity as prior_identity, and the configuration
/// GenerateResourceConfig writes for the read state (`-generate-config-out`). The plan
/// must change nothing, the identity must survive each step, and `terraform import` by
/// `id` must give the same object. Returns the object read.
pub async fn import_by_identity_plans_no_change(
    p: &mut Driver,
    type_name: &str,
    identity: Json,
    id: &str,
) -> Object {
    let identity = p.identity(type_name, identity);
    let imported = p.import_identity(type_name, &identity).await;
    let held = imported.identity.clone();
    assert!(
        held.as_ref().is_some_and(|i| !i.is_null()),
        "ImportResourceState by identity returned no identity"
    );
    let read = p.read(type_name, &imported).await;
    assert!(
        !read.state.is_null(),
        "ReadResource lost the imported object"
    );
    assert_eq!(read.identity, held, "ReadResource changed the identity");

    let config = p.generate_config(type_name, &read.state).await;
    let validated = p.validate_resource(type_name, &config).await;
    p.no_errors("ValidateResourceConfig of the generated config", &validated);
    let (planned, diagnostics) = p
        .plan(type_name, &read, &read.state, &config, false, Vec::new())
        .await;
    p.no_errors("PlanResourceChange after import", &diagnostics);
    let planned = planned.expect("a planned state");
    assert_eq!(
        p.state_json(type_name, &planned.state),
        p.state_json(type_name, &read.state),
        "the plan after import by identity changes the object"
    );
    assert!(
        planned.requires_replace.is_empty(),
        "the plan after import would replace: {:?}",
        planned.requires_replace
    );
    assert_eq!(planned.identity, held, "the plan changed the identity");

    let by_id = p.import_id(type_name, id).await;
    let by_id = p.read(type_name, &by_id).await;
    assert_eq!(
        p.state_json(type_name, &by_id.state),
        p.state_json(type_name, &read.state),
        "import by ID {id} and by identity give different objects"
    );
    assert_eq!(
        by_id.identity, held,
        "import by ID {id} gives another identity"
    );
    read
}

/// An import block whose `identity` the provider must refuse (an attribute required
/// for import left out, or one of the wrong form): an error on that identity attribute,
/// and nothing imported.
pub async fn import_by_identity_refused(
    p: &mut Driver,
    type_name: &str,
    identity: Json,
    attribute: &str,
) -> Vec<String> {
    let identity = p.identity(type_name, identity);
    let refused = p.import_identity_refused(type_name, &identity).await;
    let failed: Vec<_> = refused
        .iter()
        .filter(|d| !errors(std::slice::from_ref(d)).is_empty())
        .collect();
    assert!(
        !failed.is_empty(),
        "the import of {identity:?} was not refused"
    );
    for d in &failed {
        assert_eq!(
            path(d),
            [attribute],
            "the error {:?} is not on the identity's {attribute}",
            d.summary
        );
    }
    errors(&refused)
}

/// What `terraform query` asks of a list resource, plus the checks around it.
pub struct Query<'a> {
    pub type_name: &'a str,
    /// The `config` block's content, which must validate and list at least `at_least`.
    pub config: Json,
    pub at_least: usize,
    /// A config that must fail validation on the attribute path `bad_path`.
    pub bad_config: Json,
    pub bad_path: &'a [&'a str],
}

/// `terraform query`: ValidateListResourceConfig (a bad config fails on its attribute),
/// ListResource without and with resource objects and with a limit of 1, then
/// GenerateResourceConfig for a listed object (`-generate-config-out`), whose config
/// must pass ValidateResourceConfig. Returns the objects listed.
pub async fn query_lists_and_generates_config(p: &mut Driver, q: Query<'_>) -> Vec<Listed> {
    let validated = p.validate_list(q.type_name, q.config.clone()).await;
    p.no_errors("ValidateListResourceConfig", &validated);
    let refused = p.validate_list(q.type_name, q.bad_config.clone()).await;
    let bad: Vec<_> = refused
        .iter()
        .filter(|d| !errors(std::slice::from_ref(d)).is_empty())
        .collect();
    assert!(
        !bad.is_empty(),
        "ValidateListResourceConfig accepted {}",
        q.bad_config
    );
    for d in &bad {
        assert_eq!(
            path(d)[..q.bad_path.len().min(path(d).len())],
            *q.bad_path,
            "the error {:?} is not on {:?}",
            d.summary,
            q.bad_path
        );
    }

    let bare = p.list(q.type_name, q.config.clone(), false, 100).await;
    assert!(
        bare.len() >= q.at_least,
        "ListResource gave {} objects, not at least {}: {bare:#?}",
        bare.len(),
        q.at_least
    );
    for listed in &bare {
        p.no_errors("a ListResource event", &listed.diagnostics);
        assert!(listed.identity.is_some(), "an event without identity");
        assert!(
            !listed.display_name.is_empty(),
            "an event without display name"
        );
        assert!(listed.object.is_none(), "an object nobody asked for");
    }
    let full = p.list(q.type_name, q.config.clone(), true, 100).await;
    let identities = |l: &[Listed]| l.iter().map(|l| l.identity.clone()).collect::<Vec<_>>();
    assert_eq!(
        identities(&full),
        identities(&bare),
        "with objects, ListResource lists other identities"
    );
    for listed in &full {
        let object = listed.object.as_ref().expect("the object asked for");
        assert!(
            !object.is_null(),
            "a null object for {}",
            listed.display_name
        );
    }
    let one = p.list(q.type_name, q.config.clone(), false, 1).await;
    assert_eq!(one.len(), 1, "limit 1 gave {one:#?}");

    let object = full[0].object.clone().expect("an object");
    let config = p.generate_config(q.type_name, &object).await;
    assert!(
        !config.is_null(),
        "GenerateResourceConfig gave a null config"
    );
    let validated = p.validate_resource(q.type_name, &config).await;
    p.no_errors("ValidateResourceConfig of the generated config", &validated);
    full
}

/// An action run as `terraform apply -invoke` runs it: ValidateActionConfig, PlanAction,
/// InvokeAction. The stream must be progress messages then one Completed without
/// errors; returns the progress messages in order.
pub async fn action_completes(p: &mut Driver, type_name: &str, config: Json) -> Vec<String> {
    let validated = p.validate_action(type_name, config.clone()).await;
    p.no_errors("ValidateActionConfig", &validated);
    let planned = p.plan_action(type_name, config.clone()).await;
    p.no_errors("PlanAction", &planned);
    let mut events = p.invoke_action(type_name, config).await;
    let Some(ActionEvent::Completed(diagnostics)) = events.pop() else {
        panic!("InvokeAction did not end with Completed: {events:#?}");
    };
    p.no_errors("InvokeAction", &diagnostics);
    events
        .into_iter()
        .map(|e| match e {
            ActionEvent::Progress(m) => m,
            ActionEvent::Completed(d) => panic!("Completed before the end: {d:?}"),
        })
        .collect()
}

/// An action that must fail: validated, then planned and invoked until one of them
/// errs (a provider may refuse at plan or at invoke). Returns the errors.
pub async fn action_fails(p: &mut Driver, type_name: &str, config: Json) -> Vec<String> {
    let validated = p.validate_action(type_name, config.clone()).await;
    p.no_errors("ValidateActionConfig", &validated);
    let planned = errors(&p.plan_action(type_name, config.clone()).await);
    if !planned.is_empty() {
        return planned;
    }
    let mut events = p.invoke_action(type_name, config.clone()).await;
    let Some(ActionEvent::Completed(diagnostics)) = events.pop() else {
        panic!("InvokeAction did not end with Completed: {events:#?}");
    };
    let failed = errors(&diagnostics);
    assert!(!failed.is_empty(), "the action {config} succeeded");
    failed
}

/// UpgradeResourceIdentity of an identity stored at `version` in an older shape: it
/// must come back, without errors, as `expected`.
pub async fn identity_upgrades(
    p: &mut Driver,
    type_name: &str,
    version: i64,
    stored: Json,
    expected: Json,
) -> Value {
    let (identity, diagnostics) = p.upgrade_identity(type_name, version, stored).await;
    p.no_errors("UpgradeResourceIdentity", &diagnostics);
    let identity = identity.expect("an upgraded identity");
    assert_eq!(p.identity_json(type_name, &identity), expected);
    identity
}
