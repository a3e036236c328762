//! Barcode scanners in serial mode (USB CDC, `/dev/ttyACM0`): each scan is a line of bytes ending
//! in CR and/or LF. A reader thread opens the device in raw mode, splits lines, and hands each
//! one over; it reopens the device when it is unplugged and plugged back.

use std::io::Read;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Longest line kept; the rest of a longer line is dropped and the line flagged as truncated.
pub const MAX_LINE: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

/// Splits a byte stream into lines on CR, LF or CRLF; empty lines are dropped.
#[derive(Debug, Default)]
pub struct LineSplitter {
    current: Vec<u8>,
    truncated: bool,
}

impl LineSplitter {
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Line> {
        let mut lines = Vec::new();
        for &b in bytes {
            if b == b'\r' || b == b'\n' {
                if !self.current.is_empty() || self.truncated {
                    lines.push(Line {
                        bytes: std::mem::take(&mut self.current),
                        truncated: std::mem::take(&mut self.truncated),
                    });
                }
            } else if self.current.len() < MAX_LINE {
                self.current.push(b);
            } else {
                self.truncated = true;
            }
        }
        lines
    }
}

/// Stops the reader thread when dropped.
pub struct SerialScanner {
    stop: Arc<AtomicBool>,
}

impl Drop for SerialScanner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads scans from `device` on a thread of its own, calling `on_line` for each.
pub fn spawn_serial_scanner(
    device: PathBuf,
    on_line: impl Fn(Line) + Send + 'static,
) -> std::io::Result<SerialScanner> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::Builder::new()
        .name("serial-scanner".into())
        .spawn(move || {
            let mut reported = false;
            while !flag.load(Ordering::SeqCst) {
                match read_device(&device, &flag, &on_line) {
                    Ok(()) => return,
                    Err(e) => {
                        // Logged once per outage, not every retry.
                        if !reported {
                            tracing::warn!(
                                "barcode scanner {}: {e}; retrying until it is back",
                                device.display()
                            );
                            reported = true;
                        }
                    }
                }
                std::thread::sleep(Duration::from_secs(2));
            }
        })?;
    Ok(SerialScanner { stop })
}

fn read_device(
    device: &std::path::Path,
    stop: &AtomicBool,
    on_line: &impl Fn(Line),
) -> std::io::Result<()> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::unix::fs::OpenOptionsExt;

    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOCTTY)
        .open(device)?;
    make_raw(&file);
    tracing::info!("barcode scanner {} ready", device.display());
    let mut splitter = LineSplitter::default();
    let mut buffer = [0u8; 512];
    while !stop.load(Ordering::SeqCst) {
        let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::from(250u16)).map_err(std::io::Error::from)?;
        if ready == 0 {
            continue;
        }
        let revents = fds[0].revents().unwrap_or(PollFlags::empty());
        if revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL)
            && !revents.contains(PollFlags::POLLIN)
        {
            return Err(std::io::Error::other("device hung up"));
        }
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Err(std::io::Error::other("device closed"));
        }
        for line in splitter.push(&buffer[..n]) {
            on_line(line);
        }
    }
    Ok(())
}

/// Raw mode: no echo, no line editing, no CR/LF translation. Not a terminal (a FIFO in a test):
/// nothing to set.
fn make_raw(file: &std::fs::File) {
    use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};
    if let Ok(mut attrs) = tcgetattr(file) {
        cfmakeraw(&mut attrs);
        if let Err(e) = tcsetattr(file, SetArg::TCSANOW, &attrs) {
            tracing::warn!("cannot set the barcode scanner to raw mode: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_cr_lf_and_crlf() {
        let mut s = LineSplitter::default();
        assert!(s.push(b"G09.20-2026").is_empty());
        let lines = s.push(b"0609-1\r\nH45-20261101-2\rX\n\n");
        let texts: Vec<&[u8]> = lines.iter().map(|l| l.bytes.as_slice()).collect();
        assert_eq!(
            texts,
            vec![b"G09.20-20260609-1".as_slice(), b"H45-20261101-2", b"X"]
        );
        let long = vec![b'a'; MAX_LINE + 10];
        s.push(&long);
        let lines = s.push(b"\n");
        assert_eq!(lines.len(), 1);
        assert!(lines[0].truncated);
        assert_eq!(lines[0].bytes.len(), MAX_LINE);
    }
}
