//! Deadlines that cannot overflow: a `--hard-deadline 300000000000y` means "never", not a
//! panic in `Instant + Duration`.

use std::time::{Duration, Instant};

/// The furthest deadline used: far beyond any run.
const NEVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// The instant `after` from now, or [`NEVER`] from now when that does not fit.
pub fn until(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after)
        .or_else(|| now.checked_add(NEVER))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_duration_is_a_far_deadline_not_a_panic() {
        let far = until(Duration::MAX);
        assert!(far > Instant::now() + Duration::from_secs(365 * 24 * 3600));
        let near = until(Duration::from_millis(5));
        assert!(near < far);
    }
}
