//! HTTPS served by the binary itself (rustls), and a private certificate authority
//! for a commune's LAN: tablets need a secure context for the kiosk app's Service
//! Worker, and a commune rarely has a public domain name.

use std::path::Path;
use std::sync::Arc;

use chrono::Datelike;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The server's TLS settings from a PEM certificate chain and its PEM private key.
pub fn server_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig, String> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("MOTCUA_TLS_CERT {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "MOTCUA_TLS_CERT {}: no certificate",
            cert.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("MOTCUA_TLS_KEY {}: {e}", key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| format!("MOTCUA_TLS_CERT and MOTCUA_TLS_KEY do not make a pair: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A private authority and a server certificate it signed, all PEM.
pub struct LanCertificates {
    /// Install this one on each tablet (as a CA certificate) and nothing else.
    pub authority: String,
    /// The server's certificate followed by the authority's: `MOTCUA_TLS_CERT`.
    pub chain: String,
    /// The server's private key: `MOTCUA_TLS_KEY`. The authority's key is not kept,
    /// so the authority can sign nothing else.
    pub key: String,
}

/// Makes a certificate authority valid 10 years and a server certificate for `hosts`
/// (names or IP addresses) valid 825 days, signed by it.
pub fn lan_certificates(hosts: &[String]) -> Result<LanCertificates, String> {
    let fail = |e: rcgen::Error| e.to_string();
    let today = chrono::Utc::now().date_naive();
    let date = |years: i32, days: u64| {
        let d = today
            .with_year(today.year() + years)
            .unwrap_or(today)
            .checked_add_days(chrono::Days::new(days))
            .unwrap_or(today);
        rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
    };

    let mut authority = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    authority.distinguished_name.push(
        DnType::CommonName,
        format!("motcua local authority {}", today.format("%Y-%m-%d")),
    );
    authority.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    authority.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    authority.not_before = date(0, 0);
    authority.not_after = date(10, 0);
    let authority_key = KeyPair::generate().map_err(fail)?;
    let authority = authority.self_signed(&authority_key).map_err(fail)?;

    let mut server = CertificateParams::new(hosts.to_vec()).map_err(fail)?;
    server.distinguished_name.push(
        DnType::CommonName,
        hosts.first().cloned().unwrap_or_default(),
    );
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.not_before = date(0, 0);
    server.not_after = date(0, 825);
    let server_key = KeyPair::generate().map_err(fail)?;
    let server = server
        .signed_by(&server_key, &authority, &authority_key)
        .map_err(fail)?;
    Ok(LanCertificates {
        chain: format!("{}{}", server.pem(), authority.pem()),
        authority: authority.pem(),
        key: server_key.serialize_pem(),
    })
}
