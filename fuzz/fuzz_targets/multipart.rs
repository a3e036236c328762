//! The streaming `multipart/form-data` reader of phone uploads
//! (`motcua_central::submission::multipart`), fed a body as pieces of fuzzer-chosen sizes (empty
//! pieces too), as the request body arrives from the network.
//!
//! Two kinds of input, chosen by the first byte: a raw body under a fuzzed boundary, with a few
//! runs of one repeated byte spliced in (so that inputs of a few KiB reach past the reader's
//! 8 KiB header limit and its memory bound); or a body the target builds from fuzzed parts
//! (names, file names, contents, preamble, transport padding, epilogue).
//!
//! Asserts: the answer is the same whether the body arrives whole or in pieces; with a body
//! limit, the answer is "too large" (and only after more than the limit was read) or the same as
//! without it, and never "too large" for a body within the limit; data chunks are never empty;
//! the reader holds at most `MAX_PART_HEADERS` bytes before it asks for the next piece (its own
//! `debug_assert!`, on in fuzzing builds); a built body reads back as exactly its parts. No
//! panic, and no hang (libFuzzer's -timeout).

#![no_main]

use std::future::Future;
use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use libfuzzer_sys::arbitrary::{Result as ArbitraryResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use motcua_central::submission::multipart::{Multipart, MultipartError, PartHeaders, Source};

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
});

/// Characters RFC 2046 allows in a boundary (a space, but not last).
const BCHARS: &[u8] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";

/// Longest run of one byte spliced into a body.
const MAX_RUN: usize = 20_000;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let _ = run(&mut u);
});

fn run(u: &mut Unstructured) -> ArbitraryResult<()> {
    let built = u.arbitrary::<bool>()?;
    let cuts = cuts(u)?;
    let limit_fraction = u.arbitrary::<u8>()?;
    let boundary = boundary(u)?;
    let (body, expected) = if built {
        let (body, parts) = build(u, &boundary)?;
        (body, Some(parts))
    } else {
        (raw_body(u)?, None)
    };

    let whole = read(&body, &boundary, &[body.len().max(1)], u64::MAX);
    let pieces = read(&body, &boundary, &cuts, u64::MAX);
    assert_eq!(
        whole.answer, pieces.answer,
        "whole and in pieces of {cuts:?} differ"
    );
    if let Some(expected) = expected {
        match &whole.answer {
            Ok(parts) => assert_eq!(parts, &expected, "a built body reads back as its parts"),
            Err(e) => panic!("a built body is refused: {e}"),
        }
    }

    // A limit somewhere between 0 and a little over the body's length.
    let limit = (body.len() as u64 + 16) * u64::from(limit_fraction) / 255;
    let limited = read(&body, &boundary, &cuts, limit);
    match &limited.answer {
        Err(e) if e == &format!("{:?}", MultipartError::TooLarge) => {
            assert!(
                limit < body.len() as u64,
                "a body within the limit is too large"
            );
            assert!(
                limited.read > limit,
                "too large after {} bytes",
                limited.read
            );
        }
        answer => {
            assert_eq!(
                answer, &whole.answer,
                "the limit {limit} changed the answer"
            );
            assert!(limited.read <= limit);
        }
    }
    Ok(())
}

/// Piece sizes, used in turn until the body is delivered; 0 is an empty piece.
fn cuts(u: &mut Unstructured) -> ArbitraryResult<Vec<usize>> {
    let count = u.int_in_range(1..=6)?;
    let mut cuts = Vec::with_capacity(count);
    for _ in 0..count {
        cuts.push(usize::from(u.int_in_range(0u16..=600)?));
    }
    if cuts.iter().all(|&c| c == 0) {
        cuts.push(1);
    }
    Ok(cuts)
}

fn boundary(u: &mut Unstructured) -> ArbitraryResult<String> {
    let len = u.int_in_range(1..=70)?;
    let mut boundary = String::with_capacity(len);
    for i in 0..len {
        let mut c = BCHARS[usize::from(u.arbitrary::<u8>()?) % BCHARS.len()];
        if c == b' ' && i + 1 == len {
            c = b'_';
        }
        boundary.push(char::from(c));
    }
    Ok(boundary)
}

/// The rest of the input, with up to two runs of one byte spliced in.
fn raw_body(u: &mut Unstructured) -> ArbitraryResult<Vec<u8>> {
    let mut runs = Vec::new();
    for _ in 0..u.int_in_range(0..=2)? {
        let at = usize::from(u.arbitrary::<u16>()?);
        let byte = u.arbitrary::<u8>()?;
        let len = u.int_in_range(0..=MAX_RUN)?;
        runs.push((at, byte, len));
    }
    let mut body = u.bytes(u.len())?.to_vec();
    for (at, byte, len) in runs {
        let at = at.min(body.len());
        body.splice(at..at, std::iter::repeat_n(byte, len));
    }
    Ok(body)
}

fn text(u: &mut Unstructured) -> ArbitraryResult<String> {
    let text: String = u.arbitrary()?;
    Ok(text.replace(['\r', '\n'], "").trim().to_owned())
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn padding(u: &mut Unstructured) -> ArbitraryResult<Vec<u8>> {
    let mut pad = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        pad.push(if u.arbitrary()? { b' ' } else { b'\t' });
    }
    Ok(pad)
}

