//! Sending a receipt to the configured printer: an ESC/POS thermal printer on the network (raw
//! TCP, port 9100) or on USB (`/dev/usb/lp0`), or an ordinary printer through CUPS `lp` (the A5
//! PDF). Every function here blocks (at most a few seconds): call it from a worker thread, never
//! from the UI thread.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use serde::{Deserialize, Serialize};

use super::escpos::{self, EscPosOptions, PAPER_STATUS_QUERY, PaperStatus, paper_status};
use super::layout::ReceiptContent;
use super::pdf::render_pdf;
use super::raster::{WIDTH_58MM, WIDTH_80MM};

/// How long to try reaching a network printer.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long to wait for the answer to the paper status query; printers that do not answer are
/// printed to all the same.
pub const STATUS_TIMEOUT: Duration = Duration::from_millis(500);
/// How long the printer may take to accept the whole receipt.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long to wait for `lp` to hand the PDF to CUPS.
pub const LP_TIMEOUT: Duration = Duration::from_secs(15);
/// After sending, how long to wait for a network printer to close the connection.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrinterKind {
    /// No printer: the receipt is only shown on screen.
    #[default]
    None,
    /// ESC/POS over raw TCP (`address`, port 9100 unless given).
    Network,
    /// ESC/POS to a USB printer's device file (`device`).
    Usb,
    /// The A5 PDF through CUPS `lp` (`queue`, else the default destination).
    Cups,
}

/// `[printer]` in the kiosk configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrinterConfig {
    pub kind: PrinterKind,
    /// For `network`: `host:port`, e.g. `192.168.1.50:9100` (the port defaults to 9100).
    pub address: Option<String>,
    /// For `usb`: the printer's device file, e.g. `/dev/usb/lp0`.
    pub device: Option<PathBuf>,
    /// For `cups`: the CUPS queue (`lp -d QUEUE`); absent: the system's default printer.
    pub queue: Option<String>,
    /// For `cups`: the program run with the PDF's path as its last argument.
    pub lp_command: String,
    /// For `network` and `usb`: printable width in dots, 576 for 80 mm paper, 384 for 58 mm.
    pub paper_width_dots: u32,
    /// For `network` and `usb`: let the printer draw the status QR code itself (`GS ( k`);
    /// `false` for printers without QR support (the code is then part of the picture).
    pub native_qr: bool,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        Self {
            kind: PrinterKind::None,
            address: None,
            device: None,
            queue: None,
            lp_command: "lp".to_owned(),
            paper_width_dots: WIDTH_80MM,
            native_qr: true,
        }
    }
}

/// `host:port` or `host` (port 9100), IPv6 in brackets.
pub fn parse_address(address: &str) -> Result<(String, u16), String> {
    let address = address.trim();
    if address.is_empty() || address.contains(char::is_whitespace) {
        return Err(format!("{address:?} is not host:port"));
    }
    let (host, port) = if let Some(rest) = address.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("{address:?}: unclosed '['"))?;
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| format!("{address:?} is not [host]:port"))?,
                ),
            ),
        }
    } else {
        match address.split_once(':') {
            Some((host, port)) if !port.contains(':') => (host, Some(port)),
            Some(_) => return Err(format!("{address:?}: write IPv6 addresses as [addr]:port")),
            None => (address, None),
        }
    };
    if host.is_empty() || host.contains('/') {
        return Err(format!("{address:?} has no host"));
    }
    let port = match port {
        None => 9100,
        Some(port) => match port.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => return Err(format!("{address:?}: port must be 1–65535")),
        },
    };
    Ok((host.to_owned(), port))
}

impl PrinterConfig {
    /// Checks the keys the chosen kind needs; messages name the key (`printer.address: …`).
    pub fn validate(&self) -> Result<(), String> {
        if !self.paper_width_dots.is_multiple_of(8)
            || !(128..=1024).contains(&self.paper_width_dots)
        {
            return Err(format!(
                "printer.paper_width_dots: {} must be a multiple of 8 from 128 to 1024 \
                 ({WIDTH_80MM} for 80 mm paper, {WIDTH_58MM} for 58 mm)",
                self.paper_width_dots
            ));
        }
        match self.kind {
            PrinterKind::None => {}
            PrinterKind::Network => {
                let address = self.address.as_deref().ok_or(
                    "printer.address: required for kind = \"network\", e.g. \"192.168.1.50:9100\"",
                )?;
                parse_address(address).map_err(|e| format!("printer.address: {e}"))?;
            }
            PrinterKind::Usb => {
                let device = self
                    .device
                    .as_deref()
                    .ok_or("printer.device: required for kind = \"usb\", e.g. \"/dev/usb/lp0\"")?;
                if !device.is_absolute() {
                    return Err(format!(
                        "printer.device: {} must be an absolute path",
                        device.display()
                    ));
                }
            }
            PrinterKind::Cups => {
                if self.lp_command.trim().is_empty() {
                    return Err("printer.lp_command: must not be empty".to_owned());
                }
                if let Some(queue) = &self.queue
                    && (queue.is_empty()
                        || queue.starts_with('-')
                        || queue.contains(|c: char| c.is_whitespace() || c == '/' || c == '#'))
                {
                    return Err(format!("printer.queue: {queue:?} is not a CUPS queue name"));
                }
            }
        }
        Ok(())
    }

