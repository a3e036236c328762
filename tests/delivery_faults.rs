//! The outbox through a faulty network: a small proxy on loopback between the kiosk's real
//! delivery client and the real central server resets connections, answers HTTP 500, and cuts
//! responses short, or stalls (takes the request, then neither reads nor answers), in turn. The outbox keeps retrying: every confirmed dossier reaches the server
//! exactly once, with identical files, and the order of confirmation holds.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{central_config, open_kiosk_storage, spawn_central};
use motcua_central::DEMO_CATALOG;
use motcua_kiosk::submission::attachment::{Limits, stage};
use motcua_kiosk::submission::{DeliveryClient, Draft, Staging, drain};
use motcua_protocol::{ApplicantInput, ProcedureCode};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy)]
enum Fault {
    Reset,
    ServerError,
    Truncated,
    Stall,
    Pass,
}

// Every spoiled connection closes, so the next request opens the next one: the first three
// requests meet each fault in turn; a passing connection is then kept alive and reused.
const PATTERN: [Fault; 5] = [
    Fault::Reset,
    Fault::ServerError,
    Fault::Truncated,
    Fault::Stall,
    Fault::Pass,
];

/// How long the kiosk waits on a connection without progress, here; 60 s in production.
const STALL: std::time::Duration = std::time::Duration::from_secs(2);

