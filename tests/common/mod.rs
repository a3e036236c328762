#![allow(dead_code)]

pub mod damaged_db;
pub mod display;
pub mod fleet_view;
pub mod kiosk_cli;
pub mod notify;
pub mod ui;

use std::path::{Path, PathBuf};

use motcua_central::catalog::import::import_text;
use motcua_central::{CentralConfig, RunningServer};
use motcua_kiosk::storage::StorageHandle;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The real central server on 127.0.0.1 port 0 with `catalog` imported.
pub async fn spawn_central(data_dir: &Path, catalog: &str) -> RunningServer {
    let config = central_config(data_dir);
    let mut store = motcua_central::open_catalog(&config).unwrap();
    import_text(&mut store, catalog).unwrap();
    motcua_central::start(config).await.unwrap()
}

/// The configuration of a test server with its data in `data_dir`, on 127.0.0.1 port 0.
pub fn central_config(data_dir: &Path) -> CentralConfig {
    CentralConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.to_owned(),
        ..CentralConfig::default()
    }
}

/// Replaces the running server's catalog, as `motcua-central import` does.
pub fn reimport(data_dir: &Path, catalog: &str) {
    let config = CentralConfig {
        data_dir: data_dir.to_owned(),
        ..CentralConfig::default()
    };
    let mut store = motcua_central::open_catalog(&config).unwrap();
    import_text(&mut store, catalog).unwrap();
}

pub fn open_kiosk_storage(path: &Path) -> StorageHandle {
    StorageHandle::open_file(path.to_owned()).unwrap()
}

/// A server that answers every request with the same raw bytes and then closes the connection:
/// how we get a 500, a truncated body or invalid JSON on the wire.
pub async fn spawn_raw_server(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

pub fn http_response(status: &str, content_length: usize, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {content_length}\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A network printer on 127.0.0.1: accepts one connection, answers the paper status query with
/// `answer` (or stays silent), and returns every byte it received until the kiosk closed.
pub fn fake_printer(
    answer: Option<u8>,
) -> (std::net::SocketAddr, std::thread::JoinHandle<Vec<u8>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut received = Vec::new();
        if let Some(answer) = answer {
            let mut query = [0u8; 3];
            socket.read_exact(&mut query).unwrap();
            received.extend_from_slice(&query);
            if query == motcua_kiosk::submission::receipt::escpos::PAPER_STATUS_QUERY {
                socket.write_all(&[answer]).unwrap();
            }
        }
        socket.read_to_end(&mut received).unwrap();
        received
    });
    (address, handle)
}

/// Every log line of this test process at every level (the kiosk's and the central servers' run
/// in it, with the HTTP stack under them), from the first call on.
pub fn process_logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || LogSink(sink.clone()))
            .init();
        logs
    })
    .clone()
}

struct LogSink(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = self.0.lock() {
            logs.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A small grey PNG, what a scanned page or a phone photo stands in for.
pub fn png_page() -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, 40, 60);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        let pixels: Vec<u8> = (0..40 * 60).map(|i| (i % 251) as u8).collect();
        writer.write_image_data(&pixels).expect("png data");
    }
    bytes
}

/// Every file under `dir`, at any depth.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}