    /// Whether receipts can be printed at all.
    pub fn is_configured(&self) -> bool {
        self.kind != PrinterKind::None
    }

    /// For staff and logs: "network printer 192.168.1.50:9100".
    pub fn describe(&self) -> String {
        match self.kind {
            PrinterKind::None => "no printer".to_owned(),
            PrinterKind::Network => {
                format!("network printer {}", self.address.as_deref().unwrap_or("?"))
            }
            PrinterKind::Usb => format!(
                "USB printer {}",
                self.device
                    .as_deref()
                    .map_or("?".into(), |d| d.display().to_string())
            ),
            PrinterKind::Cups => format!(
                "CUPS queue {}",
                self.queue.as_deref().unwrap_or("(default)")
            ),
        }
    }

    pub fn escpos_options(&self) -> EscPosOptions {
        EscPosOptions {
            width_dots: self.paper_width_dots,
            native_status_qr: self.native_qr,
        }
    }
}

/// What the screen tells the visitor, by [`PrintError::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintErrorKind {
    NotConfigured,
    /// Off, unplugged, unreachable.
    Offline,
    OutOfPaper,
    Failed,
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("no receipt printer is configured")]
    NotConfigured,
    #[error("the printer ({printer}) cannot be reached: {reason}")]
    Offline { printer: String, reason: String },
    #[error("the printer ({printer}) is out of paper")]
    OutOfPaper { printer: String },
    #[error("printing failed: {0}")]
    Failed(String),
}

impl PrintError {
    pub fn kind(&self) -> PrintErrorKind {
        match self {
            PrintError::NotConfigured => PrintErrorKind::NotConfigured,
            PrintError::Offline { .. } => PrintErrorKind::Offline,
            PrintError::OutOfPaper { .. } => PrintErrorKind::OutOfPaper,
            PrintError::Failed(_) => PrintErrorKind::Failed,
        }
    }
}

/// Prints `content` on the configured printer. Blocks: at most [`CONNECT_TIMEOUT`] to reach a
/// network printer, [`STATUS_TIMEOUT`] for its paper sensor, then the time to send.
pub fn print(content: &ReceiptContent, config: &PrinterConfig) -> Result<(), PrintError> {
    match config.kind {
        PrinterKind::None => Err(PrintError::NotConfigured),
        PrinterKind::Network | PrinterKind::Usb => {
            let bytes = escpos::encode(content, &config.escpos_options());
            send_escpos(&bytes, config)
        }
        PrinterKind::Cups => print_pdf(&render_pdf(content), config),
    }
}

/// Sends a ready ESC/POS stream to the configured network or USB printer, after checking its
/// paper.
pub fn send_escpos(bytes: &[u8], config: &PrinterConfig) -> Result<(), PrintError> {
    let printer = config.describe();
    match config.kind {
        PrinterKind::Network => {
            let address = config.address.as_deref().ok_or(PrintError::NotConfigured)?;
            send_network(address, bytes, &printer)
        }
        PrinterKind::Usb => {
            let device = config.device.as_deref().ok_or(PrintError::NotConfigured)?;
            send_usb(device, bytes, &printer)
        }
        PrinterKind::None | PrinterKind::Cups => Err(PrintError::Failed(format!(
            "{printer} does not take ESC/POS"
        ))),
    }
}

/// The first valid paper status among the bytes a printer sent back.
fn status_in(bytes: &[u8]) -> Option<PaperStatus> {
    bytes.iter().find_map(|b| paper_status(*b))
}

