//! secmaster-backup end to end against the simulator: one test binary
//! (each file below is a module), linked once.

mod atomic;
mod damage;
mod lost_answers;
mod round_trip;
mod support;
mod throttle;
