//! A small streaming `multipart/form-data` reader (RFC 7578) for the phone upload form: parts are
//! read piece by piece as the body arrives, so a 100 MB photo never sits in memory. Only what a
//! browser's plain file form sends is needed: `Content-Disposition` with `name` and `filename`.

use std::future::Future;

use axum::body::{Body, Bytes};

use super::upload::next_chunk;

/// Longest header block of one part, with the blank line that ends it. Also the most the reader
/// holds in memory before it reads the next piece of the body.
pub const MAX_PART_HEADERS: usize = 8 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum MultipartError {
    #[error("malformed multipart body: {0}")]
    Malformed(&'static str),
    #[error("the request body is larger than allowed")]
    TooLarge,
    #[error("the request body broke off")]
    Broken,
}

/// Where the bytes come from: the request body, or a list of pieces in tests.
pub trait Source: Send {
    fn next_piece(&mut self) -> impl Future<Output = Option<Result<Bytes, axum::Error>>> + Send;
}

impl Source for Body {
    fn next_piece(&mut self) -> impl Future<Output = Option<Result<Bytes, axum::Error>>> + Send {
        next_chunk(self)
    }
}

/// A part's headers that matter here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartHeaders {
    pub name: Option<String>,
    /// As the browser sent it; empty when no file was chosen.
    pub filename: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Preamble,
    AfterDelimiter,
    Headers,
    Body,
    Done,
}

pub struct Multipart<S> {
    source: S,
    /// `\r\n--<boundary>`
    delimiter: Vec<u8>,
    buf: Vec<u8>,
    state: State,
    /// In `Headers`: how much of `buf` is known not to hold the blank line, so each new piece is
    /// searched once, not the whole block again.
    headers_searched: usize,
    eof: bool,
    read: u64,
    limit: u64,
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let value = params.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })?;
    let valid = (1..=70).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && !value.ends_with(' ');
    valid.then_some(value)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `form-data; name="file"; filename="a.jpg"` → name and filename.
