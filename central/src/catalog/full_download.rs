//! The full catalog, built and compressed once per catalog version.
//!
//! Every kiosk's first sync, and every recovery, asks for the same whole catalog (about 21 MB of
//! JSON at 10,000 procedures). Building it from the database and compressing it again for each
//! request held the server to about 2.6 full downloads a second on two cores
//! (docs/BENCHMARKS.md, figure 4); a fleet re-syncing after an outage would have queued for
//! minutes. The first request for a version builds it; each encoding is compressed once, on first
//! demand, and the bytes are shared by every later response until the catalog changes.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use flate2::write::GzEncoder;

use super::store::{Cursor, DeltaJson};

/// Brotli quality 9 with a 4 MiB window: within 10 % of quality 11's size at a small fraction of
/// its time, and paid once per catalog version rather than per request.
const BROTLI_QUALITY: i32 = 9;
const BROTLI_WINDOW_BITS: i32 = 22;
const GZIP_LEVEL: u32 = 6;

/// A content coding the client accepts, best first as we prefer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best coding `Accept-Encoding` allows: brotli, then gzip, else none. A coding listed
    /// with `q=0` is refused, as is anything under a `*;q=0` not named with a positive weight.
    pub fn negotiate(accept_encoding: Option<&str>) -> Self {
        let Some(header) = accept_encoding else {
            return Self::Identity;
        };
        let weight_of = |name: &str| -> Option<bool> {
            let mut named = None;
            let mut wildcard = None;
            for item in header.split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim();
                let accepted = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .next_back()
                    .is_none_or(|q| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0));
                if coding.eq_ignore_ascii_case(name) {
                    named = Some(accepted);
                } else if coding == "*" {
                    wildcard = Some(accepted);
                }
            }
            named.or(wildcard)
        };
        if weight_of("br") == Some(true) {
            Self::Brotli
        } else if weight_of("gzip") == Some(true) {
            Self::Gzip
        } else {
            Self::Identity
        }
    }

    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Self::Brotli => Some("br"),
            Self::Gzip => Some("gzip"),
            Self::Identity => None,
        }
    }
}

/// One catalog version's full download, in each coding asked for so far.
#[derive(Debug)]
pub struct PreparedCatalog {
    pub cursor: Cursor,
    json: Bytes,
    brotli: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
}

impl PreparedCatalog {
    fn new(delta: DeltaJson) -> Self {
        Self {
            cursor: delta.cursor,
            json: Bytes::from(delta.body),
            brotli: OnceLock::new(),
            gzip: OnceLock::new(),
        }
    }

    /// The body in `encoding`, compressed now if this is the first request for it. Concurrent
    /// first requests wait for the one compression instead of each doing it.
    pub fn body(&self, encoding: Encoding) -> Bytes {
        match encoding {
            Encoding::Identity => self.json.clone(),
            Encoding::Brotli => self.brotli.get_or_init(|| brotli(&self.json)).clone(),
            Encoding::Gzip => self.gzip.get_or_init(|| gzip(&self.json)).clone(),
        }
    }
}

/// The latest version's prepared download. Only one version is kept: kiosks that ask for a full
/// catalog always get the current one.
#[derive(Debug, Default)]
pub struct FullDownloads {
    latest: Mutex<Option<Arc<PreparedCatalog>>>,
}

impl FullDownloads {
    /// The prepared download of `current`, built with `build` unless it already is.
    pub fn get<E>(
        &self,
        current: &Cursor,
        build: impl FnOnce() -> Result<DeltaJson, E>,
    ) -> Result<Arc<PreparedCatalog>, E> {
        // A poisoned lock only means a panic elsewhere while swapping an Arc; the Option inside
        // is still whole.
        let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(prepared) = latest.as_ref().filter(|p| &p.cursor == current) {
            return Ok(Arc::clone(prepared));
        }
        let prepared = Arc::new(PreparedCatalog::new(build()?));
        *latest = Some(Arc::clone(&prepared));
        Ok(prepared)
    }
}

fn brotli(json: &[u8]) -> Bytes {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW_BITS,
        size_hint: json.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(json.len() / 8);
    // Reading a slice and writing a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut &json[..], &mut out, &params);
    Bytes::from(out)
}

fn gzip(json: &[u8]) -> Bytes {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(json.len() / 6),
        flate2::Compression::new(GZIP_LEVEL),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(json);
    Bytes::from(encoder.finish().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn delta(seq: i64, body: &str) -> DeltaJson {
        DeltaJson {
            cursor: Cursor {
                dataset: "ab".into(),
                seq,
            },
            full: true,
            upserts: 1,
            removals: 0,
            body: body.into(),
        }
    }

    #[test]
    fn negotiation_prefers_brotli_then_gzip_and_honours_zero_weights() {
        use Encoding::*;
        for (header, expected) in [
            (None, Identity),
            (Some(""), Identity),
            (Some("gzip, deflate, br"), Brotli),
            (Some("gzip"), Gzip),
            (Some("GZIP;q=0.5"), Gzip),
            (Some("br;q=0, gzip"), Gzip),
            (Some("br;q=0.0, gzip;q=0"), Identity),
            (Some("*"), Brotli),
            (Some("*;q=0, gzip"), Gzip),
            (Some("identity"), Identity),
            (Some("br;q=abc, gzip"), Gzip),
        ] {
            assert_eq!(Encoding::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn each_version_is_built_once_and_a_new_version_replaces_it() {
        let downloads = FullDownloads::default();
        let v1 = delta(1, r#"{"v":1}"#);
        let mut builds = 0;
        for _ in 0..3 {
            let prepared = downloads
                .get::<()>(&v1.cursor, || {
                    builds += 1;
                    Ok(v1.clone())
                })
                .unwrap();
            assert_eq!(prepared.body(Encoding::Identity), r#"{"v":1}"#);
        }
        assert_eq!(builds, 1);

        let v2 = delta(2, r#"{"v":2}"#);
        let prepared = downloads
            .get::<()>(&v2.cursor, || {
                builds += 1;
                Ok(v2.clone())
            })
            .unwrap();
        assert_eq!(builds, 2);
        assert_eq!(prepared.body(Encoding::Identity), r#"{"v":2}"#);

        let failed = downloads.get(&v1.cursor, || Err("database gone"));
        assert_eq!(failed.unwrap_err(), "database gone");
    }

    #[test]
    fn compressed_bodies_decompress_to_the_json() {
        let json = r#"{"procedures":["Đăng ký khai sinh"]}"#.repeat(500);
        let prepared = PreparedCatalog::new(delta(1, &json));

        let brotli = prepared.body(Encoding::Brotli);
        let mut unpacked = String::new();
        brotli::Decompressor::new(&brotli[..], 4096)
            .read_to_string(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, json);
        assert!(brotli.len() < json.len() / 10);

        let gzip = prepared.body(Encoding::Gzip);
        let mut unpacked = String::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_string(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, json);
        // The same bytes again, not a second compression.
        assert_eq!(prepared.body(Encoding::Gzip).as_ptr(), gzip.as_ptr());
    }
}
