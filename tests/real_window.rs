//! The kiosk's real window (winit) on a virtual X display: with `hide_cursor` the X server draws no
//! pointer over it (read back with XFixes, as any X client can), without it the usual arrow.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::display::{Killed, virtual_display};
use x11rb::connection::Connection;
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::ConnectionExt as _;

/// How many pixels of the pointer the X server draws now are not transparent.
fn visible_pointer_pixels(display: &str) -> usize {
    let (conn, screen) = x11rb::connect(Some(display)).expect("connect to Xvfb");
    conn.xfixes_query_version(5, 0)
        .expect("XFixes")
        .reply()
        .expect("XFixes version");
    let root = conn.setup().roots[screen].root;
    // Moving the pointer over the window makes the kiosk set its cursor.
    for (x, y) in [(300, 900), (320, 910)] {
        conn.warp_pointer(x11rb::NONE, root, 0, 0, 0, 0, x, y)
            .expect("warp");
        conn.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(150));
    }
    let image = conn
        .xfixes_get_cursor_image()
        .expect("cursor image")
        .reply()
        .expect("cursor image reply");
    image
        .cursor_image
        .iter()
        .filter(|pixel| *pixel >> 24 != 0)
        .count()
}

/// Whether a window is mapped on the display (the kiosk's, once it is up).
fn window_shown(display: &str) -> bool {
    let Ok((conn, screen)) = x11rb::connect(Some(display)) else {
        return false;
    };
    let root = conn.setup().roots[screen].root;
    let Ok(Ok(tree)) = conn.query_tree(root).map(|c| c.reply()) else {
        return false;
    };
    tree.children.iter().any(|&window| {
        conn.get_window_attributes(window)
            .ok()
            .and_then(|c| c.reply().ok())
            .is_some_and(|a| a.map_state == x11rb::protocol::xproto::MapState::VIEWABLE)
    })
}

/// The kiosk in demo mode with `config`, on a display of its own: the pointer's visible pixels
/// over its window.
fn pointer_over_kiosk(config: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let (_xvfb, display) = virtual_display();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, config).unwrap();
    let kiosk = Command::new(env!("CARGO_BIN_EXE_motcua-kiosk"))
        .arg("--config")
        .arg(&path)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("MOTCUA_KIOSK_SERVER_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _kiosk = Killed(kiosk);
    let deadline = Instant::now() + Duration::from_secs(120);
    while !window_shown(&display) {
        assert!(
            Instant::now() < deadline,
            "the kiosk's window never appeared"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Its first frames drawn and the pointer moved over it.
    std::thread::sleep(Duration::from_secs(1));
    visible_pointer_pixels(&display)
}

#[test]
fn hide_cursor_leaves_no_pointer_over_the_kiosk() {
    let hidden = pointer_over_kiosk("fullscreen = true\nhide_cursor = true\n");
    assert_eq!(hidden, 0, "no pointer drawn with hide_cursor");
    let shown = pointer_over_kiosk("fullscreen = true\n");
    assert!(shown > 20, "the usual arrow without it: {shown} pixels");
}
