//! Which operation a request is: method and path, and its query parameters.

use super::*;

/// A request matched to an operation, with its path labels decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Route {
    StartCapacityTask { outpost: String },
    GetCapacityTask { outpost: String, task: String },
    CancelCapacityTask { outpost: String, task: String },
    ListCapacityTasks,
    ListBlockingInstances { outpost: String, task: String },
    GetOutpostSupportedInstanceTypes { outpost: String },
    GetOutpostInstanceTypes { outpost: String },
    GetOutpost { outpost: String },
    ListOutposts,
    ListAssets { outpost: String },
}

impl Route {
    pub(super) fn parse(method: &str, path: &str) -> Option<Route> {
        let mut segments: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        if segments.last().is_some_and(String::is_empty) {
            segments.pop();
        }
        let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
        let route = match (method, parts.as_slice()) {
            ("GET", ["outposts"]) => Route::ListOutposts,
            ("GET", ["outposts", id]) => Route::GetOutpost {
                outpost: id.to_string(),
            },
            ("POST", ["outposts", id, "capacity"]) => Route::StartCapacityTask {
                outpost: id.to_string(),
            },
            ("GET", ["outposts", id, "capacity", task]) => Route::GetCapacityTask {
                outpost: id.to_string(),
                task: task.to_string(),
            },
            ("POST", ["outposts", id, "capacity", task]) => Route::CancelCapacityTask {
                outpost: id.to_string(),
                task: task.to_string(),
            },
            ("GET", ["outposts", id, "capacity", task, "blockingInstances"]) => {
                Route::ListBlockingInstances {
                    outpost: id.to_string(),
                    task: task.to_string(),
                }
            }
            ("GET", ["outposts", id, "supportedInstanceTypes"]) => {
                Route::GetOutpostSupportedInstanceTypes {
                    outpost: id.to_string(),
                }
            }
            ("GET", ["outposts", id, "instanceTypes"]) => Route::GetOutpostInstanceTypes {
                outpost: id.to_string(),
            },
            ("GET", ["outposts", id, "assets"]) => Route::ListAssets {
                outpost: id.to_string(),
            },
            ("GET", ["capacity", "tasks"]) => Route::ListCapacityTasks,
            _ => return None,
        };
        Some(route)
    }

    pub(super) fn operation(&self) -> Operation {
        match self {
            Route::StartCapacityTask { .. } => Operation::StartCapacityTask,
            Route::GetCapacityTask { .. } => Operation::GetCapacityTask,
            Route::CancelCapacityTask { .. } => Operation::CancelCapacityTask,
            Route::ListCapacityTasks => Operation::ListCapacityTasks,
            Route::ListBlockingInstances { .. } => Operation::ListBlockingInstancesForCapacityTask,
            Route::GetOutpostSupportedInstanceTypes { .. } => {
                Operation::GetOutpostSupportedInstanceTypes
            }
            Route::GetOutpostInstanceTypes { .. } => Operation::GetOutpostInstanceTypes,
            Route::GetOutpost { .. } => Operation::GetOutpost,
            Route::ListOutposts => Operation::ListOutposts,
            Route::ListAssets { .. } => Operation::ListAssets,
        }
    }
}

/// Query parameters in order; list members repeat their key.
pub(super) struct Query(pub(super) Vec<(String, String)>);

impl Query {
    pub(super) fn parse(raw: &str) -> Query {
        let decode = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        Query(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    pub(super) fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}
