//! Walk-away: after `idle.timeout_secs` without a touch, key or scroll the kiosk asks "Bạn cần
//! thêm thời gian?" and counts down; unanswered, the visit ends (`end_visit`: its data and its
//! reading aids). An untouched home screen turns into the attract screen, or a black one in the
//! blanking hours.
//! All timing is Slint timers, so the UI tests drive it with mock time.

use std::cell::RefCell;
use std::time::Duration;

use slint::{ComponentHandle, Timer, TimerMode};

use super::{AppWindow, Header, IdleAdapter, IdleState, Nav, Screen, with_window};
use crate::visit::IdleConfig;

struct Watch {
    config: IdleConfig,
    /// Since the last activity, until the question.
    quiet: Timer,
    /// The question's countdown, one tick a second.
    countdown: Timer,
    /// On the clean home screen, until the attract screen.
    resting: Timer,
    /// While resting: moves between the attract and the black screen at the blanking hours.
    clock: Timer,
}

thread_local! {
    static WATCH: RefCell<Option<Watch>> = const { RefCell::new(None) };
}

pub fn wire(ui: &AppWindow, config: IdleConfig) {
    WATCH.with_borrow_mut(|w| {
        *w = Some(Watch {
            config,
            quiet: Timer::default(),
            countdown: Timer::default(),
            resting: Timer::default(),
            clock: Timer::default(),
        })
    });
    let adapter = ui.global::<IdleAdapter>();
    adapter.on_activity(with_window(ui, activity));
    adapter.on_more_time(with_window(ui, more_time));
    adapter.on_finish(with_window(ui, finish));
    adapter.set_state(IdleState::Active);
    watch_quiet(ui);
}

/// Someone touched, typed or scrolled. While the question is up only its answers count: a press
/// on "Kết thúc" must not first dismiss the question it is on.
pub fn activity(ui: &AppWindow) {
    let adapter = ui.global::<IdleAdapter>();
    match adapter.get_state() {
        IdleState::Prompt => return,
        IdleState::Attract | IdleState::Blank => {
            adapter.set_state(IdleState::Active);
            with_watch(|w| {
                w.resting.stop();
                w.clock.stop();
            });
        }
        IdleState::Active => {
            with_watch(|w| w.resting.stop());
        }
    }
    watch_quiet(ui);
}

fn more_time(ui: &AppWindow) {
    with_watch(|w| w.countdown.stop());
    ui.global::<IdleAdapter>().set_state(IdleState::Active);
    activity(ui);
}

/// "Kết thúc", or the countdown ran out.
fn finish(ui: &AppWindow) {
    with_watch(|w| w.countdown.stop());
    super::end_visit(ui);
    ui.global::<IdleAdapter>().set_state(IdleState::Active);
    rest(ui);
}

fn watch_quiet(ui: &AppWindow) {
    let weak = ui.as_weak();
    with_watch(|w| {
        w.quiet
            .start(TimerMode::SingleShot, w.config.timeout(), move || {
                if let Some(ui) = weak.upgrade() {
                    quiet_for_long(&ui);
                }
            })
    });
}

fn quiet_for_long(ui: &AppWindow) {
    if visit_is_clean(ui) {
        rest(ui);
        return;
    }
    let seconds = with_watch(|w| w.config.prompt_secs).unwrap_or(15);
    let adapter = ui.global::<IdleAdapter>();
    adapter.set_unsent_work(
        super::submit::has_unconfirmed_work(ui) || super::feedback::has_unsent_work(ui),
    );
    adapter.set_seconds_left(i32::try_from(seconds).unwrap_or(15));
    adapter.set_state(IdleState::Prompt);
    let weak = ui.as_weak();
    with_watch(|w| {
        w.countdown
            .start(TimerMode::Repeated, Duration::from_secs(1), move || {
                let Some(ui) = weak.upgrade() else { return };
                let adapter = ui.global::<IdleAdapter>();
                let left = adapter.get_seconds_left() - 1;
                adapter.set_seconds_left(left.max(0));
                if left <= 0 {
                    tracing::info!("nobody answered the walk-away question: visit cleared");
                    finish(&ui);
                }
            })
    });
}

/// The home screen in the default language with nothing on it: no one to ask.
fn visit_is_clean(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Home
        && ui.global::<Header>().get_language() == super::DEFAULT_LANGUAGE.with(|d| d.get())
}

/// The visit is over: after `attract_after_secs` more, the resting screen.
fn rest(ui: &AppWindow) {
    let weak = ui.as_weak();
    with_watch(|w| {
        w.resting
            .start(TimerMode::SingleShot, w.config.attract_after(), move || {
                if let Some(ui) = weak.upgrade() {
                    show_resting(&ui);
                }
            })
    });
}

fn show_resting(ui: &AppWindow) {
    if !visit_is_clean(ui) {
        return;
    }
    ui.global::<IdleAdapter>().set_state(resting_state());
    let weak = ui.as_weak();
    with_watch(|w| {
        w.clock
            .start(TimerMode::Repeated, Duration::from_secs(30), move || {
                let Some(ui) = weak.upgrade() else { return };
                let adapter = ui.global::<IdleAdapter>();
                if matches!(adapter.get_state(), IdleState::Attract | IdleState::Blank) {
                    adapter.set_state(resting_state());
                }
            })
    });
}

fn resting_state() -> IdleState {
    let blank = with_watch(|w| w.config.blank_hours())
        .flatten()
        .is_some_and(|hours| hours.contains(minute_of_day()));
    if blank {
        IdleState::Blank
    } else {
        IdleState::Attract
    }
}

fn minute_of_day() -> u16 {
    let now = time::OffsetDateTime::now_utc().to_offset(crate::status::VIETNAM);
    u16::from(now.hour()) * 60 + u16::from(now.minute())
}

fn with_watch<T>(f: impl FnOnce(&Watch) -> T) -> Option<T> {
    WATCH.with_borrow(|w| w.as_ref().map(f))
}
