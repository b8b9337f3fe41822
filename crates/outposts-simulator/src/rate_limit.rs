//! API rate limits: a token bucket per account and per operation, as AWS meters its
//! APIs per account (and Region) and per action.
//!
//! A limit is a rate (requests per second, refilled continuously) and a burst (the
//! bucket's size; a bucket starts full). A request takes one token; a request that
//! finds none is answered with ThrottlingException and has no effect. A limit set for
//! every operation (`*`) gives each operation its own bucket of that size; a limit set
//! for one operation replaces the `*` limit for it.
//!
//! The simulator has no IAM, so a request's account is the access key ID of its SigV4
//! `Credential`: requests signed with different access keys are different accounts,
//! requests signed with the same key one account (real AWS keys of one account would
//! share its limits; tests that want teams in one account give them one key).
//!
//! Time is the real, monotonic clock passed in by the caller, never the simulator's
//! task clock: a frozen or advanced task clock does not refill buckets.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::operation::Operation;

/// The most requests per second a limit may allow: beyond it a limit is not a limit.
pub const MAX_RATE: f64 = 1_000_000.0;
/// The largest burst a limit may allow.
pub const MAX_BURST: u32 = 1_000_000;
/// Buckets kept before full ones (which hold nothing a new bucket would not) are
/// forgotten: access key IDs come from requests, so their number is not ours to bound.
const MAX_BUCKETS: usize = 10_000;

/// One operation's limit for one account.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Tokens added per second (requests per second sustained).
    pub rate: f64,
    /// The bucket's size: requests that may arrive at once after a quiet spell.
    pub burst: u32,
}

impl RateLimit {
    /// A limit, or why it is not one.
    pub fn new(rate: f64, burst: u32) -> Result<RateLimit, String> {
        if !rate.is_finite() || rate <= 0.0 || rate > MAX_RATE {
            return Err(format!(
                "rate {rate} must be a number of requests per second above 0 and at most {MAX_RATE}"
            ));
        }
        if burst == 0 || burst > MAX_BURST {
            return Err(format!(
                "burst {burst} must be a whole number from 1 to {MAX_BURST}"
            ));
        }
        Ok(RateLimit { rate, burst })
    }

    /// The burst a limit has when none is given: one second's worth, at least 1.
    pub fn default_burst(rate: f64) -> u32 {
        rate.ceil().clamp(1.0, f64::from(MAX_BURST)) as u32
    }

    /// Parses `RATE[/BURST]`, e.g. `5`, `0.5`, `10/20`.
    pub fn parse(text: &str) -> Result<RateLimit, String> {
        let (rate_text, burst_text) = match text.split_once('/') {
            Some((rate, burst)) => (rate, Some(burst)),
            None => (text, None),
        };
        let rate: f64 = rate_text.trim().parse().map_err(|_| {
            format!("{rate_text:?} is not a rate in requests per second (such as 5 or 0.5)")
        })?;
        let burst = match burst_text {
            Some(burst) => burst
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("{burst:?} is not a burst (a whole number of requests)"))?,
            None => RateLimit::default_burst(rate),
        };
        RateLimit::new(rate, burst)
    }
}

/// Which operations a limit applies to: one, or every operation without its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RateScope {
    All,
    Operation(Operation),
}

impl RateScope {
    /// An operation name, or `*` / `all` for every operation.
    pub fn parse(name: &str) -> Result<RateScope, String> {
        match name.trim() {
            "*" | "all" => Ok(RateScope::All),
            name => Operation::parse(name).map(RateScope::Operation).ok_or_else(|| {
                let names: Vec<_> = Operation::ALL.iter().map(|op| op.as_str()).collect();
                format!(
                    "unknown operation {name:?}; use one of {}, or \"*\" (\"all\") for every operation",
                    names.join(", ")
                )
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RateScope::All => "*",
            RateScope::Operation(op) => op.as_str(),
        }
    }
}

/// The limits in force: the `*` limit and the operations' own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimits {
    /// For every operation without its own limit.
    pub all: Option<RateLimit>,
    pub operations: BTreeMap<Operation, RateLimit>,
}

impl RateLimits {
    /// No limit at all (the default): nothing is ever throttled.
    pub fn is_empty(&self) -> bool {
        self.all.is_none() && self.operations.is_empty()
    }

    /// The limit `operation` is under, if any.
    pub fn for_operation(&self, operation: Operation) -> Option<RateLimit> {
        self.operations.get(&operation).copied().or(self.all)
    }

    pub fn set(&mut self, scope: RateScope, limit: RateLimit) {
        match scope {
            RateScope::All => self.all = Some(limit),
            RateScope::Operation(op) => {
                self.operations.insert(op, limit);
            }
        }
    }

