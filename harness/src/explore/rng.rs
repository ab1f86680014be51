//! The explorer's randomness: SplitMix64, seeded from the schedule seed alone (no
//! environment, no OS randomness), so a schedule is a pure function of its seed.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough for task choices.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`); the bias of multiply-shift is at most n / 2^64.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// The stream that answers `next_u64` (shuttle's random data), apart from the one that
/// chooses tasks, so one never shifts the other.
pub const DATA_STREAM: u64 = 0xD1B5_4A32_D192_ED03;
