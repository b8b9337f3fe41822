//! go-plugin AutoMTLS, server side.
//!
//! Terraform generates a fresh self-signed ECDSA P-521 certificate per plugin process and
//! passes it in `PLUGIN_CLIENT_CERT`; it trusts only the server certificate printed in the
//! handshake line. So the server makes its own self-signed certificate for `localhost`
//! and *requires* the client to present exactly Terraform's certificate.
//!
//! Two traps: the `ring` backend cannot verify P-521 signatures (Terraform then sends no
//! certificate), and webpki's client verifier rejects a CA:TRUE leaf. Hence aws-lc-rs and
//! a verifier that pins the certificate bytes and checks the handshake signature itself.

use base64::Engine;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
/// Why the TLS identity could not be set up.
pub enum TlsError {
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    /// `PLUGIN_CLIENT_CERT` is not a PEM certificate.
    ClientCert(String),
    #[error("could not generate the server certificate: {0}")]
    /// The server certificate could not be generated.
    Generate(#[from] rcgen::Error),
    #[error("could not build the TLS configuration: {0}")]
    /// rustls refused the configuration.
    Config(#[from] rustls::Error),
}

/// The server half of AutoMTLS: the rustls configuration and the certificate to print.
pub struct ServerIdentity {
    /// The rustls configuration that requires Terraform's client certificate.
    pub config: Arc<ServerConfig>,
    /// The server certificate, DER in standard base64 without padding, as go-plugin
    /// expects in the handshake line.
    pub certificate_base64: String,
}

fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Builds the server identity that accepts only the client certificate in `client_pem`;
/// the server certificate names the provider (`provider_name`) it serves.
pub fn server_identity(client_pem: &str, provider_name: &str) -> Result<ServerIdentity, TlsError> {
    let client = CertificateDer::from_pem_slice(client_pem.as_bytes())
        .map_err(|e| TlsError::ClientCert(e.to_string()))?;
    let provider = crypto_provider();
    let verifier = PinnedClientCert {
        expected: client.into_owned(),
        algorithms: provider.signature_verification_algorithms,
    };
    let (cert, key) = self_signed_localhost(provider_name)?;
    let certificate_base64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(cert.as_ref());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(vec![cert], key)?;
    // grpc-go in newer Terraform releases refuses a TLS server without ALPN h2.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(ServerIdentity {
        config: Arc::new(config),
        certificate_base64,
    })
}

/// A certificate shaped like go-plugin's own: self-signed, CA, for `localhost`.
fn self_signed_localhost(
    provider_name: &str,
) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), TlsError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let cert = certificate_params(provider_name)?.self_signed(&key)?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().clone(), key))
}

/// The server certificate's fields; its organisation is the provider's binary name
/// (`terraform-provider-NAME`), as go-plugin's certificates name their program.
fn certificate_params(provider_name: &str) -> Result<rcgen::CertificateParams, TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose,
    };
    let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.distinguished_name.push(
        DnType::OrganizationName,
        format!("terraform-provider-{provider_name}"),
    );
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    Ok(params)
}

/// Accepts exactly one client certificate, byte for byte.
#[derive(Debug)]
struct PinnedClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{DnType, DnValue};

    #[test]
    fn bad_client_pem_is_a_clear_error() {
        let err = server_identity("not a certificate", "notes")
            .err()
            .expect("must fail");
        assert!(err.to_string().contains("PLUGIN_CLIENT_CERT"), "{err}");
    }

    #[test]
    fn certificate_is_base64_without_padding() {
        let client = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        let identity = server_identity(&client.cert.pem(), "notes").expect("identity");
        assert!(!identity.certificate_base64.ends_with('='));
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(&identity.certificate_base64)
            .expect("decodes");
        assert_eq!(der[0], 0x30, "DER sequence");
        assert_eq!(identity.config.alpn_protocols, vec![b"h2".to_vec()]);
    }

    #[test]
    fn the_certificate_subject_names_the_provider_served() {
        let params = certificate_params("notes").expect("params");
        let subject: Vec<(DnType, String)> = params
            .distinguished_name
            .iter()
            .map(|(ty, value)| match value {
                DnValue::Utf8String(text) => (ty.clone(), text.clone()),
                other => panic!("unexpected subject value {other:?}"),
            })
            .collect();
        assert_eq!(
            subject,
            vec![
                (DnType::CommonName, "localhost".to_string()),
                (
                    DnType::OrganizationName,
                    "terraform-provider-notes".to_string()
                ),
            ]
        );

        // The certificate actually served carries that subject.
        let client = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("cert");
        let identity = server_identity(&client.cert.pem(), "notes").expect("identity");
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(&identity.certificate_base64)
            .expect("decodes");
        let contains = |needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
        assert!(contains(b"terraform-provider-notes"));
    }
}
