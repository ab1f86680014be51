//! Seeded schedule perturbation: delays and yields injected through the runtime seam at
//! branch start, between VM creation and the first chunk, and at each step of handing a
//! result to the fan-in (before the claim, between claim and store, before publishing).
//!
//! Everything is derived from the run seed, so a failing iteration replays with the same
//! perturbation. `off` injects nothing and costs one branch per point.

use std::time::Duration;

use crate::sync::Runtime;

/// How hard to shake the schedule.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ChaosLevel {
    /// No perturbation.
    #[default]
    Off,
    /// Occasional yields and sleeps of up to 100 µs.
    Light,
    /// Frequent yields and sleeps of up to 1 ms.
    Heavy,
}

impl ChaosLevel {
    /// Parses `off`, `light` or `heavy`.
    pub fn parse(name: &str) -> Option<ChaosLevel> {
        match name {
            "off" => Some(ChaosLevel::Off),
            "light" => Some(ChaosLevel::Light),
            "heavy" => Some(ChaosLevel::Heavy),
            _ => None,
        }
    }

    /// The name [`ChaosLevel::parse`] takes.
    pub fn as_str(self) -> &'static str {
        match self {
            ChaosLevel::Off => "off",
            ChaosLevel::Light => "light",
            ChaosLevel::Heavy => "heavy",
        }
    }
}

/// Where a perturbation is injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChaosPoint {
    /// A worker took the branch, before anything else.
    BranchStart = 1,
    /// The branch's VM exists; its first chunk has not run.
    AfterVmCreate = 2,
    /// The branch is done; its result is not yet handed to the collector.
    BeforeCollect = 3,
    /// The collector claimed the result; it is not stored yet.
    InCollector = 4,
    /// The result is stored; it is not published to the fan-in yet.
    BeforePublish = 5,
}

/// A run's perturbation: its level and seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chaos {
    /// How hard.
    pub level: ChaosLevel,
    /// The run seed it derives from.
    pub seed: u64,
}

impl Chaos {
    /// No perturbation.
    pub const OFF: Chaos = Chaos {
        level: ChaosLevel::Off,
        seed: 0,
    };

    /// Injects this point's seeded delay or yield for branch `branch`, if any.
    pub(crate) fn perturb<R: Runtime>(self, branch: usize, point: ChaosPoint) {
        perturb::<R>(self.level, self.seed, branch, point);
    }
}

/// SplitMix64 finaliser: a well-mixed 64-bit hash of `a` and `b`.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Injects this point's seeded delay or yield, if any.
pub(crate) fn perturb<R: Runtime>(level: ChaosLevel, seed: u64, branch: usize, point: ChaosPoint) {
    if level == ChaosLevel::Off {
        return;
    }
    let r = mix(mix(seed, (branch as u64).wrapping_add(1)), point as u64);
    let roll = r % 16;
    let micros = (r >> 8) % 1000;
    match level {
        ChaosLevel::Off => {}
        ChaosLevel::Light => match roll {
            0..=3 => R::yield_now(),
            4 => R::sleep(Duration::from_micros(micros / 10)),
            _ => {}
        },
        ChaosLevel::Heavy => match roll {
            0..=5 => R::yield_now(),
            6..=9 => R::sleep(Duration::from_micros(micros)),
            _ => {}
        },
    }
}
