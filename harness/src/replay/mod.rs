//! Replay tokens: making one for every failure, replaying one (`harness replay`), and
//! finding one that reproduces a soak failure its seed does not decide ([`handoff`]).

pub mod flake_replays;
pub mod handoff;
pub mod make;
pub mod run;
pub mod token;
