//! A static-file HTTPS server on loopback (hyper over rustls), with its own test CA, for
//! the installation tests: Terraform trusts the CA through `SSL_CERT_FILE`, as it
//! would trust an organisation's CA. It serves GET for the files under a directory and
//! records every path asked for.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

pub struct StaticHttps {
    /// `https://localhost:PORT`.
    pub base: String,
    /// `localhost:PORT`, a registry host name.
    pub host: String,
    /// The PEM file of the CA that signed the server's certificate.
    pub ca_file: PathBuf,
    requests: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl StaticHttps {
    /// Serves the files under `root`.
    pub fn serve(root: &Path) -> StaticHttps {
        let dir = tempfile::tempdir().expect("temporary directory");
        let ca_key = rcgen::KeyPair::generate().expect("CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "outposts provider test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA certificate");
        let key = rcgen::KeyPair::generate().expect("server key");
        let cert = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("server params")
            .signed_by(&key, &ca)
            .expect("server certificate");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, ca.pem()).expect("write CA");

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone(), ca.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(
                    rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()),
                ),
            )
            .expect("server config");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let root = root.to_path_buf();
        let seen = requests.clone();
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let root = root.clone();
                let seen = seen.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request: Request<_>| {
                        let response = answer(&root, &request, &seen);
                        async move { Ok::<_, std::convert::Infallible>(response) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        StaticHttps {
            base: format!("https://localhost:{port}"),
            host: format!("localhost:{port}"),
            ca_file,
            requests,
            _dir: dir,
            _runtime: runtime,
        }
    }

    /// The paths asked for so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn answer<B>(
    root: &Path,
    request: &Request<B>,
    seen: &Mutex<Vec<String>>,
) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_string();
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.clone());
    let status = |code: StatusCode| {
        let mut response = Response::new(Full::new(Bytes::from(code.to_string())));
        *response.status_mut() = code;
        response
    };
    if request.method() != hyper::Method::GET {
        return status(StatusCode::METHOD_NOT_ALLOWED);
    }
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return status(StatusCode::NOT_FOUND);
    }
    match std::fs::read(root.join(relative)) {
        Ok(content) => {
            let mut response = Response::new(Full::new(Bytes::from(content)));
            let kind = if path.ends_with(".zip") {
                "application/zip"
            } else if path.ends_with(".json")
                || (path.contains("/v1/") && !path.contains("/files/"))
            {
                "application/json"
            } else {
                "application/octet-stream"
            };
            if let Ok(value) = hyper::header::HeaderValue::from_str(kind) {
                response
                    .headers_mut()
                    .insert(hyper::header::CONTENT_TYPE, value);
            }
            response
        }
        Err(_) => status(StatusCode::NOT_FOUND),
    }
}
