//! How a simulator is started: [`SimulatorConfig`], which the binary fills from its
//! flags and tests build directly.

use crate::consistency::EventualConsistency;
use crate::rate_limit::RateLimits;
use crate::sigv4::Credentials;
use crate::tasks::TaskTiming;
use crate::world::World;

/// Page size when a list request gives no MaxResults.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// How a simulator is started.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The outposts, assets, instance types and running instances.
    pub world: World,
    /// When set, signatures are verified against this key pair; otherwise any
    /// well-formed SigV4 signature is accepted.
    pub credentials: Option<Credentials>,
    pub timing: TaskTiming,
    /// The clock stands still and only moves with [`Simulator::advance_clock`],
    /// which makes task timestamps deterministic in tests.
    pub frozen_clock: bool,
    pub eventual_consistency: EventualConsistency,
    /// Seed of the generator behind rate-based faults.
    pub fault_seed: u64,
    /// Serve on addresses other than loopback (the simulator is not secure).
    pub allow_non_loopback: bool,
    /// One line per request on stderr.
    pub log_requests: bool,
    /// Items per page when a request gives no `MaxResults` (AWS's own default is
    /// not documented; small values make every caller read several pages).
    pub page_size: usize,
    /// API rate limits per account and operation; none by default.
    pub rate_limits: RateLimits,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            world: World::default_seed(),
            credentials: None,
            timing: TaskTiming::default(),
            frozen_clock: false,
            eventual_consistency: EventualConsistency::default(),
            fault_seed: 0x5eed,
            allow_non_loopback: false,
            log_requests: false,
            page_size: DEFAULT_PAGE_SIZE,
            rate_limits: RateLimits::default(),
        }
    }
}
