//! HTTPS from the binary: `motcua tls-selfsigned` makes a LAN authority and a server
//! certificate, and the server answers over TLS to a client that trusts only that
//! authority (as a paired tablet does).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use common::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

fn tls_selfsigned(dir: &Path, hosts: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
        .arg("tls-selfsigned")
        .arg(dir)
        .args(hosts)
        .output()
        .expect("run motcua tls-selfsigned");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

/// `GET /health` over TLS, trusting only `authority`; the status line, or the error.
fn get_health(port: u16, authority: &Path, name: &str) -> Result<String, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(authority).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let server_name = ServerName::try_from(name.to_owned()).unwrap();
    let conn = rustls::ClientConnection::new(Arc::new(config), server_name).unwrap();
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    tls.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    Ok(answer.lines().next().unwrap_or("").to_owned())
}

#[actix_web::test]
async fn the_server_speaks_https_with_a_lan_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("tls");
    let (code, out) = tls_selfsigned(&certs, &["localhost", "127.0.0.1"]);
    assert_eq!(code, Some(0), "{out}");
    use std::os::unix::fs::PermissionsExt;
    let mode = |f: &str| {
        std::fs::metadata(certs.join(f))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("motcua-key.pem"), 0o600, "the key is private");
    // Never over an existing set: tablets already trust its authority.
    let (code, out) = tls_selfsigned(&certs, &["localhost"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("exists"), "{out}");
    let (code, _) = tls_selfsigned(&dir.path().join("other"), &[]);
    assert_eq!(code, Some(1), "a host is needed");

    let env = TestEnv::with_config(|c| {
        c.tls = Some((certs.join("motcua-cert.pem"), certs.join("motcua-key.pem")))
    });
    let (server, addresses) = motcua::serve_api(env.state.clone(), "127.0.0.1:0").unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let port = addresses[0].port();
    let authority = certs.join("motcua-ca.pem");
    let answers = actix_web::rt::task::spawn_blocking(move || {
        let by_name = get_health(port, &authority, "localhost");
        let by_ip = get_health(port, &authority, "127.0.0.1");
        let unknown_name = get_health(port, &authority, "motcua.example.vn");
        // Plain HTTP to the TLS port gets no HTTP answer.
        let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
        plain
            .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut bytes = Vec::new();
        let _ = plain.read_to_end(&mut bytes);
        (by_name, by_ip, unknown_name, bytes)
    })
    .await
    .unwrap();
    handle.stop(false).await;
    let (by_name, by_ip, unknown_name, plain) = answers;
    assert_eq!(by_name, Ok("HTTP/1.1 200 OK".to_owned()));
    assert_eq!(by_ip, Ok("HTTP/1.1 200 OK".to_owned()));
    assert!(
        unknown_name.is_err(),
        "a name outside the certificate is refused"
    );
    assert!(!String::from_utf8_lossy(&plain).contains("200 OK"));

    // A key that does not match the certificate stops the start, saying why.
    let other = dir.path().join("other-set");
    assert_eq!(tls_selfsigned(&other, &["localhost"]).0, Some(0));
    let mismatched = motcua::tls::server_config(
        &certs.join("motcua-cert.pem"),
        &other.join("motcua-key.pem"),
    );
    assert!(mismatched.is_err());
}