/// Forwards connections to `upstream`, spoiling them by `PATTERN` in turn.
async fn faulty_proxy(upstream: std::net::SocketAddr) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let spoiled = Arc::new(AtomicUsize::new(0));
    let counter = spoiled.clone();
    tokio::spawn(async move {
        let mut n = 0usize;
        while let Ok((mut client, _)) = listener.accept().await {
            let fault = PATTERN[n % PATTERN.len()];
            n += 1;
            if !matches!(fault, Fault::Pass) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            tokio::spawn(async move {
                let mut head = vec![0u8; 16 * 1024];
                match fault {
                    Fault::Reset => {
                        let _ = client.read(&mut head).await;
                        drop(client);
                    }
                    Fault::ServerError => {
                        let _ = client.read(&mut head).await;
                        let _ = client
                            .write_all(
                                b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                            )
                            .await;
                        let _ = client.shutdown().await;
                    }
                    Fault::Truncated => {
                        // The request goes through; half of the first answer comes back.
                        let Ok(mut server) = TcpStream::connect(upstream).await else {
                            return;
                        };
                        let Ok(read) = client.read(&mut head).await else {
                            return;
                        };
                        let _ = server.write_all(&head[..read]).await;
                        let mut answer = vec![0u8; 64 * 1024];
                        let got = server.read(&mut answer).await.unwrap_or(0);
                        let _ = client.write_all(&answer[..got / 2]).await;
                        drop(client);
                    }
                    Fault::Stall => {
                        // A network that swallows the request and goes quiet: the connection
                        // stays open, nothing is read after the first bytes, nothing answered.
                        let _ = client.read(&mut head).await;
                        tokio::time::sleep(std::time::Duration::from_secs(120)).await;
                        drop(client);
                    }
                    Fault::Pass => {
                        if let Ok(mut server) = TcpStream::connect(upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), spoiled)
}

fn pdf(seed: usize, size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..size).map(|i| ((i * 13 + seed * 7) % 251) as u8));
    bytes
}

/// Confirms a dossier of one page on the kiosk, as the confirm button does.
async fn confirm(
    storage: &motcua_kiosk::storage::StorageHandle,
    data_dir: &std::path::Path,
    seed: usize,
    page: Vec<u8>,
) {
    let staging = Staging::new(data_dir).unwrap();
    let attachment = stage(
        staging.dir(),
        "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu",
        &page[..],
        &Limits::default(),
        &[],
    )
    .unwrap();
    let draft = Draft {
        procedure_code: ProcedureCode::parse("1.004873").unwrap(),
        procedure_name: "Cấp Giấy xác nhận tình trạng hôn nhân".into(),
        applicant: ApplicantInput {
            full_name: format!("Lê Văn Thử {seed}"),
            citizen_id: "001089012345".into(),
            birth_date: "15/03/1989".into(),
            phone: "0912345678".into(),
            address: "Số 1 Tràng Tiền, Hà Nội".into(),
            email: None,
        }
        .parse(time::macros::date!(2026 - 11 - 22))
        .unwrap(),
        attachments: vec![attachment],
    };
    storage
        .call(move |s| {
            s.outbox
                .confirm(&draft, "quay-2", time::OffsetDateTime::now_utc())
        })
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn resets_500s_and_cut_answers_end_with_each_dossier_once() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let config = central_config(server_dir.path());
    let credential = motcua_central::issue_kiosk_credential(&config, "quay-2").unwrap();
    let storage = open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    let sync = motcua_kiosk::catalog::SyncClient::new(&server.base_url()).unwrap();
    motcua_kiosk::catalog::sync_once(&sync, &storage)
        .await
        .unwrap();

    // Three dossiers confirmed on the kiosk, each with one page; the middle one larger than the
    // socket buffers, so a stall can block the kiosk's writes.
    let mut pages = Vec::new();
    for seed in 0..3 {
        let page = pdf(seed, if seed == 1 { 16_000_000 } else { 200_000 });
        confirm(&storage, kiosk_dir.path(), seed, page.clone()).await;
        pages.push(page);
    }

    let (proxy, spoiled) = faulty_proxy(server.addr).await;
    let client = DeliveryClient::with_stall_timeout(&proxy, Some(credential), STALL).unwrap();
    let mut passes = 0;
    loop {
        passes += 1;
        let report = drain(&client, &storage).await;
        assert!(
            report.refused.is_empty(),
            "nothing is refused for good: {report:?}"
        );
        if report.waiting == 0 {
            break;
        }
        assert!(passes < 60, "the outbox never drained: {report:?}");
    }
    assert!(spoiled.load(Ordering::SeqCst) >= 4, "the faults happened");

    // Exactly once each, in the order confirmed, with identical files.
    let dossiers = motcua_central::open_dossiers(&config).unwrap();
    assert_eq!(dossiers.count().unwrap(), 3);
    let entries = storage.call(|s| s.outbox.entries()).await.unwrap().unwrap();
    let mut codes: Vec<(String, String)> = entries
        .iter()
        .map(|e| {
            (
                e.local_reference.clone(),
                e.receipt.as_ref().expect("delivered").code.to_string(),
            )
        })
        .collect();
    codes.sort();
    let sequence: Vec<&String> = codes.iter().map(|(_, code)| code).collect();
    let mut sorted = sequence.clone();
    sorted.sort();
    assert_eq!(sequence, sorted, "delivered in the order confirmed");
    for page in &pages {
        let hash: String = Sha256::digest(page)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let stored = server_dir.path().join("files").join(&hash[..2]).join(&hash);
        assert_eq!(std::fs::read(stored).unwrap(), *page);
    }
    server.stop().await;
}

/// A network that takes a large upload's first bytes and then goes quiet: the kiosk's writes
/// block once the socket buffers are full. The delivery gives up after the stall timeout instead
/// of hanging, and the dossier waits for the next attempt.
#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_upload_is_given_up_and_kept_for_later() {
    let server_dir = tempfile::tempdir().unwrap();
    let kiosk_dir = tempfile::tempdir().unwrap();
    let server = spawn_central(server_dir.path(), DEMO_CATALOG).await;
    let config = central_config(server_dir.path());
    let credential = motcua_central::issue_kiosk_credential(&config, "quay-3").unwrap();
    let storage = open_kiosk_storage(&kiosk_dir.path().join("kiosk.db"));
    let sync = motcua_kiosk::catalog::SyncClient::new(&server.base_url()).unwrap();
    motcua_kiosk::catalog::sync_once(&sync, &storage)
        .await
        .unwrap();
    confirm(&storage, kiosk_dir.path(), 0, pdf(9, 16_000_000)).await;

    // Requests before the upload (the manifest, HEAD) pass; a PATCH stalls, on whichever
    // connection it comes (the kiosk reuses connections). HTTP/1.1 without pipelining: a request
    // is sent only after the previous answer, so each starts a fresh read.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let upstream = server.addr;
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut from_client, mut to_client) = client.into_split();
                let (mut from_server, mut to_server) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
                });
                let mut buffer = vec![0u8; 64 * 1024];
                loop {
                    let Ok(read) = from_client.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    if buffer[..read].starts_with(b"PATCH") {
                        // Hold the connection: nothing read, nothing answered.
                        tokio::time::sleep(std::time::Duration::from_secs(300)).await;
                        return;
                    }
                    if to_server.write_all(&buffer[..read]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let client = DeliveryClient::with_stall_timeout(&proxy, Some(credential), STALL).unwrap();
    let report = tokio::time::timeout(std::time::Duration::from_secs(60), drain(&client, &storage))
        .await
        .expect("the delivery must give up on a stalled connection, not hang");
    assert_eq!(report.waiting, 1, "{report:?}");
    assert!(report.refused.is_empty());
    let error = report.last_error.unwrap_or_default();
    assert!(error.contains("cannot reach the central server"), "{error}");
    let entries = storage.call(|s| s.outbox.entries()).await.unwrap().unwrap();
    assert!(entries[0].receipt.is_none());
    server.stop().await;
}
