//! The flag a request's handler uses to lose its own response: the HTTP layer (which
//! owns the connection) and the API layer (which decides) both see it, so it sits
//! apart from both.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Lets a request's handler sabotage its own connection.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionControl {
    lose_response: Arc<AtomicBool>,
}

impl ConnectionControl {
    pub(crate) fn lose_response(&self) {
        self.lose_response.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_lost(&self) -> bool {
        self.lose_response.load(Ordering::SeqCst)
    }
}
