//! Shards: `--shard K/N` splits a batch's runs into N contiguous blocks so that several machines
//! can share it, and `--shard slurm` takes K/N from a SLURM job array's variables. Only
//! arithmetic on run indices and on the variables' text (the caller reads the environment); it
//! knows nothing of what a run computes.

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

/// The variables SLURM sets in every task of a job array (`sbatch --array=…`), as their text,
/// `None` where unset. Read by the caller, so that turning them into a shard stays a pure
/// function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlurmArrayTask {
    /// `SLURM_ARRAY_TASK_ID`: this task's index in the array.
    pub task_id: Option<String>,
    /// `SLURM_ARRAY_TASK_MIN`: the array's lowest index.
    pub task_min: Option<String>,
    /// `SLURM_ARRAY_TASK_MAX`: the array's highest index.
    pub task_max: Option<String>,
    /// `SLURM_ARRAY_TASK_COUNT`: how many tasks the array has.
    pub task_count: Option<String>,
    /// `SLURM_ARRAY_TASK_STEP`: the step between indices (`--array=1-7:2`); 1 when unset.
    pub task_step: Option<String>,
}

impl SlurmArrayTask {
    /// The names of the variables SLURM sets, in the order of the fields.
    pub const VARIABLES: [&'static str; 5] = [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_MAX",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_STEP",
    ];

    /// The variables as `lookup` gives them by name (the process environment, or a test's).
    pub fn read(lookup: impl Fn(&str) -> Option<String>) -> SlurmArrayTask {
        let [id, min, max, count, step] = SlurmArrayTask::VARIABLES.map(lookup);
        SlurmArrayTask {
            task_id: id,
            task_min: min,
            task_max: max,
            task_count: count,
            task_step: step,
        }
    }

    /// The shard this task runs: the array's tasks, in index order, are shards 1 to N.
    ///
    /// K = (ID − MIN) / STEP + 1 and N = COUNT, so `--array=0-3` and `--array=1-4` both give
    /// shards 1/4 to 4/4, and `--array=1-7:2` (indices 1, 3, 5, 7) too. An array whose indices
    /// are not evenly spaced (`--array=1,2,5`) is refused: its task count and its lowest index
    /// cannot say which shard an index is.
    ///
    /// ```
    /// use sandtable::batch::{Shard, SlurmArrayTask};
    /// let task = SlurmArrayTask::read(|name| match name {
    ///     "SLURM_ARRAY_TASK_ID" => Some("2".into()),
    ///     "SLURM_ARRAY_TASK_MIN" => Some("0".into()),
    ///     "SLURM_ARRAY_TASK_COUNT" => Some("4".into()),
    ///     _ => None,
    /// });
    /// assert_eq!(task.shard(), Ok(Shard::new(3, 4).unwrap()));
    /// ```
    ///
    /// # Errors
    /// Outside a job array (no `SLURM_ARRAY_TASK_ID`), a variable missing or not a whole
    /// number, or variables that contradict each other.
    pub fn shard(&self) -> Result<Shard, ShardError> {
        if self.task_id.is_none() {
            return Err(ShardError(
                "--shard slurm takes K/N from a SLURM job array, but SLURM_ARRAY_TASK_ID is not \
                 set: this is not a task of an array (submit it with sbatch --array=1-N), or give \
                 --shard K/N"
                    .to_string(),
            ));
        }
        let [id_name, min_name, max_name, count_name, step_name] = SlurmArrayTask::VARIABLES;
        let id = whole_number(id_name, self.task_id.as_deref())?;
        let min = whole_number(min_name, self.task_min.as_deref())?;
        let max = whole_number(max_name, self.task_max.as_deref())?;
        let count = whole_number(count_name, self.task_count.as_deref())?;
        let step = whole_number(step_name, self.task_step.as_deref())?;
        let (Some(id), Some(min), Some(count)) = (id, min, count) else {
            return Err(self.missing());
        };
        let step = step.unwrap_or(1);
        array_shard(id, min, max, count, step).map_err(|problem| {
            ShardError(format!(
                "--shard slurm: {problem} ({}); submit a range such as --array=1-N, or give \
                 --shard K/N",
                self.described()
            ))
        })
    }