fn check_paper(status: Option<PaperStatus>, printer: &str) -> Result<(), PrintError> {
    match status {
        Some(status) if status.out => Err(PrintError::OutOfPaper {
            printer: printer.to_owned(),
        }),
        Some(status) => {
            if status.near_end {
                tracing::warn!("{printer}: the paper roll is nearly used up");
            }
            Ok(())
        }
        None => {
            tracing::debug!("{printer}: no paper status answer; printing anyway");
            Ok(())
        }
    }
}

fn send_network(address: &str, bytes: &[u8], printer: &str) -> Result<(), PrintError> {
    let offline = |reason: String| PrintError::Offline {
        printer: printer.to_owned(),
        reason,
    };
    let (host, port) = parse_address(address).map_err(offline)?;
    let targets: Vec<SocketAddr> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| offline(format!("cannot resolve {host}: {e}")))?
        .collect();
    let mut last_error = format!("{host} has no address");
    let mut stream = None;
    for target in targets {
        match TcpStream::connect_timeout(&target, CONNECT_TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_error = format!("{target}: {e}"),
        }
    }
    let mut stream = stream.ok_or_else(|| offline(last_error))?;
    let _ = stream.set_nodelay(true);
    let io_failed = |e: std::io::Error| match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => PrintError::Failed(format!(
            "{printer} stopped taking data (out of paper or cover open?)"
        )),
        ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::ConnectionAborted => {
            offline(format!("connection lost: {e}"))
        }
        _ => PrintError::Failed(format!("{printer}: {e}")),
    };

    stream
        .set_write_timeout(Some(WRITE_TIMEOUT))
        .map_err(io_failed)?;
    stream.write_all(&PAPER_STATUS_QUERY).map_err(io_failed)?;
    let mut answer = Vec::new();
    let deadline = Instant::now() + STATUS_TIMEOUT;
    let mut buf = [0u8; 16];
    while status_in(&answer).is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        stream.set_read_timeout(Some(left)).map_err(io_failed)?;
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(io_failed(e)),
        }
    }
    check_paper(status_in(&answer), printer)?;

    stream.write_all(bytes).map_err(io_failed)?;
    stream.flush().map_err(io_failed)?;
    let _ = stream.shutdown(Shutdown::Write);
    // Read what the printer still says until it closes, so closing our end cannot reset the
    // connection (which may drop the data still in flight).
    let _ = stream.set_read_timeout(Some(DRAIN_TIMEOUT));
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    Ok(())
}

fn send_usb(device: &Path, bytes: &[u8], printer: &str) -> Result<(), PrintError> {
    let offline = |reason: String| PrintError::Offline {
        printer: printer.to_owned(),
        reason,
    };
    let open = |read: bool| {
        OpenOptions::new()
            .read(read)
            .write(true)
            .custom_flags(OFlag::O_NONBLOCK.bits())
            .open(device)
    };
    // Read to hear the paper sensor; printers that cannot talk back are written to only.
    let (mut file, readable) = match open(true) {
        Ok(file) => (file, true),
        Err(_) => match open(false) {
            Ok(file) => (file, false),
            Err(e) => {
                return Err(match (e.kind(), e.raw_os_error()) {
                    (ErrorKind::NotFound, _) => offline(format!(
                        "{} does not exist (unplugged or off?)",
                        device.display()
                    )),
                    (_, Some(code))
                        if code == Errno::ENODEV as i32 || code == Errno::ENXIO as i32 =>
                    {
                        offline(format!("{}: {e}", device.display()))
                    }
                    (ErrorKind::PermissionDenied, _) => PrintError::Failed(format!(
                        "no permission to write to {} (add the kiosk's user to the lp group)",
                        device.display()
                    )),
                    _ => PrintError::Failed(format!("{}: {e}", device.display())),
                });
            }
        },
    };
    write_with_deadline(&mut file, &PAPER_STATUS_QUERY, printer)?;
    let mut answer = Vec::new();
    if readable {
        let deadline = Instant::now() + STATUS_TIMEOUT;
        let mut buf = [0u8; 16];
        while status_in(&answer).is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::ZERO);
            let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, timeout) {
                Ok(0) => break,
                Ok(_) => {}
                Err(Errno::EINTR) => continue,
                Err(_) => break,
            }
            match file.read(&mut buf) {
                Ok(0) => break, // a plain file (tests), or nothing to say
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(
                    Duration::from_millis(20)
                        .min(deadline.saturating_duration_since(Instant::now())),
                ),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    }
    check_paper(status_in(&answer), printer)?;
    write_with_deadline(&mut file, bytes, printer)
}

