//! `parent-vm-reuse` (seed TEA-PY-006: a branch silently handed the parent's runtime): a
//! branch run on the caller's own thread (worker 0) gets the main path's VM instead of a
//! fresh one. What the branch leaves in its globals is there for the fan-in and every later
//! node of the main path, and what the parent set is there for the branch.

use std::sync::Mutex;

use engine::seams::{Fault, Vm, VmFactory, VmSpec};
use engine::sync::Runtime;

use super::kept::Kept;
use super::{About, Seam};

/// What `parent-vm-reuse` is.
pub(super) const ABOUT: About = About {
    name: "parent-vm-reuse",
    seam: Seam::VmFactory,
    story: "TEA-PY-006",
    class: "branch handed the parent's VM",
};

/// The main path's VM, handed to worker 0's branches.
#[derive(Debug)]
pub struct ParentVm<R: Runtime> {
    parent: Mutex<Option<Kept<R>>>,
}

impl<R: Runtime> Default for ParentVm<R> {
    fn default() -> Self {
        ParentVm {
            parent: Mutex::new(None),
        }
    }
}

impl<R: Runtime> VmFactory<R> for ParentVm<R> {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<R>, Fault> {
        let mut parent = self.parent.lock().unwrap_or_else(|p| p.into_inner());
        match spec.worker {
            None => {
                let vm = Vm::new(spec)?;
                *parent = Some(Kept(vm.clone()));
                Ok(vm)
            }
            Some(0) => match parent.as_ref() {
                Some(kept) => Ok(kept.0.clone()),
                None => Vm::new(spec),
            },
            Some(_) => Vm::new(spec),
        }
    }
}
