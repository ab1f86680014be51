//! The loom runtime (test-only, `loom` feature): the real fan-out code under loom, with
//! virtual time.
//!
//! loom 0.7 has no `thread::scope`, so [`LoomRuntime::run_workers`] lends `work` to
//! `loom::thread::spawn` threads and joins them all before it returns. The join also happens
//! while unwinding (see [`JoinOnDrop`]), so no thread outlives the borrow.

use loom::sync::Mutex;
use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::thread::JoinHandle;

use super::virtual_clock::{virtual_clock, virtual_time};
use super::{Runtime, impl_primitives};

/// loom's threads and locks, for exhaustive model checking.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoomRuntime;

// loom's `Mutex::lock` and `into_inner` return `LockResult`s like std's, so the shared macro
// fits as it is.
impl_primitives!(Mutex, AtomicUsize, AtomicBool);
virtual_clock!(loom::thread_local);

/// Joins its threads when dropped, so a panic in the caller cannot leave a thread running
/// with a dangling borrow.
struct JoinOnDrop(Vec<JoinHandle<()>>);

impl Drop for JoinOnDrop {
    fn drop(&mut self) {
        for handle in self.0.drain(..) {
            let _ = handle.join();
        }
    }
}

impl Runtime for LoomRuntime {
    const NAME: &'static str = "loom";
    const REAL_TIME: bool = false;
    type Mutex<T: Send> = Mutex<T>;
    type AtomicUsize = AtomicUsize;
    type AtomicBool = AtomicBool;

    fn run_workers<F: Fn(usize) + Sync>(workers: usize, stack_size: usize, work: F) {
        let work_ref: &(dyn Fn(usize) + Sync) = &work;
        // SAFETY: every thread spawned below is joined before this function returns, either
        // at the end of the function or by `JoinOnDrop` while unwinding, so `work` outlives
        // every use of this extended reference.
        let work_static: &'static (dyn Fn(usize) + Sync) = unsafe { std::mem::transmute(work_ref) };
        let mut threads = JoinOnDrop(Vec::with_capacity(workers.saturating_sub(1)));
        let start = clock_now();
        for worker in 1..workers {
            if let Ok(handle) =
                loom::thread::Builder::new()
                    .stack_size(stack_size)
                    .spawn(move || {
                        clock_set(start);
                        work_static(worker)
                    })
            {
                threads.0.push(handle);
            }
        }
        work(0);
        drop(threads);
    }

    virtual_time!(loom::thread::yield_now);
}
