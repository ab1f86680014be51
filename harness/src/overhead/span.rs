//! A median with its confidence interval, and the interval arithmetic that carries
//! criterion's intervals through the derived ratios (no statistics are recomputed: a
//! derived figure's range is simply what its inputs' ranges allow).

use super::criterion::Estimate;

/// A figure with the range it may lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// The median (or a figure derived from medians).
    pub mid: f64,
    /// The low end of the range.
    pub low: f64,
    /// The high end of the range.
    pub high: f64,
}

impl Span {
    /// A figure with no spread (a deterministic measurement).
    pub fn exact(x: f64) -> Span {
        Span {
            mid: x,
            low: x,
            high: x,
        }
    }

    /// Criterion's median, scaled from nanoseconds by `per_ns` (1e-3 for µs).
    pub fn from_estimate(e: &Estimate, per_ns: f64) -> Span {
        Span {
            mid: e.median_ns * per_ns,
            low: e.low_ns * per_ns,
            high: e.high_ns * per_ns,
        }
    }

    /// `self - other`, widest range.
    pub fn minus(self, other: Span) -> Span {
        Span {
            mid: self.mid - other.mid,
            low: self.low - other.high,
            high: self.high - other.low,
        }
    }

    /// `self + other`.
    pub fn plus(self, other: Span) -> Span {
        Span {
            mid: self.mid + other.mid,
            low: self.low + other.low,
            high: self.high + other.high,
        }
    }

    /// `self × k` for `k ≥ 0`.
    pub fn times(self, k: f64) -> Span {
        Span {
            mid: self.mid * k,
            low: self.low * k,
            high: self.high * k,
        }
    }

    /// `self / other`, widest range; `None` when `other` may be zero or negative.
    pub fn over(self, other: Span) -> Option<Span> {
        (other.low > 0.0).then(|| Span {
            mid: self.mid / other.mid,
            low: self.low / other.high,
            high: self.high / other.low,
        })
    }

    /// `k / self` (a rate from a time); `None` when `self` may be zero.
    pub fn reciprocal(self, k: f64) -> Option<Span> {
        (self.low > 0.0).then(|| Span {
            mid: k / self.mid,
            low: k / self.high,
            high: k / self.low,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_take_the_widest_range() {
        let a = Span {
            mid: 10.0,
            low: 8.0,
            high: 12.0,
        };
        let b = Span {
            mid: 5.0,
            low: 4.0,
            high: 6.0,
        };
        let r = a.over(b).unwrap();
        assert_eq!((r.mid, r.low, r.high), (2.0, 8.0 / 6.0, 3.0));
        let d = a.minus(b);
        assert_eq!((d.mid, d.low, d.high), (5.0, 2.0, 8.0));
        assert!(a.over(Span::exact(0.0)).is_none());
    }
}
