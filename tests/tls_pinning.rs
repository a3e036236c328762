//! Pinning the central server's CA (`server_ca_file`): the real kiosk binary syncs the catalog over
//! https from the real central server behind a TLS proxy, trusting only the pinned CA.
//!
//! The CA is pinned process-wide at start-up (`src/main.rs` → `pin_server_ca`), so each case runs
//! `motcua-kiosk` as its own process: that is the start-up path a kiosk takes, and no pin of one
//! case can leak into the next.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::spawn_central;
use motcua_central::DEMO_CATALOG;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority of the test: its certificate in PEM, and what signs with its key.
struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn new_ca(name: &str) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().unwrap();
    let certificate = params.self_signed(&key).unwrap();
    Ca {
        pem: certificate.pem(),
        issuer: Issuer::new(params, key),
    }
}

/// A server certificate for 127.0.0.1 and localhost issued by `ca`, and its key.
fn server_certificate(ca: &Ca) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "central test");
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let certificate = params.signed_by(&key, &ca.issuer).unwrap();
    (
        certificate.der().clone(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

/// A TLS-terminating proxy on 127.0.0.1 port 0, as the reverse proxy in front of a real central
/// server: TLS with `certificate` outside, plain HTTP to `upstream`. Returns its address.
async fn spawn_tls_proxy(
    certificate: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    upstream: SocketAddr,
) -> SocketAddr {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![certificate], key)
    .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that does not trust the certificate ends the handshake here.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    address
}

/// Runs `motcua-kiosk` with `args`, nothing from the environment but `env`: (success, stdout,
/// stderr).
fn kiosk(args: &[&str], env: &[(&str, &Path)]) -> (bool, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"));
    command
        .args(args)
        .env_remove("MOTCUA_KIOSK_SERVER_URL")
        .env_remove("MOTCUA_KIOSK_DATA_DIR")
        .env_remove("MOTCUA_KIOSK_SERVER_CA_FILE");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Like [`kiosk`], off the test's runtime (the central server and the proxy run on it).
async fn kiosk_async(
    args: Vec<String>,
    env: Vec<(&'static str, PathBuf)>,
) -> (bool, String, String) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &Path)> = env.iter().map(|(n, v)| (*n, v.as_path())).collect();
        kiosk(&args, &env)
    })
    .await
    .unwrap()
}

