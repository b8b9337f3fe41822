//! The HTTP server: the axum router (control endpoint + Outposts API) on a
//! listener whose connections can be told to lose their response.
//!
//! A "lost response" must look to the client like the network failed after the
//! server acted: every accepted connection carries a [`ConnectionControl`] flag;
//! once a handler raises it, writes on that connection fail, hyper drops the
//! connection, and the client sees it closed before any response byte — a
//! transport error the AWS SDKs retry.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::connection::ConnectionControl;
use super::state::Simulator;
use super::{api, control};

/// A TCP connection that refuses to carry a response once told to lose it.
pub(crate) struct SimConnection {
    stream: TcpStream,
    control: ConnectionControl,
}

impl AsyncRead for SimConnection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.control.is_lost() {
            // End of stream: hyper stops reading and closes.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimConnection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.control.is_lost() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "response dropped by the simulator's lose_response fault",
            )));
        }
        Pin::new(&mut this.stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Accepts TCP connections and wraps them in [`SimConnection`].
pub(crate) struct SimListener {
    inner: TcpListener,
}

impl Listener for SimListener {
    type Io = SimConnection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    // Small JSON responses should not wait for Nagle's algorithm.
                    let _ = stream.set_nodelay(true);
                    let connection = SimConnection {
                        stream,
                        control: ConnectionControl::default(),
                    };
                    return (connection, addr);
                }
                // Out of file descriptors and similar: back off, keep serving.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

impl Connected<IncomingStream<'_, SimListener>> for ConnectionControl {
    fn connect_info(stream: IncomingStream<'_, SimListener>) -> Self {
        stream.io().control.clone()
    }
}

fn router(simulator: Arc<Simulator>) -> Router {
    control::routes()
        .fallback(api::handle)
        .with_state(simulator)
}

/// Serves until `shutdown` resolves. Refuses a non-loopback listener unless the
/// simulator was configured with `allow_non_loopback`.
pub(crate) async fn run(
    listener: TcpListener,
    simulator: Arc<Simulator>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() && !simulator.allow_non_loopback {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refusing to serve on non-loopback address {addr}: the simulator has no real \
                 authentication; allow it explicitly (--allow-non-loopback)"
            ),
        ));
    }
    let app = router(simulator).into_make_service_with_connect_info::<ConnectionControl>();
    axum::serve(SimListener { inner: listener }, app)
        .with_graceful_shutdown(shutdown)
        .await
}
