//! `vm-pool-no-reset`: VMs come from a pool, one per thread and worker, that outlives the run
//! and hands a VM back out without resetting it. A branch starts with whatever an earlier
//! branch (of this run, or of an earlier run on the same thread) left in its globals.
//!
//! Worker 0, the caller's own thread, draws from the process's pool, keyed by OS thread:
//! runs on one thread come one after another, so its VM goes from run to run. Other workers
//! run on the engine's helper threads, which any fan-out may take next, and draw from a pool
//! that lives for the run (keyed by worker, like `shared-vm`). Under a model checker, where one OS thread runs every
//! task and an execution may be abandoned halfway, every pool lives for one run only.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;

use engine::seams::{Fault, Vm, VmFactory, VmSpec};
use engine::sync::Runtime;

use super::kept::Kept;
use super::shared_vm::PerWorkerVm;
use super::{About, Seam};

/// What `vm-pool-no-reset` is.
pub(super) const ABOUT: About = About {
    name: "vm-pool-no-reset",
    seam: Seam::VmFactory,
    story: "TEA-PY-002",
    class: "VM pool without reset",
};

type Pool = HashMap<ThreadId, Box<dyn Any + Send>>;

/// The process's pool of worker-0 VMs, for the std runtime.
static POOL: OnceLock<Mutex<Pool>> = OnceLock::new();

/// A pool of VMs never reset.
#[derive(Debug)]
pub struct UnresetPool<R: Runtime> {
    /// The pool for one run (other workers, and model checkers).
    run: PerWorkerVm<R>,
}

impl<R: Runtime> Default for UnresetPool<R> {
    fn default() -> Self {
        UnresetPool {
            run: PerWorkerVm::default(),
        }
    }
}

impl<R: Runtime> VmFactory<R> for UnresetPool<R> {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<R>, Fault> {
        if R::NAME != "std" || spec.worker != Some(0) {
            return self.run.create(spec);
        }
        let key = std::thread::current().id();
        let mut pool = POOL
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(kept) = pool.get(&key).and_then(|k| k.downcast_ref::<Kept<R>>()) {
            return Ok(kept.0.clone());
        }
        let vm = Vm::new(spec)?;
        pool.insert(key, Box::new(Kept(vm.clone())));
        Ok(vm)
    }
}
