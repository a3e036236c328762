//! A Slint platform whose only window renders in software and whose event loop is a queue the
//! caller drains itself, so results posted with `upgrade_in_event_loop` arrive exactly when asked
//! for. Shared by the screenshots (`examples/screenshots.rs`) and the keystroke benchmark.

use std::rc::Rc;
use std::sync::{Arc, Mutex};

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{EventLoopProxy, Platform, PlatformError, WindowAdapter};

pub type Job = Box<dyn FnOnce() + Send>;

pub struct Headless {
    window: Rc<MinimalSoftwareWindow>,
    queue: Arc<Mutex<Vec<Job>>>,
}

struct Proxy(Arc<Mutex<Vec<Job>>>);

impl EventLoopProxy for Proxy {
    fn quit_event_loop(&self) -> Result<(), slint::EventLoopError> {
        Ok(())
    }
    fn invoke_from_event_loop(
        &self,
        job: Box<dyn FnOnce() + Send>,
    ) -> Result<(), slint::EventLoopError> {
        self.0
            .lock()
            .map_err(|_| slint::EventLoopError::EventLoopTerminated)?
            .push(job);
        Ok(())
    }
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
    fn new_event_loop_proxy(&self) -> Option<Box<dyn EventLoopProxy>> {
        Some(Box::new(Proxy(self.queue.clone())))
    }
}

/// Installs the headless platform; returns its window and the queue of posted jobs.
pub fn install(
    buffer: RepaintBufferType,
) -> anyhow::Result<(Rc<MinimalSoftwareWindow>, Arc<Mutex<Vec<Job>>>)> {
    let window = MinimalSoftwareWindow::new(buffer);
    let queue: Arc<Mutex<Vec<Job>>> = Arc::default();
    slint::platform::set_platform(Box::new(Headless {
        window: window.clone(),
        queue: queue.clone(),
    }))
    .map_err(|e| anyhow::anyhow!("cannot set the headless platform: {e:?}"))?;
    Ok((window, queue))
}

/// Runs every job posted so far; how many there were.
pub fn run_posted(queue: &Mutex<Vec<Job>>) -> usize {
    let jobs: Vec<Job> = queue
        .lock()
        .map(|mut q| q.drain(..).collect())
        .unwrap_or_default();
    let count = jobs.len();
    for job in jobs {
        job();
    }
    count
}
