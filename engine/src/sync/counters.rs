//! Process-wide VM serial numbers, the live-VM gauge and the helper-thread gauge.
//!
//! These bypass the runtime seam on purpose: a serial must never repeat within a process,
//! across shuttle and loom executions too (they reset their own atomics), and nothing in the
//! engine branches on these values' interleaving. Serials are never addresses, which can be
//! reused (seed TEA-PY-007).
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);
static LIVE_VMS: AtomicUsize = AtomicUsize::new(0);

/// Takes the next VM serial number (starting at 1, never reused in this process).
pub(crate) fn next_vm_serial() -> u64 {
    NEXT_SERIAL.fetch_add(1, Ordering::Relaxed)
}

/// How many Lua VMs are alive right now in this process.
pub fn live_vms() -> usize {
    LIVE_VMS.load(Ordering::SeqCst)
}

/// Counts one thing as alive in its gauge until dropped: a VM ([`Alive::vm`]) or a helper
/// thread ([`Alive::helper`]).
#[derive(Debug)]
pub(crate) struct Alive(&'static AtomicUsize);

impl Alive {
    fn count(gauge: &'static AtomicUsize) -> Self {
        gauge.fetch_add(1, Ordering::SeqCst);
        Alive(gauge)
    }

    /// Registers a new live VM.
    pub(crate) fn vm() -> Self {
        Self::count(&LIVE_VMS)
    }

    /// Registers a helper thread about to be spawned (dropped on the helper itself, as its
    /// last act).
    pub(crate) fn helper() -> Self {
        Self::count(&HELPER_THREADS)
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

static NEXT_CHUNK: AtomicU64 = AtomicU64::new(1);

/// Takes the next compiled-chunk id (process-unique, so VM function caches never confuse
/// chunks of two workflows).
pub(crate) fn next_chunk_id() -> u64 {
    NEXT_CHUNK.fetch_add(1, Ordering::Relaxed)
}

static HELPER_THREADS: AtomicUsize = AtomicUsize::new(0);

/// How many of the engine's helper threads exist right now (working, or idle and about to
/// exit: a helper lives until it has been idle for a moment, `std_pool`). A thread count
/// taken to find leaked threads subtracts these.
pub fn helper_threads() -> usize {
    HELPER_THREADS.load(Ordering::SeqCst)
}

/// In a child made by `fork`: none of the parent's helper threads came along.
pub(crate) fn forget_helpers_after_fork() {
    HELPER_THREADS.store(0, Ordering::SeqCst);
}
