//! Pagination: `MaxResults` in, `NextToken` out and back, tokens bound to the query
//! they page.

use super::*;

/// A validated page request. Tokens are `<sequence>##<fingerprint>`: the sequence
/// of the first item of the next page, and a digest of the request's filters so a
/// token cannot be replayed against a different query.
pub(super) struct Page {
    pub(super) max_results: usize,
    pub(super) start: u64,
    pub(super) fingerprint: String,
}

/// `MaxResults` (else `default`) and `NextToken` of a list request.
pub(super) fn read_page(
    violations: &mut Violations,
    query: &Query,
    default: usize,
) -> (usize, Option<String>) {
    let mut max_results = default;
    if let Some(raw) = query.first("MaxResults") {
        match raw.parse::<i64>() {
            Ok(n) => {
                violations.range("maxResults", n, 1, 1000);
                max_results = usize::try_from(n.clamp(1, 1000)).unwrap_or(default);
            }
            Err(_) => violations.not_a("maxResults", raw, "an integer"),
        }
    }
    let token = query.first("NextToken").map(str::to_string);
    if let Some(token) = &token {
        violations.next_token("nextToken", token);
    }
    (max_results, token)
}

pub(super) fn fingerprint(parts: &[&str]) -> String {
    hex::encode(&Sha256::digest(parts.join("\u{1f}"))[..8])
}

pub(super) fn resolve_page(
    max_results: usize,
    token: Option<String>,
    fingerprint: String,
) -> Result<Page, ApiError> {
    let start = match token {
        None => 0,
        Some(token) => {
            let parsed = token
                .split_once("##")
                .filter(|(_, fp)| *fp == fingerprint)
                .and_then(|(seq, _)| seq.parse::<u64>().ok());
            parsed.ok_or_else(|| {
                ApiError::validation("The NextToken is not valid for this request.")
            })?
        }
    };
    Ok(Page {
        max_results,
        start,
        fingerprint,
    })
}

/// One page of `items` (keyed by ascending sequence) and the token for the next.
pub(super) fn paginate<T>(
    items: impl Iterator<Item = (u64, T)>,
    page: &Page,
) -> (Vec<T>, Option<String>) {
    let mut out = Vec::new();
    let mut next = None;
    for (key, item) in items.filter(|(key, _)| *key >= page.start) {
        if out.len() == page.max_results {
            next = Some(format!("{key}##{}", page.fingerprint));
            break;
        }
        out.push(item);
    }
    (out, next)
}

pub(super) fn with_token(mut body: serde_json::Value, token: Option<String>) -> serde_json::Value {
    if let Some(token) = token {
        body["NextToken"] = json!(token);
    }
    body
}

// ---- wire shapes ----------------------------------------------------------------
