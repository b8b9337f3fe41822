//! Endpoints that are not the Outposts API, on loopback, counting the connections they
//! get: a web server answering 404 to everything, an HTTPS server whose certificate
//! nobody trusts, and a dead server that accepts connections and never answers.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct FakeEndpoint {
    pub url: String,
    connections: Arc<AtomicU64>,
}

impl FakeEndpoint {
    /// A server on loopback that counts the connections it accepts and serves each on a
    /// thread of its own with `serve`.
    fn serving<F>(scheme: &str, serve: F) -> FakeEndpoint
    where
        F: Fn(TcpStream) + Clone + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let connections = Arc::new(AtomicU64::new(0));
        let counter = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                let serve = serve.clone();
                std::thread::spawn(move || serve(stream));
            }
        });
        FakeEndpoint {
            url: format!("{scheme}://127.0.0.1:{port}"),
            connections,
        }
    }

    /// How many connections it accepted.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::SeqCst)
    }

    /// A plain web server: every request gets `404 Not Found` with an HTML page.
    pub fn not_found() -> FakeEndpoint {
        FakeEndpoint::serving("http", |mut stream| {
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let body = "<html><body><h1>Not Found</h1></body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        })
    }

    /// A dead server: it accepts every connection, reads what comes, and never answers
    /// or closes (a hung process behind a live port).
    pub fn silent() -> FakeEndpoint {
        FakeEndpoint::serving("http", |mut stream| {
            // Reading until the client gives up keeps the connection open.
            let mut buffer = [0u8; 4096];
            while matches!(stream.read(&mut buffer), Ok(n) if n > 0) {}
        })
    }

    /// A port on loopback where nothing listens: every connection is refused.
    pub fn refused() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        drop(listener);
        format!("http://127.0.0.1:{port}")
    }

    /// An HTTPS server with a self-signed certificate no trust store holds.
    pub fn untrusted_tls() -> FakeEndpoint {
        let key = rcgen::KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
            .expect("params");
        let cert = params.self_signed(&key).expect("certificate");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(
                    rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()),
                ),
            )
            .expect("server config");
        let config = Arc::new(config);
        FakeEndpoint::serving("https", move |mut stream| {
            let Ok(mut connection) = rustls::ServerConnection::new(config.clone()) else {
                return;
            };
            // The client gives up during the handshake; nothing more to serve.
            while connection.is_handshaking() {
                if connection.complete_io(&mut stream).is_err() {
                    return;
                }
            }
        })
    }
}