/// Writes all of `bytes` to a non-blocking device within [`WRITE_TIMEOUT`].
fn write_with_deadline(
    file: &mut std::fs::File,
    bytes: &[u8],
    printer: &str,
) -> Result<(), PrintError> {
    let deadline = Instant::now() + WRITE_TIMEOUT;
    let mut written = 0;
    while written < bytes.len() {
        match file.write(&bytes[written..]) {
            Ok(0) => {
                return Err(PrintError::Failed(format!(
                    "{printer} accepts no more data"
                )));
            }
            Ok(n) => written += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(PrintError::Failed(format!(
                        "{printer} stopped taking data (out of paper or cover open?)"
                    )));
                }
                let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::ZERO);
                let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLOUT)];
                let _ = poll(&mut fds, timeout);
            }
            Err(e) => {
                // The usblp driver reports a printer out of paper as ENOSPC, an unplugged one
                // as ENODEV.
                return Err(match e.raw_os_error() {
                    Some(code) if code == Errno::ENOSPC as i32 => PrintError::OutOfPaper {
                        printer: printer.to_owned(),
                    },
                    Some(code) if code == Errno::ENODEV as i32 => PrintError::Offline {
                        printer: printer.to_owned(),
                        reason: e.to_string(),
                    },
                    _ => PrintError::Failed(format!("{printer}: {e}")),
                });
            }
        }
    }
    Ok(())
}

