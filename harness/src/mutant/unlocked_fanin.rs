//! `unlocked-fanin` (seed TD.4): the collector reads the results under the lock, releases it,
//! and writes its copy back with its own result added. Two branches collected together can
//! each write back a copy without the other's result: one is lost, and the fan-in sees fewer
//! branches than it declared. A race of depth 2: one worker's read, the other's whole put,
//! then the first one's write-back.

use engine::seams::{BranchResult, Collector};
use engine::sync::{RtMutex, Runtime};

/// The lost-update collector.
#[derive(Debug)]
pub struct UnlockedSlots<R: Runtime> {
    slots: R::Mutex<Vec<Option<BranchResult>>>,
}

impl<R: Runtime> Collector<R> for UnlockedSlots<R> {
    fn new(branches: usize) -> Self {
        UnlockedSlots {
            slots: R::Mutex::new(vec![None; branches]),
        }
    }

    fn put(&self, index: usize, result: BranchResult) {
        let mut copy = self.slots.lock().clone();
        copy[index] = Some(result);
        *self.slots.lock() = copy;
    }

    fn finish(self) -> Vec<BranchResult> {
        self.slots.into_inner().into_iter().flatten().collect()
    }
}
