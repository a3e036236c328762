//! The kiosk's document scanner, through SANE's `scanimage` (or any command configured instead)
//! that writes one page as PNG or JPEG to its standard output.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum ScannerError {
    #[error("no document scanner is configured")]
    NotConfigured,
    #[error("cannot start the scanner command {0:?}: {1}")]
    Start(String, std::io::Error),
    #[error("the scanner command failed: {0}")]
    Failed(String),
    #[error("the scanner took longer than {0} s")]
    Timeout(u64),
}

/// Default: a colour page at 200 dpi as PNG, what SANE's `scanimage` does with these options.
pub fn default_command() -> Vec<String> {
    [
        "scanimage",
        "--format=png",
        "--mode",
        "Color",
        "--resolution",
        "200",
    ]
    .map(String::from)
    .to_vec()
}

/// Runs the scanner command and returns what it wrote, at most `limit + 1` bytes (the caller's
/// limits then explain a page that is too large).
pub fn scan_page(
    command: &[String],
    limit: u64,
    timeout: Duration,
) -> Result<Vec<u8>, ScannerError> {
    let (program, args) = command.split_first().ok_or(ScannerError::NotConfigured)?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ScannerError::Start(program.clone(), e))?;
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(stdout) = stdout {
            let _ = stdout.take(limit + 1).read_to_end(&mut bytes);
        }
        bytes
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ScannerError::Timeout(timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(ScannerError::Failed(e.to_string())),
        }
    };
    let bytes = reader.join().unwrap_or_default();
    // Over the limit we stopped reading, and the scanner may have died of the closed pipe: the
    // page is too large, which the caller explains, not a scanner failure.
    if bytes.len() as u64 > limit {
        return Ok(bytes);
    }
    if !status.success() {
        let mut message = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.read_to_string(&mut message);
        }
        return Err(ScannerError::Failed(format!(
            "{status}: {}",
            message.trim().chars().take(300).collect::<String>()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn runs_the_command_and_reports_failures() {
        let page = scan_page(
            &sh("printf '\\211PNG\\r\\n\\032\\nrest'"),
            100,
            Duration::from_secs(5),
        )
        .unwrap();
        assert!(page.starts_with(b"\x89PNG"));
        let err = scan_page(
            &sh("echo 'no SANE devices found' >&2; exit 1"),
            100,
            Duration::from_secs(5),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no SANE devices found"), "{err}");
        assert!(matches!(
            scan_page(&sh("sleep 5"), 100, Duration::from_millis(200)),
            Err(ScannerError::Timeout(_))
        ));
        assert!(matches!(
            scan_page(
                &["/nonexistent/scanimage".into()],
                100,
                Duration::from_secs(1)
            ),
            Err(ScannerError::Start(..))
        ));
        let big = scan_page(&sh("head -c 5000 /dev/zero"), 100, Duration::from_secs(5)).unwrap();
        assert_eq!(big.len(), 101, "reads just past the limit, no more");
    }
}
