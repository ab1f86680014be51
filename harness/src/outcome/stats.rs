//! Confidence bounds for a failure rate measured over n independent iterations.
//!
//! * Wilson score interval (E. B. Wilson, "Probable inference, the law of succession, and
//!   statistical inference", JASA 1927): unlike the normal approximation it stays inside
//!   [0, 1] and behaves at 0 and n failures, which is exactly where soak results live.
//! * Rule of three (Hanley & Lippman-Hand, JAMA 1983): with 0 failures in n runs, the 95%
//!   upper bound of the rate is about 3/n. "0 failures in 20 runs" bounds the rate below
//!   ~14%; 10,000 clean runs bound it below 3e-4.

use serde::{Deserialize, Serialize};

/// The 97.5th percentile of the standard normal (two-sided 95%).
const Z95: f64 = 1.959_963_984_540_054;

/// A measured failure rate and its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Failing iterations.
    pub failures: u64,
    /// Iterations run.
    pub iterations: u64,
    /// `failures / iterations` (0 when nothing ran).
    pub rate: f64,
    /// 95% Wilson score interval `[low, high]`.
    pub wilson95: [f64; 2],
    /// 95% upper bound by the rule of three (`3 / n`), only when there were no failures.
    pub rule_of_three: Option<f64>,
}

impl Rate {
    /// Bounds for `failures` out of `iterations`.
    pub fn new(failures: u64, iterations: u64) -> Rate {
        if iterations == 0 {
            return Rate {
                failures,
                iterations,
                rate: 0.0,
                wilson95: [0.0, 1.0],
                rule_of_three: None,
            };
        }
        let n = iterations as f64;
        let p = failures as f64 / n;
        let z2 = Z95 * Z95;
        let denom = 1.0 + z2 / n;
        let center = (p + z2 / (2.0 * n)) / denom;
        let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        Rate {
            failures,
            iterations,
            rate: p,
            // At 0 (or n) failures the bound is exactly 0 (or 1); rounding would leave 1e-20.
            wilson95: [
                if failures == 0 {
                    0.0
                } else {
                    (center - half).max(0.0)
                },
                if failures >= iterations {
                    1.0
                } else {
                    (center + half).min(1.0)
                },
            ],
            rule_of_three: (failures == 0).then(|| (3.0 / n).min(1.0)),
        }
    }
}

/// A rate as a person reads it: `0%`, `10.23%`, `0.03%`, `3.0e-5`.
pub fn percent(x: f64) -> String {
    if x == 0.0 {
        "0%".to_string()
    } else if x < 1e-4 {
        format!("{x:.1e}")
    } else {
        format!("{:.2}%", x * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn wilson_matches_published_values() {
        // 10 failures in 100: Wilson 95% is [0.0552, 0.1744] (Newcombe 1998, table I style).
        let r = Rate::new(10, 100);
        assert!(close(r.wilson95[0], 0.05523), "{:?}", r.wilson95);
        assert!(close(r.wilson95[1], 0.17437), "{:?}", r.wilson95);
        assert_eq!(r.rule_of_three, None);
    }

    #[test]
    fn zero_failures_get_the_rule_of_three() {
        let r = Rate::new(0, 10_000);
        assert_eq!(r.rate, 0.0);
        assert_eq!(r.wilson95[0], 0.0);
        assert!(close(r.rule_of_three.unwrap(), 3e-4));
        // Wilson's upper bound at 0/n is z^2/(n+z^2), a little above 3.84/n.
        assert!(close(r.wilson95[1], Z95 * Z95 / (10_000.0 + Z95 * Z95)));
        let twenty = Rate::new(0, 20);
        assert!(close(twenty.rule_of_three.unwrap(), 0.15));
    }

    #[test]
    fn all_failures_reach_one() {
        let r = Rate::new(50, 50);
        assert_eq!(r.rate, 1.0);
        assert_eq!(r.wilson95[1], 1.0);
        assert!(r.wilson95[0] > 0.9);
    }

    #[test]
    fn rates_print_for_people() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.1023), "10.23%");
        assert_eq!(percent(0.0003), "0.03%");
        assert_eq!(percent(0.00003), "3.0e-5");
    }
}
