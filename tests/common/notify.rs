//! The socket systemd gives a `Type=notify` service (`NOTIFY_SOCKET`), read as systemd reads it:
//! with the sender's credentials (`SO_PASSCRED`), so a test knows which process said `READY=1`.
//! systemd with `NotifyAccess=main` believes only the unit's main process.

use std::io::IoSliceMut;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::socket::{ControlMessageOwned, MsgFlags, UnixCredentials, recvmsg, setsockopt};

/// One notification: its text (`READY=1`, `WATCHDOG=1`) and the process that sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub pid: Option<u32>,
}

pub struct NotifySocket {
    socket: UnixDatagram,
    pub path: PathBuf,
}

impl NotifySocket {
    pub fn bind(path: &Path) -> Self {
        let socket = UnixDatagram::bind(path).unwrap();
        setsockopt(&socket, nix::sys::socket::sockopt::PassCred, &true).unwrap();
        Self {
            socket,
            path: path.to_owned(),
        }
    }

    /// The next notification, if one comes before `deadline`.
    pub fn receive(&self, deadline: Instant) -> Option<Notice> {
        let left = deadline.saturating_duration_since(Instant::now());
        self.socket
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        let mut buffer = [0u8; 4096];
        let mut iov = [IoSliceMut::new(&mut buffer)];
        let mut space = nix::cmsg_space!(UnixCredentials);
        let (bytes, pid) = {
            let message = recvmsg::<()>(
                self.socket.as_raw_fd(),
                &mut iov,
                Some(&mut space),
                MsgFlags::empty(),
            )
            .ok()?;
            let pid = message.cmsgs().ok()?.find_map(|c| match c {
                ControlMessageOwned::ScmCredentials(c) => u32::try_from(c.pid()).ok(),
                _ => None,
            });
            (message.bytes, pid)
        };
        Some(Notice {
            text: String::from_utf8_lossy(&buffer[..bytes])
                .trim_end()
                .to_owned(),
            pid,
        })
    }
}