/// Writes a configuration file at `path` with `server_url` and `server_ca_file`, then runs
/// `motcua-kiosk config check` on it: whether it passed, and its standard error.
async fn pinned_config_check(path: &Path, server_url: &str, ca: &Path) -> (bool, String) {
    std::fs::write(
        path,
        format!(
            "server_url = \"{server_url}\"\nserver_ca_file = \"{}\"\n",
            ca.display()
        ),
    )
    .unwrap();
    let path = path.to_str().unwrap().to_owned();
    let (ok, _, err) = kiosk_async(strings(&["config", "check", &path]), vec![]).await;
    (ok, err)
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// How many procedures the kiosk database in `data_dir` holds.
fn procedures(data_dir: &Path) -> u64 {
    let data_dir = data_dir.to_str().unwrap();
    let (ok, out, err) = kiosk(&["--data-dir", data_dir, "catalog", "stats", "--json"], &[]);
    assert!(ok, "{err}");
    let stats: Value = serde_json::from_str(&out).unwrap();
    stats["procedures"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pinned_ca_is_the_only_one_trusted_and_only_over_https() {
    let work = tempfile::tempdir().unwrap();
    let dir = |name: &str| work.path().join(name);
    let ours = new_ca("motcua test central CA");
    let other = new_ca("an unrelated CA");
    let ours_pem = dir("central-ca.pem");
    let other_pem = dir("other-ca.pem");
    std::fs::write(&ours_pem, &ours.pem).unwrap();
    // A bundle: another certificate before ours is fine ("one or more certificates").
    let bundle_pem = dir("bundle.pem");
    std::fs::write(&bundle_pem, format!("{}{}", other.pem, ours.pem)).unwrap();
    std::fs::write(&other_pem, &other.pem).unwrap();

    let server_dir = dir("central");
    std::fs::create_dir(&server_dir).unwrap();
    let server = spawn_central(&server_dir, DEMO_CATALOG).await;
    let plain_url = server.base_url();
    let upstream: SocketAddr = plain_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let (certificate, key) = server_certificate(&ours);
    let proxy = spawn_tls_proxy(certificate, key, upstream).await;
    let https_url = format!("https://127.0.0.1:{}", proxy.port());
    let https_name_url = format!("https://localhost:{}", proxy.port());

    // The kiosk's configuration file pins our CA.
    let pinned_config = dir("pinned.toml");
    std::fs::write(
        &pinned_config,
        format!(
            "center_name = \"Trung tâm thử\"\nserver_url = \"{https_url}\"\nserver_ca_file = \"{}\"\n",
            ours_pem.display()
        ),
    )
    .unwrap();
    let plain_config = dir("plain.toml");
    std::fs::write(&plain_config, "center_name = \"Trung tâm thử\"\n").unwrap();
    let pinned = pinned_config.to_str().unwrap().to_owned();
    let plain = plain_config.to_str().unwrap().to_owned();

    // 1. Pinned to the right CA: the sync succeeds over https, by address and by name.
    let good = dir("kiosk-good");
    let good_s = good.to_str().unwrap().to_owned();
    let (ok, out, err) = kiosk_async(
        strings(&["--config", &pinned, "--data-dir", &good_s, "sync"]),
        vec![],
    )
    .await;
    assert!(ok, "pinned to the right CA, the sync must work: {err}");
    assert!(out.starts_with("full download:"), "{out}");
    assert!(procedures(&good) >= 60);
    let (ok, out, err) = kiosk_async(
        strings(&[
            "--config",
            &pinned,
            "--data-dir",
            &good_s,
            "--server",
            &https_name_url,
            "sync",
        ]),
        vec![],
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.starts_with("catalog unchanged"), "{out}");
    // A bundle holding our CA among others, from the command line, works too.
    let (ok, out, err) = kiosk_async(
        strings(&[
            "--config",
            &plain,
            "--data-dir",
            &good_s,
            "--server",
            &https_url,
            "--server-ca-file",
            bundle_pem.to_str().unwrap(),
            "sync",
        ]),
        vec![],
    )
    .await;
    assert!(ok, "{err}");
    assert!(out.starts_with("catalog unchanged"), "{out}");

    // 2. Pinned to the other CA (from the environment): refused as not trusted, nothing stored.
    let wrong = dir("kiosk-wrong-ca");
    let wrong_s = wrong.to_str().unwrap().to_owned();
    let (ok, out, err) = kiosk_async(
        strings(&[
            "--config",
            &plain,
            "--data-dir",
            &wrong_s,
            "--server",
            &https_url,
            "sync",
        ]),
        vec![("MOTCUA_KIOSK_SERVER_CA_FILE", other_pem.clone())],
    )
    .await;
    assert!(!ok, "pinned to another CA, the sync must fail: {out}");
    assert!(
        err.contains("the central server's certificate is not trusted"),
        "{err}"
    );
    assert!(
        err.contains(other_pem.to_str().unwrap()),
        "names the pinned file: {err}"
    );
    assert!(err.contains("UnknownIssuer"), "keeps the TLS reason: {err}");
    assert_eq!(procedures(&wrong), 0, "nothing stored");
    // The pin, not the client's defaults, is what made case 1 work: without it the bundled public
    // roots do not know our CA either.
    let unpinned = dir("kiosk-unpinned");
    let unpinned_s = unpinned.to_str().unwrap().to_owned();
    let (ok, _, err) = kiosk_async(
        strings(&[
            "--config",
            &plain,
            "--data-dir",
            &unpinned_s,
            "--server",
            &https_url,
            "sync",
        ]),
        vec![],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("certificate is not trusted"), "{err}");
    assert_eq!(procedures(&unpinned), 0);

    // 3. A pinned CA with an http:// server is a configuration error, before any request.
    let cleartext = dir("kiosk-http");
    let cleartext_s = cleartext.to_str().unwrap().to_owned();
    let (ok, _, err) = kiosk_async(
        strings(&[
            "--config",
            &pinned,
            "--data-dir",
            &cleartext_s,
            "--server",
            &plain_url,
            "sync",
        ]),
        vec![],
    )
    .await;
    assert!(!ok);
    assert!(
        err.contains("is not an https:// address") && err.contains("server_ca_file"),
        "{err}"
    );
    assert_eq!(procedures(&cleartext), 0);
    let http_config = dir("http.toml");
    let (ok, err) = pinned_config_check(&http_config, &plain_url, &ours_pem).await;
    let http_config_s = http_config.to_str().unwrap().to_owned();
    assert!(!ok);
    assert!(
        err.contains("server_url:") && err.contains("https://"),
        "{err}"
    );
    let (ok, _, err) = kiosk_async(
        strings(&[
            "--config",
            &http_config_s,
            "--data-dir",
            &cleartext_s,
            "sync",
        ]),
        vec![],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("is not an https:// address"), "{err}");
    let (ok, _, err) = kiosk_async(
        strings(&[
            "--config",
            &pinned,
            "--data-dir",
            &cleartext_s,
            "enroll",
            &plain_url,
            "ABCD-EFGH-JK",
        ]),
        vec![],
    )
    .await;
    assert!(!ok);
    assert!(err.contains("is not an https:// address"), "{err}");
    assert!(!cleartext.join("credential.json").exists());

    // 4. A CA file that is missing, not PEM, or a damaged certificate: a configuration error at
    // start-up naming the file, never a panic.
    let missing = dir("missing.pem");
    let not_pem = dir("not-pem.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let damaged = dir("damaged.pem");
    std::fs::write(
        &damaged,
        "-----BEGIN CERTIFICATE-----\nAAAAAAAAAAAAAAAAAAAAAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    for (file, expected) in [
        (&missing, "cannot read it"),
        (&not_pem, "contains no certificate"),
        (&damaged, "not a usable certificate"),
    ] {
        let (ok, _, err) = kiosk_async(
            strings(&[
                "--config",
                &plain,
                "--data-dir",
                &cleartext_s,
                "--server",
                &https_url,
                "--server-ca-file",
                file.to_str().unwrap(),
                "sync",
            ]),
            vec![],
        )
        .await;
        assert!(!ok, "{}", file.display());
        assert!(
            err.contains("invalid configuration")
                && err.contains(file.to_str().unwrap())
                && err.contains(expected),
            "{}: {err}",
            file.display()
        );
        assert!(!err.contains("panicked"), "{err}");
        let (ok, err) = pinned_config_check(&dir("bad-ca.toml"), &https_url, file).await;
        assert!(!ok);
        assert!(err.contains(expected), "config check: {err}");
    }
    assert_eq!(procedures(&cleartext), 0);

    server.stop().await;
}
