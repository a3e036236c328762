//! The outbox through a faulty network: a small proxy on loopback between the kiosk's real
//! delivery client and the real central server resets connections, answers HTTP 500, and cuts
//! responses short, in turn. The outbox keeps retrying: every confirmed dossier reaches the server
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
    Pass,
}

// Every spoiled connection closes, so the next request opens the next one: the first three
// requests meet each fault in turn; a passing connection is then kept alive and reused.
const PATTERN: [Fault; 4] = [
    Fault::Reset,
    Fault::ServerError,
    Fault::Truncated,
    Fault::Pass,
];

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

    // Three dossiers confirmed on the kiosk, each with a 200 kB page.
    let procedure = ProcedureCode::parse("1.004873").unwrap();
    let today = time::macros::date!(2026 - 11 - 22);
    let mut pages = Vec::new();
    for seed in 0..3 {
        let staging = Staging::new(kiosk_dir.path()).unwrap();
        let page = pdf(seed, 200_000);
        let attachment = stage(
            staging.dir(),
            "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu",
            &page[..],
            &Limits::default(),
            &[],
        )
        .unwrap();
        let draft = Draft {
            procedure_code: procedure.clone(),
            procedure_name: "Cấp Giấy xác nhận tình trạng hôn nhân".into(),
            applicant: ApplicantInput {
                full_name: format!("Lê Văn Thử {seed}"),
                citizen_id: "001089012345".into(),
                birth_date: "15/03/1989".into(),
                phone: "0912345678".into(),
                address: "Số 1 Tràng Tiền, Hà Nội".into(),
                email: None,
            }
            .parse(today)
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
        pages.push(page);
    }

    let (proxy, spoiled) = faulty_proxy(server.addr).await;
    let client = DeliveryClient::new(&proxy, Some(credential)).unwrap();
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
    assert!(spoiled.load(Ordering::SeqCst) >= 3, "the faults happened");

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
