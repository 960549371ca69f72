//! Shards: `--shard K/N` splits a batch's runs into N contiguous blocks so that several machines
//! can share it. Only arithmetic on run indices; it knows nothing of what a run computes.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Block K of N (1-based) of a batch's run indices.
///
/// Block K holds the runs [⌊(K−1)·R/N⌋, ⌊K·R/N⌋): the blocks are disjoint, cover every run, and
/// differ in size by at most one, so their `runs.csv` rows concatenated in K order are the rows
/// of the unsharded batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

/// A `--shard` value that is not K/N with 1 ≤ K ≤ N.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShardError(String);

impl Shard {
    /// The whole batch: shard 1 of 1.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Shard `index` of `count`, both 1-based.
    ///
    /// # Errors
    /// When `count` is 0 or `index` is not in 1..=count.
    pub fn new(index: u64, count: u64) -> Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError(
                "the number of shards N in K/N must be at least 1".to_string(),
            ));
        }
        if !(1..=count).contains(&index) {
            return Err(ShardError(format!(
                "shard {index}/{count} does not exist: K in K/N must be from 1 to {count}"
            )));
        }
        Ok(Shard { index, count })
    }

    /// K, from 1.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// N.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether this is the whole batch.
    pub fn is_whole(&self) -> bool {
        self.count == 1
    }

    /// The run indices of this shard of a batch of `runs`.
    ///
    /// ```
    /// use sandtable::batch::Shard;
    /// let shards: Vec<_> = (1..=3).map(|k| Shard::new(k, 3).unwrap().runs(10)).collect();
    /// assert_eq!(shards, [0..3, 3..6, 6..10]);
    /// ```
    pub fn runs(&self, runs: u64) -> Range<u64> {
        // u128, so K·R cannot overflow for any u64 run count.
        let bound = |k: u64| (u128::from(k) * u128::from(runs) / u128::from(self.count)) as u64;
        bound(self.index - 1)..bound(self.index)
    }
}

impl Default for Shard {
    fn default() -> Self {
        Shard::WHOLE
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let not_k_of_n = || {
            ShardError(format!(
                "'{s}' is not K/N (e.g. 2/8: the second of eight shards)"
            ))
        };
        let (k, n) = s.trim().split_once('/').ok_or_else(not_k_of_n)?;
        let k: u64 = k.trim().parse().map_err(|_| not_k_of_n())?;
        let n: u64 = n.trim().parse().map_err(|_| not_k_of_n())?;
        Shard::new(k, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_tile_the_runs_in_order() {
        for runs in [0, 1, 2, 3, 7, 10, 1000, 1001, 99_999] {
            for count in [1, 2, 3, 7, 64] {
                let mut next = 0;
                for index in 1..=count {
                    let block = Shard::new(index, count).unwrap().runs(runs);
                    assert_eq!(block.start, next, "{index}/{count} of {runs}");
                    assert!(block.end - block.start <= runs / count + 1);
                    next = block.end;
                }
                assert_eq!(next, runs, "{count} shards of {runs}");
            }
        }
    }

    #[test]
    fn huge_batches_do_not_overflow() {
        let last = Shard::new(3, 3).unwrap().runs(u64::MAX);
        assert_eq!(last.end, u64::MAX);
    }

    #[test]
    fn parsing() {
        let check = |text: &str, expected: Result<(u64, u64), &str>| {
            let got = text
                .parse::<Shard>()
                .map(|s| (s.index(), s.count()))
                .map_err(|e| e.to_string());
            match expected {
                Ok(pair) => assert_eq!(got, Ok(pair), "{text}"),
                Err(part) => {
                    let message = got.expect_err(text);
                    assert!(message.contains(part), "{text}: {message}");
                }
            }
        };
        check("1/1", Ok((1, 1)));
        check("2/8", Ok((2, 8)));
        check(" 3 / 3 ", Ok((3, 3)));
        check("4/3", Err("K in K/N must be from 1 to 3"));
        check("0/3", Err("K in K/N must be from 1 to 3"));
        check("1/0", Err("at least 1"));
        check("3", Err("is not K/N"));
        check("a/b", Err("is not K/N"));
        check("-1/3", Err("is not K/N"));
        assert_eq!(Shard::new(2, 8).unwrap().to_string(), "2/8");
    }
}
