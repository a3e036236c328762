//! A visit: one visitor's time at the kiosk, from the first touch until they walk away.

pub mod idle;

pub use idle::{BlankHours, IdleConfig};
