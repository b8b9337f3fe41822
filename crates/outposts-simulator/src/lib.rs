//! A local, wire-compatible stand-in for the AWS Outposts API, so tests, the demo
//! and users without an Outpost can drive the real AWS SDK over real HTTP.
//!
//! Layout:
//! - [`world`]: the seed format and the built-in default world.
//! - [`capacity`]: the capacity model (what fits, what blocks, the new layout).
//! - [`tasks`]: capacity tasks, their state machine and the simulator's clock.
//! - [`api`]: the ten Outposts operations on the wire, with validation and errors.
//! - [`validate`]: the service model's constraints and AWS's validation messages.
//! - [`sigv4`]: signature verification.
//! - [`faults`]: injected faults and request counters.
//! - [`rate_limit`]: API rate limits, a token bucket per account and operation.
//! - `control`: the `/_sim/` test control endpoint; `server`: HTTP plumbing.
//!
//! Tests start one with [`start`] and steer it through the returned
//! [`SimulatorHandle`] (it derefs to [`Simulator`]); other processes use the
//! control endpoint. docs/simulator.md is the user-facing reference.

pub mod api;
pub mod capacity;
mod connection;
mod control;
pub mod faults;
mod operation;
pub mod rate_limit;
mod server;
pub mod sigv4;
mod state;
pub mod tasks;
pub mod validate;
pub mod world;

use std::io;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{ActiveFault, FaultKind, FaultRule, FaultTrigger};
pub use operation::Operation;
pub use rate_limit::{BucketReport, RateLimit, RateLimits, RateScope};
pub use sigv4::Credentials;
pub use state::{ControlError, Evacuation, EventualConsistency, Simulator};
pub use tasks::{
    CapacityTask, CapacityTaskFailure, CapacityTaskStatus, FailureType, TaskAction, TaskTiming,
};
pub use world::{SeedError, World};

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
            page_size: api::DEFAULT_PAGE_SIZE,
            rate_limits: RateLimits::default(),
        }
    }
}

fn invalid_seed(error: SeedError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, error.to_string())
}

/// Serves the simulator on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    config: SimulatorConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let simulator = Arc::new(Simulator::new(config).map_err(invalid_seed)?);
    serve_simulator(listener, simulator, shutdown).await
}

/// As [`serve`], for a simulator the caller keeps a reference to.
pub async fn serve_simulator(
    listener: TcpListener,
    simulator: Arc<Simulator>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    server::run(listener, simulator, shutdown).await
}

/// Binds `127.0.0.1:0`, serves in the background and returns the handle.
pub async fn start(config: SimulatorConfig) -> io::Result<SimulatorHandle> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    start_on(listener, config).await
}

/// As [`start`], on a listener the caller bound.
pub async fn start_on(
    listener: TcpListener,
    config: SimulatorConfig,
) -> io::Result<SimulatorHandle> {
    let simulator = Arc::new(Simulator::new(config).map_err(invalid_seed)?);
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() && !simulator.allow_non_loopback {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to serve on non-loopback address {addr}"),
        ));
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve_simulator(listener, simulator.clone(), async move {
        let _ = stopped.await;
    }));
    Ok(SimulatorHandle {
        addr,
        endpoint: format!("http://{addr}"),
        simulator,
        stop: Some(stop),
        server: Some(server),
    })
}

/// A running simulator. Dropping it stops the server; [`SimulatorHandle::shutdown`]
/// also waits for it. Derefs to [`Simulator`] for the test controls.
#[derive(Debug)]
pub struct SimulatorHandle {
    addr: SocketAddr,
    endpoint: String,
    simulator: Arc<Simulator>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<io::Result<()>>>,
}

impl SimulatorHandle {
    /// `http://127.0.0.1:PORT`, for `endpoint_url` / `AWS_ENDPOINT_URL_OUTPOSTS`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn simulator(&self) -> &Arc<Simulator> {
        &self.simulator
    }

    /// Stops accepting, lets in-flight requests finish, and waits.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.server.take() {
            Some(server) => server.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Deref for SimulatorHandle {
    type Target = Simulator;

    fn deref(&self) -> &Simulator {
        &self.simulator
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
