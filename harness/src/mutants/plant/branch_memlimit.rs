//! `branch-memlimit` (issue 19): a branch VM gets a wrong finite memory limit, half the
//! workflow's (as if the workflow's limit were shared among two branches). A check that a
//! branch has *some* limit passes it; only an allocation measured against the workflow's
//! limit tells.

use engine::seams::{Fault, Vm, VmFactory, VmSpec};
use engine::sync::Runtime;

use super::{About, Seam};

/// What `branch-memlimit` is.
pub(super) const ABOUT: About = About {
    name: "branch-memlimit",
    seam: Seam::VmFactory,
    story: "issue 19",
    class: "a wrong finite memory limit in branches",
};

/// Branch VMs with half the workflow's memory limit.
#[derive(Debug, Clone, Copy, Default)]
pub struct HalfLimit;

impl<R: Runtime> VmFactory<R> for HalfLimit {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<R>, Fault> {
        let mut spec = *spec;
        if spec.branch.is_some() {
            spec.memory_limit /= 2;
        }
        Vm::new(&spec)
    }
}
