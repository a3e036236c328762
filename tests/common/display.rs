//! A real X display for tests that run the kiosk's real window: Xvfb on a free display number.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server stopped when dropped. Asked to stop (SIGTERM), Xvfb removes its socket and lock
/// file; killed, it leaves them in /tmp, where they pile up over test runs and use up the
/// display numbers.
pub struct Xvfb(Killed);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.0.0.id() as i32);
        if nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).is_ok() {
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.0.0.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // `Killed` kills it when a polite stop did not work.
    }
}

/// Xvfb on a display number it picks itself (`-displayfd`: the first one without a lock file,
/// written to its standard output once it accepts connections); returns the process and `:N`.
/// Tests that pick a number themselves race: two tests running at once can pick the same free
/// number, one Xvfb then fails, and its test talks to the other's display until it goes away.
pub fn virtual_display() -> (Xvfb, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1080x1920x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb must be installed (scripts/test installs it: apt-get install xvfb)");
    let stdout = child.stdout.take().expect("Xvfb's standard output");
    let child = Xvfb(Killed(child));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(20))
        .expect("Xvfb did not say its display number within 20 s");
    let number: u32 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("Xvfb did not start (it said {line:?})"));
    (child, format!(":{number}"))
}
