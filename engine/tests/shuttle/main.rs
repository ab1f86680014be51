//! shuttle tests: the real engine under controlled schedules, with virtual time.

mod branches;
mod pool;
mod time;
