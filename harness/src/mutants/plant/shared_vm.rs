//! `shared-vm` (seed TEA-PY-002: one Lua runtime behind a lock, shared by every branch): each
//! fan-out worker keeps the VM it made for its first branch and reuses it for every later
//! branch it runs, in this fan-out and the next. Globals, `math.random`'s state and the
//! `branch` table leak from one branch into the next on the same worker.

use std::collections::HashMap;
use std::sync::Mutex;

use engine::seams::{Fault, Vm, VmFactory, VmSpec};
use engine::sync::Runtime;

use super::kept::Kept;
use super::{About, Seam};

/// What `shared-vm` is.
pub(super) const ABOUT: About = About {
    name: "shared-vm",
    seam: Seam::VmFactory,
    story: "TEA-PY-002",
    class: "VM shared by a worker's branches",
};

/// A VM per worker, reused.
#[derive(Debug)]
pub struct PerWorkerVm<R: Runtime> {
    vms: Mutex<HashMap<usize, Kept<R>>>,
}

impl<R: Runtime> Default for PerWorkerVm<R> {
    fn default() -> Self {
        PerWorkerVm {
            vms: Mutex::new(HashMap::new()),
        }
    }
}

impl<R: Runtime> VmFactory<R> for PerWorkerVm<R> {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<R>, Fault> {
        let Some(worker) = spec.worker else {
            return Vm::new(spec);
        };
        let mut vms = self.vms.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(kept) = vms.get(&worker) {
            return Ok(kept.0.clone());
        }
        let vm = Vm::new(spec)?;
        vms.insert(worker, Kept(vm.clone()));
        Ok(vm)
    }
}
