//! The test provider's list resource and action (protocol 6.10): `test_notebook`
//! lists made-up notebooks, `test_stamp` stamps a title in reported steps.

use super::*;
use std::collections::BTreeSet;
use std::sync::Mutex;
use tfplugin::action::Progress;
use tfplugin::list::{ListRequest, ListResource, ListStream, results};

/// The title prefixes of listings whose producer saw `found()` say "stop", and the
/// titles of invokes that saw `report()` say it: how a test learns that dropping its
/// stream stopped the work, not just the transport.
pub static STOPPED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn stopped(name: String) {
    STOPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name);
}

/// Lists `count` notebooks (5 by default) titled `<title_prefix><n>`; with
/// `fail_after`, an error follows that many.
pub struct NotebookList;

pub fn list_config_schema() -> Schema {
    Schema::new(
        0,
        Block::new("Which notebooks to list.")
            .attribute(
                Attribute::string("title_prefix")
                    .optional()
                    .description("Titles start with this."),
            )
            .attribute(
                Attribute::number("count")
                    .optional()
                    .description("How many there are."),
            )
            .attribute(
                Attribute::number("fail_after")
                    .optional()
                    .description("Fail after this many."),
            ),
    )
}

impl ListResource<Label> for NotebookList {
    type State = NotebookState;

    fn type_name(&self) -> &'static str {
        "test_notebook"
    }

    fn schema(&self) -> Schema {
        list_config_schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        match config.attr("title_prefix").and_then(Value::as_str) {
            Some("") => Diagnostic::error("Empty prefix", "title_prefix must not be empty")
                .at(AttributePath::attr("title_prefix"))
                .into(),
            _ => Diagnostics::new(),
        }
    }

    fn list(&self, _ctx: Context<Label>, request: ListRequest) -> ListStream<NotebookState> {
        let config = request.config;
        let prefix = config
            .attr("title_prefix")
            .and_then(Value::as_str)
            .unwrap_or("nb")
            .to_string();
        let count = config.attr("count").and_then(Value::as_i64).unwrap_or(5);
        let fail_after = config.attr("fail_after").and_then(Value::as_i64);
        results(move |results| async move {
            for n in 0..count {
                if fail_after == Some(n) {
                    let failed = Diagnostic::error("Listing failed", "the shelf collapsed");
                    results.diagnostic(failed).await;
                }
                let title = format!("{prefix}{n}");
                let state = NotebookState {
                    id: Some(format!("nb-{title}")),
                    title: title.clone(),
                    pages: Some(n),
                    wait_for_stop: None,
                };
                if !results.found(format!("Notebook {title}"), state).await {
                    stopped(prefix);
                    return;
                }
            }
        })
    }
}

/// `test_stamp`: reports `steps` steps (3 by default), then fails when `fail` is set.
pub struct Stamp;

pub fn stamp_schema() -> Schema {
    Schema::new(
        0,
        Block::new("Stamps a notebook.")
            .attribute(
                Attribute::string("title")
                    .required()
                    .description("What to stamp."),
            )
            .attribute(
                Attribute::number("steps")
                    .optional()
                    .description("How many steps."),
            )
            .attribute(
                Attribute::bool("fail")
                    .optional()
                    .description("Fail at the end."),
            ),
    )
}

#[async_trait]
impl Action<Label> for Stamp {
    fn type_name(&self) -> &'static str {
        "test_stamp"
    }

    fn schema(&self) -> Schema {
        stamp_schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        match config.attr("steps").and_then(Value::as_i64) {
            Some(n) if n < 0 => Diagnostic::error("Negative steps", "steps must be >= 0")
                .at(AttributePath::attr("steps"))
                .into(),
            _ => Diagnostics::new(),
        }
    }

    async fn plan(&self, _ctx: &Context<Label>, config: &Value) -> Diagnostics {
        match config.attr("title").and_then(Value::as_str) {
            Some("forbidden") => Diagnostic::error("Cannot stamp", "this title is forbidden")
                .at(AttributePath::attr("title"))
                .into(),
            _ => Diagnostics::new(),
        }
    }

    async fn invoke(
        &self,
        _ctx: &Context<Label>,
        config: Value,
        progress: &Progress,
    ) -> Diagnostics {
        let steps = config.attr("steps").and_then(Value::as_i64).unwrap_or(3);
        for step in 1..=steps {
            if !progress.report(format!("step {step} of {steps}")).await {
                let title = config.attr("title").and_then(Value::as_str).unwrap_or("");
                stopped(title.to_string());
                return Diagnostics::new();
            }
            // Lets the stream carry each step before the next.
            tokio::task::yield_now().await;
        }
        if config.attr("fail").and_then(Value::as_bool) == Some(true) {
            return Diagnostic::error("Stamp failed", "the ink ran out").into();
        }
        Diagnostics::new()
    }
}
