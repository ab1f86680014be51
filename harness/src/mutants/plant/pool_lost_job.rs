//! `pool-lost-job` (issue 19): a helper whose idle timeout fires leaves even when a caller has
//! just taken it off the idle list and is handing it a job, so that job is never run. It needs
//! one interleaving: the timeout, then the caller taking the helper, then the helper giving
//! up. The pool reports a job dropped unrun through its contract assertion (instead of the
//! caller waiting forever for it).

use engine::seams::HandOff;

use super::{About, Seam};

/// What `pool-lost-job` is.
pub(super) const ABOUT: About = About {
    name: "pool-lost-job",
    seam: Seam::HandOff,
    story: "issue 19",
    class: "a helper that exits idle as it is handed a job",
};

/// Leaves on an idle timeout, taken or not.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeavesWhenTaken;

impl HandOff for LeavesWhenTaken {
    fn leaves_idle(_listed: bool) -> bool {
        true
    }
}
