//! A tiny deterministic pseudo-random generator (SplitMix64): the same seed gives the same
//! data on every machine and with every version of every crate, which a seeded generator
//! from a library does not promise.

/// SplitMix64 (Steele, Lea and Flood, 2014): 64 bits of state, good enough statistics for
/// test data, and nothing to configure.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`, mixed with `stream` so that independent parts of the data set
    /// (the facilities, each plan year) get independent sequences.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Self(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
        rng
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0), without modulo bias worth speaking of.
    pub fn below(&mut self, n: u64) -> u64 {
        let wide = u128::from(self.next_u64()) * u128::from(n);
        u64::try_from(wide >> 64).unwrap_or(0)
    }

    /// An index into a slice of `len` items (0 when `len` is 0).
    pub fn index(&mut self, len: usize) -> usize {
        let len = u64::try_from(len).unwrap_or(u64::MAX);
        usize::try_from(self.below(len)).unwrap_or(0)
    }

    /// A number in `low..=high` (`low` when the range is empty).
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        let span = high.abs_diff(low).saturating_add(1);
        let offset = self.below(span);
        low.saturating_add_unsigned(offset)
    }

    /// A multiple of `step` in `low..=high` (both multiples of `step` for an even spread).
    pub fn stepped(&mut self, low: i64, high: i64, step: i64) -> i64 {
        let step = step.max(1);
        self.range(low / step, high / step).saturating_mul(step)
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One item of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// One item of a non-empty table of (item, weight), in proportion to the weights.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        &items[self.weighted_index(items)].0
    }

    /// The index of one row of a non-empty table of (item, weight), in proportion to the
    /// weights.
    pub fn weighted_index<T>(&mut self, items: &[(T, u32)]) -> usize {
        let sum: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut ticket = self.below(sum);
        for (index, (_, weight)) in items.iter().enumerate() {
            let weight = u64::from(*weight);
            if ticket < weight {
                return index;
            }
            ticket -= weight;
        }
        items.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence_and_streams_differ() {
        let a: Vec<u64> = {
            let mut rng = Rng::new(7, 1);
            (0..5).map(|_| rng.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut rng = Rng::new(7, 1);
            (0..5).map(|_| rng.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut rng = Rng::new(7, 2);
            (0..5).map(|_| rng.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn ranges_stay_inside_and_reach_both_ends() {
        let mut rng = Rng::new(1, 0);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = rng.range(3, 7);
            assert!((3..=7).contains(&v));
            seen[usize::try_from(v - 3).expect("small")] = true;
            let s = rng.stepped(1_000, 9_000, 1_000);
            assert!((1_000..=9_000).contains(&s) && s % 1_000 == 0);
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(rng.range(5, 5), 5);
        assert_eq!(rng.range(5, 2), 5);
        assert_eq!(rng.below(0), 0);
    }

    #[test]
    fn weights_are_respected() {
        let mut rng = Rng::new(3, 0);
        let table = [("a", 1), ("b", 0), ("c", 3)];
        let mut counts = [0u32; 3];
        for _ in 0..4000 {
            match *rng.weighted(&table) {
                "a" => counts[0] += 1,
                "b" => counts[1] += 1,
                _ => counts[2] += 1,
            }
        }
        assert_eq!(counts[1], 0);
        assert!((800..1200).contains(&counts[0]), "{counts:?}");
    }
}