    /// Removes the limit of `scope`; `true` if there was one.
    pub fn remove(&mut self, scope: RateScope) -> bool {
        match scope {
            RateScope::All => self.all.take().is_some(),
            RateScope::Operation(op) => self.operations.remove(&op).is_some(),
        }
    }

    /// Adds the limit a `--rate-limit OPERATION=RATE[/BURST]` flag describes.
    pub fn add_flag(&mut self, text: &str) -> Result<(), String> {
        let (scope, limit) = text.split_once('=').ok_or_else(|| {
            format!("{text:?} is not OPERATION=RATE[/BURST] (e.g. GetCapacityTask=5/10 or '*=2')")
        })?;
        self.set(RateScope::parse(scope)?, RateLimit::parse(limit)?);
        Ok(())
    }

    /// The limits by scope name (`"*"` and operation names), as the control endpoint
    /// lists them.
    pub fn by_name(&self) -> BTreeMap<String, RateLimit> {
        let mut named: BTreeMap<String, RateLimit> = self
            .operations
            .iter()
            .map(|(op, limit)| (op.as_str().to_string(), *limit))
            .collect();
        if let Some(all) = self.all {
            named.insert("*".to_string(), all);
        }
        named
    }
}

/// One account's bucket for one operation.
#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    updated: Instant,
    allowed: u64,
    throttled: u64,
}

impl Bucket {
    fn full(limit: RateLimit, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(limit.burst),
            updated: now,
            allowed: 0,
            throttled: 0,
        }
    }

    /// Adds what the rate earned since the last update, up to the burst. An `now`
    /// earlier than the last update (callers racing for the lock) adds nothing.
    fn refill(&mut self, limit: RateLimit, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * limit.rate).min(f64::from(limit.burst));
        if now > self.updated {
            self.updated = now;
        }
    }
}

/// A bucket as the control endpoint lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketReport {
    pub account: String,
    pub operation: Operation,
    pub limit: RateLimit,
    /// Tokens in the bucket now: requests that would pass right away.
    pub tokens: f64,
    pub allowed: u64,
    pub throttled: u64,
}

/// The limits, the buckets and the throttled-request counters.
#[derive(Debug, Default)]
pub struct RateLimiter {
    limits: RateLimits,
    buckets: BTreeMap<(String, Operation), Bucket>,
    /// Requests throttled by the limits, per operation, over the simulator's life
    /// (not reset by a limit change; see [`RateLimiter::reset_throttled`]).
    throttled: BTreeMap<Operation, u64>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> RateLimiter {
        RateLimiter {
            limits,
            ..RateLimiter::default()
        }
    }

    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Takes a token for one request of `account` to `operation` at `now`; `false`
    /// means the request is throttled (and counted as such).
    pub fn admit(&mut self, account: &str, operation: Operation, now: Instant) -> bool {
        let Some(limit) = self.limits.for_operation(operation) else {
            return true;
        };
        let key = (account.to_string(), operation);
        if !self.buckets.contains_key(&key) && self.buckets.len() >= MAX_BUCKETS {
            self.forget_full_buckets(now);
        }
        let bucket = self
            .buckets
            .entry(key)
            .or_insert_with(|| Bucket::full(limit, now));
        bucket.refill(limit, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            bucket.allowed += 1;
            true
        } else {
            bucket.throttled += 1;
            *self.throttled.entry(operation).or_default() += 1;
            false
        }
    }

    fn forget_full_buckets(&mut self, now: Instant) {
        let limits = &self.limits;
        self.buckets.retain(|(_, op), bucket| {
            let Some(limit) = limits.for_operation(*op) else {
                return false;
            };
            bucket.refill(limit, now);
            bucket.tokens < f64::from(limit.burst)
        });
    }

    /// Sets a limit. Buckets whose limit it changes start full under it (their
    /// counters kept).
    pub fn set(&mut self, scope: RateScope, limit: RateLimit, now: Instant) {
        let before = self.limits.clone();
        self.limits.set(scope, limit);
        self.refresh_buckets(&before, now);
    }

    /// Removes the limit of `scope`; `false` if there was none. Operations left
    /// without a limit lose their buckets; those now under the `*` limit start full.
    pub fn remove(&mut self, scope: RateScope, now: Instant) -> bool {
        let before = self.limits.clone();
        let removed = self.limits.remove(scope);
        self.refresh_buckets(&before, now);
        removed
    }

    /// Removes every limit and bucket; the throttled counters are kept.
    pub fn clear(&mut self) {
        self.limits = RateLimits::default();
        self.buckets.clear();
    }

    /// Refills every bucket whose limit differs from `before` to its new burst, and
    /// drops the buckets of operations no longer limited.
    fn refresh_buckets(&mut self, before: &RateLimits, now: Instant) {
        let limits = &self.limits;
        self.buckets
            .retain(|(_, op), bucket| match limits.for_operation(*op) {
                Some(limit) => {
                    if before.for_operation(*op) != Some(limit) {
                        bucket.tokens = f64::from(limit.burst);
                        bucket.updated = now;
                    }
                    true
                }
                None => false,
            });
    }

