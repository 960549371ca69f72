//! `--shard K/N | slurm`: a block of the batch named on the command line, or the one a SLURM job
//! array's task stands for. The only place that reads the array's variables from the
//! environment; turning them into a shard is `batch::SlurmArrayTask`'s pure arithmetic.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::batch::{Shard, SlurmArrayTask};
use crate::error::Error;

/// What `--shard` says: a block K/N, or `slurm`, the job array's task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShardChoice {
    /// `--shard K/N`.
    Block(Shard),
    /// `--shard slurm`: K/N from `SLURM_ARRAY_TASK_ID`, `_MIN` and `_COUNT`.
    Slurm,
}

impl FromStr for ShardChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("slurm") {
            return Ok(ShardChoice::Slurm);
        }
        s.parse().map(ShardChoice::Block).map_err(|e| {
            format!("{e}; or slurm, to take K/N from the SLURM job array this task belongs to")
        })
    }
}

/// A shard and the folder its files go to, once `--shard` is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placed {
    /// The shard to run; `None` for the whole batch.
    pub shard: Option<Shard>,
    /// `--out` as given, or, for `--shard slurm`, the task's folder `DIR/shard-K-of-N` in it, so
    /// that every task of one array writes beside the others and `merge DIR/shard-*` finds them.
    pub out: Option<PathBuf>,
}

/// Resolves `--shard` against `--out`: `slurm` by this process's SLURM array variables.
///
/// # Errors
/// `--shard slurm` outside a job array, or with array variables that are missing, not whole
/// numbers or inconsistent (exit 2, naming them).
pub(crate) fn place(choice: Option<ShardChoice>, out: Option<&Path>) -> Result<Placed, Error> {
    let task = SlurmArrayTask::read(|name| std::env::var(name).ok());
    place_with(choice, out, &task)
}

/// [`place`] with the array's variables given.
fn place_with(
    choice: Option<ShardChoice>,
    out: Option<&Path>,
    task: &SlurmArrayTask,
) -> Result<Placed, Error> {
    match choice {
        None => Ok(Placed {
            shard: None,
            out: out.map(Path::to_path_buf),
        }),
        Some(ShardChoice::Block(shard)) => Ok(Placed {
            shard: Some(shard),
            out: out.map(Path::to_path_buf),
        }),
        Some(ShardChoice::Slurm) => {
            let shard = task.shard().map_err(|e| Error::Usage(e.to_string()))?;
            Ok(Placed {
                shard: Some(shard),
                out: out.map(|dir| dir.join(folder_name(shard))),
            })
        }
    }
}

/// `shard-K-of-N`: the folder of shard K/N of an array's batch.
pub(crate) fn folder_name(shard: Shard) -> String {
    format!("shard-{}-of-{}", shard.index(), shard.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, min: &str, count: &str) -> SlurmArrayTask {
        SlurmArrayTask {
            task_id: Some(id.to_string()),
            task_min: Some(min.to_string()),
            task_count: Some(count.to_string()),
            ..SlurmArrayTask::default()
        }
    }

    #[test]
    fn slurm_tasks_write_into_their_shard_folder() {
        let placed = place_with(
            Some(ShardChoice::Slurm),
            Some(Path::new("/scratch/batch")),
            &task("3", "1", "4"),
        )
        .unwrap();
        assert_eq!(placed.shard, Some(Shard::new(3, 4).unwrap()));
        assert_eq!(
            placed.out.as_deref(),
            Some(Path::new("/scratch/batch/shard-3-of-4"))
        );
    }

    #[test]
    fn a_block_keeps_its_out_folder() {
        let shard = Shard::new(2, 8).unwrap();
        let placed = place_with(
            Some(ShardChoice::Block(shard)),
            Some(Path::new("out")),
            &task("3", "1", "4"),
        )
        .unwrap();
        assert_eq!(placed.shard, Some(shard));
        assert_eq!(placed.out.as_deref(), Some(Path::new("out")));
    }

    #[test]
    fn slurm_outside_an_array_is_a_usage_error() {
        let error = place_with(
            Some(ShardChoice::Slurm),
            Some(Path::new("out")),
            &SlurmArrayTask::default(),
        )
        .unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(error.to_string().contains("SLURM_ARRAY_TASK_ID is not set"));
    }

    #[test]
    fn parsing() {
        assert_eq!("slurm".parse(), Ok(ShardChoice::Slurm));
        assert_eq!("SLURM".parse(), Ok(ShardChoice::Slurm));
        assert_eq!(
            "2/8".parse(),
            Ok(ShardChoice::Block(Shard::new(2, 8).unwrap()))
        );
        let wrong = "slurm/4".parse::<ShardChoice>().unwrap_err();
        assert!(
            wrong.contains("is not K/N") && wrong.contains("or slurm"),
            "{wrong}"
        );
        assert_eq!(folder_name(Shard::new(2, 8).unwrap()), "shard-2-of-8");
    }
}