fn disposition(value: &str, headers: &mut PartHeaders) {
    let mut params = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if quoted && c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == ';' && !quoted {
            params.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    params.push(current);
    for param in params.iter().skip(1) {
        if let Some((key, value)) = param.split_once('=') {
            match key.trim().to_ascii_lowercase().as_str() {
                "name" => headers.name = Some(value.trim().to_owned()),
                "filename" => headers.filename = Some(value.trim().to_owned()),
                _ => {}
            }
        }
    }
}

fn parse_headers(block: &[u8]) -> PartHeaders {
    let mut headers = PartHeaders::default();
    let text = String::from_utf8_lossy(block);
    for line in text.split("\r\n") {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-disposition")
        {
            disposition(value, &mut headers);
        }
    }
    headers
}

impl<S: Source> Multipart<S> {
    /// `limit`: the most bytes the whole body may have.
    pub fn new(source: S, boundary: &str, limit: u64) -> Self {
        let mut delimiter = b"\r\n--".to_vec();
        delimiter.extend_from_slice(boundary.as_bytes());
        Self {
            source,
            delimiter,
            // The first delimiter may open the body, without the line break before it.
            buf: b"\r\n".to_vec(),
            state: State::Preamble,
            headers_searched: 0,
            eof: false,
            read: 0,
            limit,
        }
    }

    /// Reads one more piece into the buffer; false at the end of the body.
    async fn fill(&mut self) -> Result<bool, MultipartError> {
        if self.eof {
            return Ok(false);
        }
        // Every state keeps at most this much before it asks for more (see each state), so a
        // body cannot make the reader hold more than this and one piece.
        debug_assert!(
            self.buf.len() <= MAX_PART_HEADERS,
            "{} bytes held",
            self.buf.len()
        );
        match self.source.next_piece().await {
            None => {
                self.eof = true;
                Ok(false)
            }
            Some(Err(_)) => Err(MultipartError::Broken),
            Some(Ok(piece)) => {
                self.read += piece.len() as u64;
                if self.read > self.limit {
                    return Err(MultipartError::TooLarge);
                }
                self.buf.extend_from_slice(&piece);
                Ok(true)
            }
        }
    }

    /// Moves to the next part, skipping what is left of the current one; `None` after the last.
    pub async fn next_part(&mut self) -> Result<Option<PartHeaders>, MultipartError> {
        while self.state == State::Body {
            self.chunk().await?;
        }
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Body => return Err(MultipartError::Malformed("reader state")),
                State::Preamble => match find(&self.buf, &self.delimiter) {
                    Some(at) => {
                        self.buf.drain(..at + self.delimiter.len());
                        self.state = State::AfterDelimiter;
                    }
                    None => {
                        let keep = self.delimiter.len() - 1;
                        if self.buf.len() > keep {
                            self.buf.drain(..self.buf.len() - keep);
                        }
                        if !self.fill().await? {
                            return Err(MultipartError::Malformed("no boundary"));
                        }
                    }
                },
                State::AfterDelimiter => {
                    // Transport padding (spaces, tabs) may follow a delimiter. It is dropped as it
                    // arrives: kept, a body of spaces would fill memory up to the body limit and be
                    // counted again after every piece.
                    let padding = self
                        .buf
                        .iter()
                        .take_while(|b| matches!(b, b' ' | b'\t'))
                        .count();
                    self.buf.drain(..padding);
                    if self.buf.len() < 2 {
                        if !self.fill().await? {
                            return Err(MultipartError::Malformed("ended after a boundary"));
                        }
                        continue;
                    }
                    match &self.buf[..2] {
                        b"--" => {
                            self.state = State::Done;
                            self.buf.clear();
                        }
                        b"\r\n" => {
                            self.buf.drain(..2);
                            self.state = State::Headers;
                            self.headers_searched = 0;
                        }
                        _ => return Err(MultipartError::Malformed("bad boundary line")),
                    }
                }
                State::Headers => {
                    let end = if self.buf.starts_with(b"\r\n") {
                        Some((0, 2))
                    } else {
                        // The blank line may have begun in the bytes searched before.
                        let from = self.headers_searched.saturating_sub(3);
                        find(&self.buf[from..], b"\r\n\r\n").map(|at| (from + at, from + at + 4))
                    };
                    match end {
                        // Judged by where the block ends, not by how much of the body had arrived
                        // when it was found, so the answer does not depend on how the body was cut
                        // into pieces.
                        Some((_, consumed)) if consumed > MAX_PART_HEADERS => {
                            return Err(MultipartError::Malformed("part headers too long"));
                        }
                        Some((block_end, consumed)) => {
                            let headers = parse_headers(&self.buf[..block_end]);
                            self.buf.drain(..consumed);
                            self.state = State::Body;
                            return Ok(Some(headers));
                        }
                        None if self.buf.len() > MAX_PART_HEADERS => {
                            return Err(MultipartError::Malformed("part headers too long"));
                        }
                        None => {
                            self.headers_searched = self.buf.len();
                            if !self.fill().await? {
                                return Err(MultipartError::Malformed("ended in part headers"));
                            }
                        }
                    }
                }
            }
        }
    }

    /// The next bytes of the current part; `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>, MultipartError> {
        loop {
            if self.state != State::Body {
                return Ok(None);
            }
            if let Some(at) = find(&self.buf, &self.delimiter) {
                let data: Vec<u8> = self.buf.drain(..at).collect();
                self.buf.drain(..self.delimiter.len());
                self.state = State::AfterDelimiter;
                return Ok((!data.is_empty()).then_some(data));
            }
            // Everything but a tail that could be the start of the delimiter is part data.
            let keep = self.delimiter.len() - 1;
            if self.buf.len() > keep {
                let data: Vec<u8> = self.buf.drain(..self.buf.len() - keep).collect();
                return Ok(Some(data));
            }
            if !self.fill().await? {
                return Err(MultipartError::Malformed("ended inside a part"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    struct Pieces(VecDeque<Bytes>);

    impl Source for Pieces {
        fn next_piece(
            &mut self,
        ) -> impl Future<Output = Option<Result<Bytes, axum::Error>>> + Send {
            let piece = self.0.pop_front().map(Ok);
            async move { piece }
        }
    }

    fn body(boundary: &str) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(b"Content-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n");
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            b"Content-Disposition: form-data; name=\"file\"; filename=\"a;b \\\"1\\\".jpg\"\r\nContent-Type: image/jpeg\r\n\r\n",
        );
        body.extend_from_slice(b"\xFF\xD8\xFF\xE0\r\n--almost\r\n");
        body.extend_from_slice(&[7u8; 3000]);
        body.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            b"Content-Disposition: form-data; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n",
        );
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        body
    }

    async fn read_all(
        pieces: Vec<Vec<u8>>,
        boundary: &str,
    ) -> Result<Vec<(PartHeaders, Vec<u8>)>, MultipartError> {
        let source = Pieces(pieces.into_iter().map(Bytes::from).collect());
        let mut reader = Multipart::new(source, boundary, 1 << 20);
        let mut parts = Vec::new();
        while let Some(headers) = reader.next_part().await? {
            let mut data = Vec::new();
            while let Some(chunk) = reader.chunk().await? {
                data.extend_from_slice(&chunk);
            }
            parts.push((headers, data));
        }
        Ok(parts)
    }

    #[tokio::test]
    async fn parts_are_read_whatever_the_piece_boundaries() {
        let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
        let whole = body(boundary);
        for piece in [1, 2, 3, 7, 41, 100, 4096, whole.len()] {
            let pieces: Vec<Vec<u8>> = whole.chunks(piece).map(<[u8]>::to_vec).collect();
            let parts = read_all(pieces, boundary).await.unwrap();
            assert_eq!(parts.len(), 3, "piece size {piece}");
            assert_eq!(parts[0].0.name.as_deref(), Some("note"));
            assert_eq!(parts[0].1, b"hi");
            assert_eq!(parts[1].0.filename.as_deref(), Some("a;b \"1\".jpg"));
            let mut expected = b"\xFF\xD8\xFF\xE0\r\n--almost\r\n".to_vec();
            expected.extend_from_slice(&[7u8; 3000]);
            assert_eq!(parts[1].1, expected, "piece size {piece}");
            assert_eq!(parts[2].0.filename.as_deref(), Some(""));
            assert!(parts[2].1.is_empty());
        }
    }

    #[tokio::test]
    async fn truncated_and_oversized_bodies_are_refused() {
        let boundary = "xyz";
        let whole = body(boundary);
        let cut = whole[..whole.len() / 2].to_vec();
        assert!(matches!(
            read_all(vec![cut], boundary).await,
            Err(MultipartError::Malformed(_))
        ));
        let source = Pieces(VecDeque::from([Bytes::from(whole)]));
        let mut reader = Multipart::new(source, boundary, 100);
        assert!(matches!(
            reader.next_part().await,
            Err(MultipartError::TooLarge)
        ));
        assert!(matches!(
            read_all(vec![b"no boundary here".to_vec()], boundary).await,
            Err(MultipartError::Malformed("no boundary"))
        ));
    }

    /// Found while writing the `multipart` fuzz target's memory bound: the padding after a delimiter was
    /// kept until the line ended, so a body of spaces grew the buffer up to the body limit
    /// (`max_submission_bytes`, 500 MiB by default) and was counted again after every piece.
    #[tokio::test]
    async fn padding_after_a_boundary_is_dropped_as_it_arrives() {
        let spaces = || (0..512).map(|_| vec![b' '; 1024]);
        let mut pieces: Vec<Vec<u8>> = vec![b"--xyz".to_vec()];
        pieces.extend(spaces());
        let source = Pieces(pieces.into_iter().map(Bytes::from).collect());
        let mut reader = Multipart::new(source, "xyz", 1 << 21);
        assert!(matches!(
            reader.next_part().await,
            Err(MultipartError::Malformed("ended after a boundary"))
        ));
        assert!(reader.buf.len() < 2, "{} bytes held", reader.buf.len());

        let mut pieces: Vec<Vec<u8>> = vec![b"--xyz\t".to_vec()];
        pieces.extend(spaces());
        pieces
            .push(b"\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhi\r\n--xyz--".to_vec());
        let parts = read_all(pieces, "xyz").await.unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].0.name.as_deref(), Some("a"));
        assert_eq!(parts[0].1, b"hi");
    }

    /// Found while writing the `multipart` fuzz target's whole-vs-pieces check: a header block just over the
    /// limit was refused when the body came in pieces but accepted when it came whole.
    #[tokio::test]
    async fn the_header_limit_does_not_depend_on_how_the_body_is_cut() {
        for (block, accepted) in [(MAX_PART_HEADERS, true), (MAX_PART_HEADERS + 1, false)] {
            let head = b"Content-Disposition: form-data; name=\"a\"\r\nX-Pad: ";
            let mut body = b"--b\r\n".to_vec();
            body.extend_from_slice(head);
            body.resize(body.len() + block - head.len() - 4, b'p');
            body.extend_from_slice(b"\r\n\r\nhi\r\n--b--\r\n");
            for piece in [body.len(), 1000, 1] {
                let pieces = body.chunks(piece).map(<[u8]>::to_vec).collect();
                match read_all(pieces, "b").await {
                    Ok(parts) => {
                        assert!(accepted, "block of {block} bytes, pieces of {piece}");
                        assert_eq!(parts[0].1, b"hi");
                    }
                    Err(MultipartError::Malformed("part headers too long")) => {
                        assert!(!accepted, "block of {block} bytes, pieces of {piece}");
                    }
                    Err(e) => panic!("block of {block} bytes, pieces of {piece}: {e}"),
                }
            }
        }
    }

    #[test]
    fn boundaries_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=----abc").as_deref(),
            Some("----abc")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("application/json; boundary=x"), None);
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={}", "x".repeat(71))),
            None
        );
    }
}
