//! A local, wire-compatible stand-in for the AWS Outposts API, so tests, the demo
//! and users without an Outpost can drive the real AWS SDK over real HTTP.
//!
//! Layout:
//! - [`world`]: the seed format and the built-in default world.
//! - [`capacity`]: the capacity model (what fits, what blocks, the new layout).
//! - [`SimulatorConfig`] (`config`): how a simulator is started.
//! - [`tasks`]: capacity tasks, their state machine and the simulator's clock.
//! - [`api`]: the ten Outposts operations on the wire, with validation and errors.
//! - [`validate`]: the service model's constraints and AWS's validation messages.
//! - [`sigv4`]: signature verification.
//! - [`faults`]: injected faults and request counters.
//! - [`rate_limit`]: API rate limits, a token bucket per account and operation.
//! - `state`: the shared [`Simulator`] and its test controls; `consistency`: the lag
//!   of reads behind StartCapacityTask ([`EventualConsistency`]).
//! - `control`: the `/_sim/` test control endpoint; `server`: HTTP plumbing.
//!
//! Tests start one with [`start`] and steer it through the returned
//! [`SimulatorHandle`] (it derefs to [`Simulator`]); other processes use the
//! control endpoint. docs/simulator.md is the user-facing reference.

pub mod api;
pub mod capacity;
mod config;
mod connection;
mod consistency;
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

pub use config::SimulatorConfig;
pub use consistency::EventualConsistency;
pub use faults::{ActiveFault, FaultKind, FaultRule, FaultTrigger};
pub use operation::Operation;
pub use rate_limit::{BucketReport, RateLimit, RateLimits, RateScope};
pub use sigv4::Credentials;
pub use state::{ControlError, Evacuation, Simulator};
pub use tasks::{
    CapacityTask, CapacityTaskFailure, CapacityTaskStatus, FailureType, TaskAction, TaskTiming,
};
pub use world::{SeedError, World};

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
