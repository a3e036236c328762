#![allow(dead_code)]

use std::path::Path;

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