    /// The error for an array task without its lowest index or its count.
    fn missing(&self) -> ShardError {
        let missing: Vec<&str> = [
            (&self.task_min, SlurmArrayTask::VARIABLES[1]),
            (&self.task_count, SlurmArrayTask::VARIABLES[3]),
        ]
        .into_iter()
        .filter(|(value, _)| value.is_none())
        .map(|(_, name)| name)
        .collect();
        let unset = match missing.as_slice() {
            [one] => format!("{one} is not set"),
            names => format!("neither {} is set", names.join(" nor ")),
        };
        ShardError(format!(
            "--shard slurm needs SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and \
             SLURM_ARRAY_TASK_COUNT, and {unset} (SLURM sets all three in every task of a job \
             array); give --shard K/N instead"
        ))
    }

    /// The variables that are set, as `NAME=value` words, for messages.
    fn described(&self) -> String {
        [
            &self.task_id,
            &self.task_min,
            &self.task_max,
            &self.task_count,
            &self.task_step,
        ]
        .into_iter()
        .zip(SlurmArrayTask::VARIABLES)
        .filter_map(|(value, name)| value.as_ref().map(|v| format!("{name}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// A variable's value as a whole number, `None` when unset.
fn whole_number(name: &str, text: Option<&str>) -> Result<Option<u64>, ShardError> {
    text.map(|t| {
        t.trim().parse::<u64>().map_err(|_| {
            ShardError(format!(
                "--shard slurm: {name} is '{t}', not a whole number; is it set by SLURM?"
            ))
        })
    })
    .transpose()
}

/// Shard K/N of the task with index `id` in the array `min`, `min + step`, … of `count` tasks
/// (whose highest index is `max`, when known), or what contradicts that.
fn array_shard(
    id: u64,
    min: u64,
    max: Option<u64>,
    count: u64,
    step: u64,
) -> Result<Shard, String> {
    if count == 0 || step == 0 {
        return Err("an array of no tasks, or with a step of 0".to_string());
    }
    if id < min {
        return Err("the task's index is below the array's lowest".to_string());
    }
    if !(id - min).is_multiple_of(step) {
        return Err("the task's index is not the lowest plus a whole number of steps".to_string());
    }
    let last = (count - 1)
        .checked_mul(step)
        .and_then(|span| span.checked_add(min));
    if max.is_some_and(|max| Some(max) != last) {
        return Err(
            "the array's indices are not evenly spaced from the lowest to the highest, so the \
             task count and the lowest index do not tell which shard an index is"
                .to_string(),
        );
    }
    let index = (id - min) / step + 1;
    if index > count {
        return Err("the task's index lies beyond the array's count of tasks".to_string());
    }
    Shard::new(index, count).map_err(|e| e.0)
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

    /// The shard of an array task with the variables `set` (NAME=value words), or the error.
    fn slurm(set: &str) -> Result<(u64, u64), String> {
        let pairs: Vec<(&str, &str)> = set
            .split_whitespace()
            .map(|word| word.split_once('=').expect("NAME=value"))
            .collect();
        let task = SlurmArrayTask::read(|name| {
            let short = name.trim_start_matches("SLURM_ARRAY_TASK_");
            pairs
                .iter()
                .find(|(key, _)| *key == short)
                .map(|(_, value)| (*value).to_string())
        });
        task.shard()
            .map(|s| (s.index(), s.count()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn arrays_from_zero_and_from_one_give_the_same_shards() {
        for id in 0..4 {
            let zero = slurm(&format!("ID={id} MIN=0 MAX=3 COUNT=4 STEP=1"));
            let one = slurm(&format!("ID={} MIN=1 MAX=4 COUNT=4 STEP=1", id + 1));
            assert_eq!(zero, Ok((id + 1, 4)));
            assert_eq!(one, zero);
        }
        // MAX and STEP are optional: ID, MIN and COUNT suffice.
        assert_eq!(slurm("ID=7 MIN=5 COUNT=3"), Ok((3, 3)));
        // A lone task, as `sbatch --array=2` makes: the whole batch.
        assert_eq!(slurm("ID=2 MIN=2 MAX=2 COUNT=1 STEP=1"), Ok((1, 1)));
    }

    #[test]
    fn stepped_arrays_count_their_tasks() {
        // --array=1-7:2 runs indices 1, 3, 5 and 7.
        let shards: Vec<_> = [1, 3, 5, 7]
            .iter()
            .map(|id| slurm(&format!("ID={id} MIN=1 MAX=7 COUNT=4 STEP=2")))
            .collect();
        assert_eq!(shards, [Ok((1, 4)), Ok((2, 4)), Ok((3, 4)), Ok((4, 4))]);
        let off_step = slurm("ID=4 MIN=1 MAX=7 COUNT=4 STEP=2").unwrap_err();
        assert!(off_step.contains("whole number of steps"), "{off_step}");
    }

    #[test]
    fn missing_variables_are_named() {
        let outside = slurm("").unwrap_err();
        assert!(
            outside.contains("SLURM_ARRAY_TASK_ID is not set"),
            "{outside}"
        );
        assert!(outside.contains("--shard K/N"), "{outside}");
        let no_count = slurm("ID=1 MIN=1").unwrap_err();
        assert!(
            no_count.contains("SLURM_ARRAY_TASK_COUNT is not set"),
            "{no_count}"
        );
        let neither = slurm("ID=1").unwrap_err();
        assert!(
            neither.contains("neither SLURM_ARRAY_TASK_MIN nor SLURM_ARRAY_TASK_COUNT is set"),
            "{neither}"
        );
    }

    #[test]
    fn inconsistent_variables_are_refused() {
        let check = |set: &str, part: &str| {
            let message = slurm(set).expect_err(set);
            assert!(message.contains(part), "{set}: {message}");
            assert!(message.contains("--array=1-N"), "{set}: {message}");
        };
        check("ID=0 MIN=1 COUNT=4", "below the array's lowest");
        check("ID=5 MIN=1 COUNT=4", "beyond the array's count");
        check("ID=4 MIN=0 COUNT=4", "beyond the array's count");
        check("ID=1 MIN=1 COUNT=0", "no tasks");
        check("ID=1 MIN=1 COUNT=4 STEP=0", "step of 0");
        // --array=1,2,5: three tasks from 1 to 5, not evenly spaced.
        check("ID=5 MIN=1 MAX=5 COUNT=3 STEP=1", "not evenly spaced");
        check("ID=2 MIN=1 MAX=5 COUNT=3 STEP=1", "not evenly spaced");
        // The variables themselves are echoed, so a user sees what SLURM set.
        check(
            "ID=5 MIN=1 COUNT=4",
            "SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=1",
        );
    }

    #[test]
    fn non_numeric_variables_are_refused() {
        for set in [
            "ID=x MIN=1 COUNT=4",
            "ID=1 MIN=-1 COUNT=4",
            "ID=1 MIN=1 COUNT=4.0",
        ] {
            let message = slurm(set).expect_err(set);
            assert!(message.contains("not a whole number"), "{set}: {message}");
        }
        let beyond_u64 = slurm("ID=18446744073709551616 MIN=0 COUNT=2").unwrap_err();
        assert!(beyond_u64.contains("not a whole number"), "{beyond_u64}");
        // An array so wide that its last index does not fit: refused, not wrapped around.
        let wide = slurm("ID=0 MIN=0 MAX=5 COUNT=3 STEP=18446744073709551615").unwrap_err();
        assert!(wide.contains("not evenly spaced"), "{wide}");
    }
}
