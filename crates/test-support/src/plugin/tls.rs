//! The TLS side of go-plugin's AutoMTLS, as Terraform plays it: a fresh client
//! certificate for each plugin, and a server certificate trusted only because the
//! plugin announced it in its handshake line.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

/// A client certificate and its key, shaped like the ones Terraform (go-plugin) makes
/// for each plugin it starts: ECDSA P-521 with SHA-512, self-signed, CA:TRUE, SAN and
/// common name `localhost`, organisation `HashiCorp`.
pub struct ClientIdentity {
    pem: String,
    der: CertificateDer<'static>,
    key: Vec<u8>,
}

impl ClientIdentity {
    /// A new identity, as Terraform makes one for each plugin start.
    pub fn terraform_like() -> Result<ClientIdentity, String> {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
            KeyUsagePurpose,
        };
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)
            .map_err(|e| format!("generating a P-521 client key: {e}"))?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()])
            .map_err(|e| format!("client certificate parameters: {e}"))?;
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "HashiCorp");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params
            .self_signed(&key)
            .map_err(|e| format!("self-signing the client certificate: {e}"))?;
        Ok(ClientIdentity {
            pem: cert.pem(),
            der: cert.der().clone(),
            key: key.serialize_der(),
        })
    }

    /// The certificate in PEM, as `PLUGIN_CLIENT_CERT` carries it.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The certificate in DER.
    pub fn der(&self) -> &CertificateDer<'static> {
        &self.der
    }
}

/// A client configuration that trusts only `server_cert` and presents `client` (or no
/// certificate at all), with ALPN `h2` as grpc-go in Terraform ≥ 1.12 requires.
pub(super) fn client_config(
    server_cert: &CertificateDer<'static>,
    client: Option<&ClientIdentity>,
) -> Result<ClientConfig, String> {
    // aws-lc-rs: the ring provider cannot sign with a P-521 key.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS protocol versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer {
            expected: server_cert.clone(),
            provider,
        }));
    let mut config = match client {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key.clone())),
            )
            .map_err(|e| format!("the client certificate and key: {e}"))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Trusts exactly the certificate the plugin announced, as go-plugin's client does (it
/// makes that certificate its only root); the handshake signatures are still checked.
#[derive(Debug)]
struct PinnedServer {
    expected: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the server presented another certificate than its handshake line announced".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terraform_like_identity_is_a_pem_certificate_with_a_key_rustls_accepts() {
        let id = ClientIdentity::terraform_like().expect("identity");
        assert!(
            id.pem().starts_with("-----BEGIN CERTIFICATE-----"),
            "{}",
            id.pem()
        );
        assert!(!id.der().is_empty());
        client_config(id.der(), Some(&id)).expect("a config presenting the identity");
    }
}