/// Hands `pdf` to CUPS: writes it to a temporary file and runs `lp [-d QUEUE] FILE`.
pub fn print_pdf(pdf: &[u8], config: &PrinterConfig) -> Result<(), PrintError> {
    let printer = config.describe();
    let mut file = tempfile::Builder::new()
        .prefix("motcua-receipt-")
        .suffix(".pdf")
        .tempfile()
        .map_err(|e| PrintError::Failed(format!("cannot write the PDF: {e}")))?;
    file.write_all(pdf)
        .and_then(|()| file.flush())
        .map_err(|e| PrintError::Failed(format!("cannot write the PDF: {e}")))?;

    let mut command = Command::new(&config.lp_command);
    if let Some(queue) = &config.queue {
        command.arg("-d").arg(queue);
    }
    command
        .arg(file.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // A script being written by another process (or thread) cannot be run for a moment.
    let mut spawned = command.spawn();
    for _ in 0..10 {
        match &spawned {
            Err(e) if e.raw_os_error() == Some(Errno::ETXTBSY as i32) => {
                std::thread::sleep(Duration::from_millis(50));
                spawned = command.spawn();
            }
            _ => break,
        }
    }
    let mut child = spawned.map_err(|e| {
        PrintError::Failed(if e.kind() == ErrorKind::NotFound {
            format!(
                "cannot run {:?}: not found (install the cups-client package)",
                config.lp_command
            )
        } else {
            format!("cannot run {:?}: {e}", config.lp_command)
        })
    })?;
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + LP_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PrintError::Offline {
                    printer,
                    reason: format!("{} did not finish within {LP_TIMEOUT:?}", config.lp_command),
                });
            }
            Err(e) => return Err(PrintError::Failed(format!("{}: {e}", config.lp_command))),
        }
    };
    let message = reader.join().unwrap_or_default();
    let message = message.trim();
    if status.success() {
        return Ok(());
    }
    let lower = message.to_lowercase();
    let unreachable = [
        "does not exist",
        "not accepting",
        "unable to connect",
        "no default destination",
        "scheduler is not running",
    ];
    if unreachable.iter().any(|m| lower.contains(m)) {
        Err(PrintError::Offline {
            printer,
            reason: message.to_owned(),
        })
    } else if message.is_empty() {
        Err(PrintError::Failed(format!(
            "{} exited with {status}",
            config.lp_command
        )))
    } else {
        Err(PrintError::Failed(format!(
            "{}: {message}",
            config.lp_command
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            parse_address("192.168.1.50:9100").unwrap(),
            ("192.168.1.50".into(), 9100)
        );
        assert_eq!(
            parse_address("printer.local").unwrap(),
            ("printer.local".into(), 9100)
        );
        assert_eq!(parse_address("[::1]:9101").unwrap(), ("::1".into(), 9101));
        assert_eq!(
            parse_address("[fe80::1]").unwrap(),
            ("fe80::1".into(), 9100)
        );
        for bad in [
            "",
            "host:",
            ":9100",
            "host:0",
            "host:99999",
            "a b:1",
            "::1",
            "[::1",
            "h:x",
        ] {
            assert!(parse_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn validation_names_the_key() {
        let network = |address: Option<&str>| PrinterConfig {
            kind: PrinterKind::Network,
            address: address.map(str::to_owned),
            ..PrinterConfig::default()
        };
        assert!(network(Some("10.0.0.5:9100")).validate().is_ok());
        for config in [network(None), network(Some("10.0.0.5:port"))] {
            assert!(
                config
                    .validate()
                    .unwrap_err()
                    .starts_with("printer.address")
            );
        }
        let usb = PrinterConfig {
            kind: PrinterKind::Usb,
            device: Some("lp0".into()),
            ..PrinterConfig::default()
        };
        assert!(usb.validate().unwrap_err().starts_with("printer.device"));
        let width = PrinterConfig {
            paper_width_dots: 570,
            ..PrinterConfig::default()
        };
        assert!(
            width
                .validate()
                .unwrap_err()
                .starts_with("printer.paper_width_dots")
        );
        let cups = PrinterConfig {
            kind: PrinterKind::Cups,
            queue: Some("-o evil".into()),
            ..PrinterConfig::default()
        };
        assert!(cups.validate().unwrap_err().starts_with("printer.queue"));
        assert!(PrinterConfig::default().validate().is_ok());
        assert!(!PrinterConfig::default().is_configured());
    }

    #[test]
    fn config_from_toml_refuses_unknown_keys() {
        let config: PrinterConfig =
            toml::from_str("kind = \"usb\"\ndevice = \"/dev/usb/lp0\"\npaper_width_dots = 384")
                .unwrap();
        assert_eq!(config.kind, PrinterKind::Usb);
        assert_eq!(config.paper_width_dots, 384);
        assert!(config.native_qr, "default");
        let err = toml::from_str::<PrinterConfig>("kind = \"usb\"\ndevise = \"x\"").unwrap_err();
        assert!(err.to_string().contains("devise"));
        assert!(toml::from_str::<PrinterConfig>("kind = \"serial\"").is_err());
    }

    #[test]
    fn not_configured_prints_nothing() {
        let content = ReceiptContent::test_page("Trung tâm", "none", 576, true);
        let err = print(&content, &PrinterConfig::default()).unwrap_err();
        assert_eq!(err.kind(), PrintErrorKind::NotConfigured);
    }

    #[test]
    fn a_missing_usb_device_is_offline() {
        let dir = tempfile::tempdir().unwrap();
        let config = PrinterConfig {
            kind: PrinterKind::Usb,
            device: Some(dir.path().join("lp9")),
            ..PrinterConfig::default()
        };
        let content = ReceiptContent::test_page("Trung tâm", "usb", 576, true);
        let err = print(&content, &config).unwrap_err();
        assert_eq!(err.kind(), PrintErrorKind::Offline, "{err}");
        assert!(err.to_string().contains("lp9"));
    }

    #[test]
    fn lp_failures_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let script = |name: &str, body: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            let mut perms = std::fs::metadata(&path).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(&path, perms).unwrap();
            path.display().to_string()
        };
        let config = |lp: String| PrinterConfig {
            kind: PrinterKind::Cups,
            queue: Some("A5".into()),
            lp_command: lp,
            ..PrinterConfig::default()
        };
        let missing = script(
            "lp-missing",
            "echo 'lp: The printer or class does not exist.' >&2; exit 1",
        );
        let err = print_pdf(b"%PDF-1.7", &config(missing)).unwrap_err();
        assert_eq!(err.kind(), PrintErrorKind::Offline, "{err}");
        let broken = script("lp-broken", "echo 'lp: Internal server error' >&2; exit 1");
        let err = print_pdf(b"%PDF-1.7", &config(broken)).unwrap_err();
        assert_eq!(err.kind(), PrintErrorKind::Failed);
        assert!(err.to_string().contains("Internal server error"));
        let err = print_pdf(
            b"%PDF-1.7",
            &config(dir.path().join("nope").display().to_string()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
        // The queue is passed with -d, the file last.
        let args = dir.path().join("args");
        let ok = script("lp-ok", &format!("echo \"$@\" > {}", args.display()));
        print_pdf(b"%PDF-1.7", &config(ok)).unwrap();
        let args = std::fs::read_to_string(args).unwrap();
        assert!(args.starts_with("-d A5 /"), "{args}");
        assert!(args.trim_end().ends_with(".pdf"), "{args}");
    }
}
