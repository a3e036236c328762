//! A real X display for tests that run the kiosk's real window: Xvfb on a free display number.

use std::path::Path;
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

/// Xvfb on a free display number; returns the process and `:N`.
pub fn virtual_display() -> (Xvfb, String) {
    for _ in 0..20 {
        let n = 200 + rand::random::<u16>() % 600;
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([
                &format!(":{n}"),
                "-screen",
                "0",
                "1080x1920x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb must be installed (scripts/test installs it: apt-get install xvfb)");
        let mut child = Killed(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (Xvfb(child), format!(":{n}"));
            }
            if let Ok(Some(_)) = child.0.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("cannot start Xvfb");
}
