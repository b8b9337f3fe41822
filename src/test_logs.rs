//! The provider's log as tests see it: every event at INFO or above, as one line of its
//! fields (`message="…" task="cap-…" `), kept while a [`InfoLines`] is the subscriber.

use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};

/// A subscriber that keeps each INFO-or-above event's fields as one line.
#[derive(Default, Clone)]
pub(crate) struct InfoLines(Arc<Mutex<Vec<String>>>);

impl InfoLines {
    /// The lines kept so far.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// What `f` logs at INFO or above on this thread.
    pub(crate) fn during<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
        let lines = InfoLines::default();
        let result = tracing::subscriber::with_default(lines.clone(), f);
        (result, lines.lines())
    }
}

impl tracing::Subscriber for InfoLines {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::INFO
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        struct Fields(String);
        impl Visit for Fields {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(fields.0);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