/// A body of fuzzed parts, as a browser's form would send it, and the parts it holds. When a
/// delimiter turns up anywhere else than where it was put (inside a part's content, say), the
/// parts cannot be expected back: the input is not used.
fn build(
    u: &mut Unstructured,
    boundary: &str,
) -> ArbitraryResult<(Vec<u8>, Vec<(PartHeaders, Vec<u8>)>)> {
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    // Where each `--boundary` starts in the body: where its whole delimiter (with the line break
    // before it) starts in "\r\n" + body, which is how the reader sees a body.
    let mut placed = Vec::new();
    let mut body = Vec::new();
    let preamble: Vec<u8> = u.arbitrary()?;
    if !preamble.is_empty() {
        body.extend_from_slice(&preamble);
        body.extend_from_slice(b"\r\n");
    }
    let mut parts = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        placed.push(body.len());
        body.extend_from_slice(&delimiter[2..]);
        body.extend_from_slice(&padding(u)?);
        body.extend_from_slice(b"\r\n");
        let mut headers = PartHeaders::default();
        match u.int_in_range(0..=2)? {
            0 => {}
            kind => {
                let name = text(u)?;
                let mut line = format!("Content-Disposition: form-data; name={}", quoted(&name));
                headers.name = Some(name);
                if kind == 2 {
                    let filename = text(u)?;
                    line.push_str(&format!("; filename={}", quoted(&filename)));
                    headers.filename = Some(filename);
                }
                body.extend_from_slice(line.as_bytes());
                body.extend_from_slice(b"\r\n");
                if u.arbitrary()? {
                    body.extend_from_slice(b"Content-Type: image/jpeg\r\n");
                }
            }
        }
        body.extend_from_slice(b"\r\n");
        let mut content: Vec<u8> = u.arbitrary()?;
        if u.arbitrary()? {
            let byte = u.arbitrary::<u8>()?;
            let len = u.int_in_range(0..=MAX_RUN)?;
            content.extend(std::iter::repeat_n(byte, len));
        }
        body.extend_from_slice(&content);
        body.extend_from_slice(b"\r\n");
        parts.push((headers, content));
    }
    // Every part ends with a line break, and so does a preamble: what is left is `--boundary--`.
    placed.push(body.len());
    body.extend_from_slice(&delimiter[2..]);
    body.extend_from_slice(b"--");
    let close_end = body.len();
    let epilogue: Vec<u8> = u.arbitrary()?;
    body.extend_from_slice(&epilogue);

    // The reader stops at the close delimiter: only delimiters before it matter.
    let mut seen = b"\r\n".to_vec();
    seen.extend_from_slice(&body[..close_end]);
    let found: Vec<usize> = seen
        .windows(delimiter.len())
        .enumerate()
        .filter(|(_, w)| *w == delimiter.as_slice())
        .map(|(at, _)| at)
        .collect();
    if found != placed {
        return Err(libfuzzer_sys::arbitrary::Error::IncorrectFormat);
    }
    Ok((body, parts))
}

struct Answer {
    answer: Result<Vec<(PartHeaders, Vec<u8>)>, String>,
    /// Bytes the reader took from the source.
    read: u64,
}

/// The body in pieces of the given sizes, in turn.
struct Pieces {
    body: Bytes,
    at: usize,
    cuts: Vec<usize>,
    next: usize,
    read: Arc<AtomicU64>,
}

impl Source for Pieces {
    fn next_piece(&mut self) -> impl Future<Output = Option<Result<Bytes, axum::Error>>> + Send {
        let piece = (self.at < self.body.len()).then(|| {
            let len = self.cuts[self.next % self.cuts.len()];
            self.next += 1;
            let end = (self.at + len).min(self.body.len());
            let piece = self.body.slice(self.at..end);
            self.at = end;
            self.read.fetch_add(piece.len() as u64, Ordering::Relaxed);
            Ok(piece)
        });
        async move { piece }
    }
}

fn read(body: &[u8], boundary: &str, cuts: &[usize], limit: u64) -> Answer {
    let counter = Arc::new(AtomicU64::new(0));
    let source = Pieces {
        body: Bytes::copy_from_slice(body),
        at: 0,
        cuts: cuts.to_vec(),
        next: 0,
        read: counter.clone(),
    };
    let delimiter_len = boundary.len() + 4;
    let answer = RUNTIME.block_on(async {
        let mut reader = Multipart::new(source, boundary, limit);
        let mut parts = Vec::new();
        while let Some(headers) = reader.next_part().await.map_err(|e| format!("{e:?}"))? {
            // Each part takes at least a delimiter and a line break.
            assert!(
                parts.len() <= body.len() / delimiter_len,
                "more parts than the body holds"
            );
            let mut data = Vec::new();
            while let Some(chunk) = reader.chunk().await.map_err(|e| format!("{e:?}"))? {
                assert!(!chunk.is_empty(), "an empty chunk");
                data.extend_from_slice(&chunk);
            }
            assert!(data.len() <= body.len());
            parts.push((headers, data));
        }
        Ok(parts)
    });
    Answer {
        answer,
        read: counter.load(Ordering::Relaxed),
    }
}