    /// Every bucket, as it stands at `now`.
    pub fn buckets(&mut self, now: Instant) -> Vec<BucketReport> {
        let limits = &self.limits;
        self.buckets
            .iter_mut()
            .filter_map(|((account, op), bucket)| {
                let limit = limits.for_operation(*op)?;
                bucket.refill(limit, now);
                Some(BucketReport {
                    account: account.clone(),
                    operation: *op,
                    limit,
                    tokens: bucket.tokens,
                    allowed: bucket.allowed,
                    throttled: bucket.throttled,
                })
            })
            .collect()
    }

    /// Throttled requests per operation; operations never throttled are left out.
    pub fn throttled(&self) -> &BTreeMap<Operation, u64> {
        &self.throttled
    }

    /// Zeroes the throttled counters, the buckets' included; tokens are left as they are.
    pub fn reset_throttled(&mut self) {
        self.throttled.clear();
        for bucket in self.buckets.values_mut() {
            bucket.allowed = 0;
            bucket.throttled = 0;
        }
    }

    /// Full buckets and zero counters; the limits stay.
    pub fn reset(&mut self) {
        self.buckets.clear();
        self.throttled.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const GET: Operation = Operation::GetCapacityTask;
    const START: Operation = Operation::StartCapacityTask;

    fn limiter(scope: RateScope, rate: f64, burst: u32) -> RateLimiter {
        let mut limits = RateLimits::default();
        limits.set(scope, RateLimit::new(rate, burst).expect("valid limit"));
        RateLimiter::new(limits)
    }

    /// How many of `n` requests at `now` pass.
    fn admitted(
        limiter: &mut RateLimiter,
        account: &str,
        op: Operation,
        n: u32,
        now: Instant,
    ) -> u32 {
        (0..n).filter(|_| limiter.admit(account, op, now)).count() as u32
    }

    #[test]
    fn a_full_bucket_lets_the_burst_through_then_throttles() {
        let t0 = Instant::now();
        let mut limiter = limiter(RateScope::Operation(GET), 1.0, 5);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 8, t0), 5);
        assert_eq!(limiter.throttled().get(&GET), Some(&3));
    }

    #[test]
    fn tokens_come_back_at_the_rate_and_never_beyond_the_burst() {
        let t0 = Instant::now();
        let mut limiter = limiter(RateScope::Operation(GET), 2.0, 4);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 4, t0), 4);
        // Half a second at 2/s earns one token, not more.
        let t1 = t0 + Duration::from_millis(500);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 3, t1), 1);
        // Fractions add up: 0.25 s twice is one more token.
        let t2 = t1 + Duration::from_millis(250);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 1, t2), 0);
        let t3 = t2 + Duration::from_millis(250);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 1, t3), 1);
        // A long quiet spell fills the bucket to its burst only.
        let t4 = t3 + Duration::from_secs(3600);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 10, t4), 4);
        assert_eq!(limiter.throttled().get(&GET), Some(&(2 + 1 + 6)));
    }

    #[test]
    fn a_clock_that_reads_earlier_adds_no_tokens() {
        let t0 = Instant::now() + Duration::from_secs(10);
        let mut limiter = limiter(RateScope::All, 1.0, 1);
        assert!(limiter.admit("AKID1", GET, t0));
        assert!(!limiter.admit("AKID1", GET, t0 - Duration::from_secs(5)));
        assert!(!limiter.admit("AKID1", GET, t0 + Duration::from_millis(900)));
        assert!(limiter.admit("AKID1", GET, t0 + Duration::from_secs(1)));
    }

    #[test]
    fn accounts_have_their_own_buckets() {
        let t0 = Instant::now();
        let mut limiter = limiter(RateScope::Operation(GET), 1.0, 2);
        assert_eq!(admitted(&mut limiter, "AKID-TEAM-A", GET, 5, t0), 2);
        // Another account's bucket is still full.
        assert_eq!(admitted(&mut limiter, "AKID-TEAM-B", GET, 5, t0), 2);
        let buckets = limiter.buckets(t0);
        let throttled: Vec<_> = buckets
            .iter()
            .map(|b| (b.account.as_str(), b.throttled))
            .collect();
        assert_eq!(throttled, [("AKID-TEAM-A", 3), ("AKID-TEAM-B", 3)]);
        assert_eq!(limiter.throttled().get(&GET), Some(&6));
    }

    #[test]
    fn operations_have_their_own_buckets_under_the_all_limit() {
        let t0 = Instant::now();
        let mut limiter = limiter(RateScope::All, 1.0, 2);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 5, t0), 2);
        assert_eq!(admitted(&mut limiter, "AKID1", START, 5, t0), 2);
        assert_eq!(
            admitted(&mut limiter, "AKID1", Operation::ListOutposts, 1, t0),
            1
        );
        assert_eq!(limiter.throttled().get(&GET), Some(&3));
        assert_eq!(limiter.throttled().get(&START), Some(&3));
        assert_eq!(limiter.throttled().get(&Operation::ListOutposts), None);
    }

    #[test]
    fn an_operations_own_limit_replaces_the_all_limit_and_others_are_free() {
        let t0 = Instant::now();
        let mut limiter = limiter(RateScope::Operation(START), 1.0, 1);
        // Unlimited operations are never throttled and keep no bucket.
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 100, t0), 100);
        assert!(limiter.buckets(t0).is_empty());
        limiter.set(
            RateScope::All,
            RateLimit::new(100.0, 100).expect("valid"),
            t0,
        );
        assert_eq!(admitted(&mut limiter, "AKID1", START, 3, t0), 1);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 150, t0), 100);
    }

    #[test]
    fn changing_a_limit_refills_its_buckets_and_removing_it_frees_them() {
        let t0 = Instant::now();
        let mut limiter = limiter(RateScope::Operation(GET), 1.0, 1);
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 3, t0), 1);
        limiter.set(
            RateScope::Operation(GET),
            RateLimit::new(1.0, 3).expect("valid"),
            t0,
        );
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 5, t0), 3);
        let bucket = &limiter.buckets(t0)[0];
        assert_eq!((bucket.allowed, bucket.throttled), (4, 4));
        // A limit set for another operation leaves this bucket as it is.
        limiter.set(
            RateScope::Operation(START),
            RateLimit::new(1.0, 1).expect("valid"),
            t0,
        );
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 1, t0), 0);
        assert!(limiter.remove(RateScope::Operation(GET), t0));
        assert!(!limiter.remove(RateScope::Operation(GET), t0));
        assert_eq!(admitted(&mut limiter, "AKID1", GET, 50, t0), 50);
        assert!(limiter.buckets(t0).is_empty());
        // The counter of what was throttled survives the change.
        assert_eq!(limiter.throttled().get(&GET), Some(&5));
        limiter.reset_throttled();
        assert!(limiter.throttled().is_empty());
    }

    #[test]
    fn many_accounts_do_not_grow_the_buckets_without_bound() {
        let t0 = Instant::now();
        let mut limiter = limiter(RateScope::Operation(GET), 1000.0, 1);
        for i in 0..(MAX_BUCKETS + 10) {
            limiter.admit(&format!("AKID{i}"), GET, t0);
        }
        // A second later every bucket is full again and may be forgotten.
        let t1 = t0 + Duration::from_secs(1);
        limiter.admit("AKID-NEW", GET, t1);
        assert!(
            limiter.buckets.len() <= MAX_BUCKETS,
            "{}",
            limiter.buckets.len()
        );
    }

    #[test]
    fn limits_parse_from_rate_and_burst() {
        assert_eq!(
            RateLimit::parse("5"),
            Ok(RateLimit {
                rate: 5.0,
                burst: 5
            })
        );
        assert_eq!(
            RateLimit::parse("0.5"),
            Ok(RateLimit {
                rate: 0.5,
                burst: 1
            })
        );
        assert_eq!(
            RateLimit::parse("2/10"),
            Ok(RateLimit {
                rate: 2.0,
                burst: 10
            })
        );
        for bad in [
            "", "0", "-1", "NaN", "inf", "five", "2/0", "2/-1", "2/1.5", "2/x", "1e9",
        ] {
            assert!(RateLimit::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn flags_name_an_operation_or_every_operation() {
        let mut limits = RateLimits::default();
        limits.add_flag("GetCapacityTask=2/4").expect("valid flag");
        limits.add_flag("*=10").expect("valid flag");
        limits.add_flag("all=20/40").expect("valid flag");
        assert_eq!(
            limits.all,
            Some(RateLimit {
                rate: 20.0,
                burst: 40
            })
        );
        assert_eq!(
            limits.for_operation(GET),
            Some(RateLimit {
                rate: 2.0,
                burst: 4
            })
        );
        assert_eq!(limits.for_operation(START), limits.all);
        let names: Vec<_> = limits.by_name().into_keys().collect();
        assert_eq!(names, ["*", "GetCapacityTask"]);
        for bad in ["GetCapacityTask", "Nope=1", "=1", "GetCapacityTask=0"] {
            let error = RateLimits::default().add_flag(bad).expect_err(bad);
            assert!(!error.is_empty());
        }
        let unknown = RateLimits::default()
            .add_flag("GetTask=1")
            .expect_err("unknown");
        assert!(
            unknown.contains("GetCapacityTask") && unknown.contains("\"*\""),
            "{unknown}"
        );
    }
}
