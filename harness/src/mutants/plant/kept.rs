//! A VM kept by a broken factory for reuse, and where it may be reused.
//!
//! A `Vm` is not `Send` (mlua's `send` feature stays off in the real build): its Lua state
//! must not be used by two threads, or two model-checker tasks, that interleave. The broken
//! factories key what they keep by fan-out worker: worker `w` of a fan-out is one thread (or
//! one task) that runs its branches one after another, and the worker of a later fan-out
//! starts after the earlier one joined. Worker 0 is the caller's own thread, which also runs
//! the main path. So a kept VM is only ever used by one thread at a time, with a join (a
//! happens-before) between users.

use engine::seams::Vm;
use engine::sync::Runtime;

/// A VM held across branches (see the module docs for why this is sound).
pub struct Kept<R: Runtime>(pub Vm<R>);

// SAFETY: a `Kept` VM is used by one worker at a time, and a worker that hands it on has
// finished with it (it joined, or it is the same thread): see the module docs.
unsafe impl<R: Runtime> Send for Kept<R> {}

impl<R: Runtime> std::fmt::Debug for Kept<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Kept").field(&self.0.serial()).finish()
    }
}
