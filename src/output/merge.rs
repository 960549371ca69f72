//! `sandtable merge`: the folders of a batch's shards (`run` or `sweep --shard K/N --out DIR`)
//! read back, checked to be the shards of one batch, each whole, and their rows put together in
//! run order into the journal of the merged folder, which then publishes like any batch. Rows
//! are copied as they are and read once into the statistics: memory stays flat in the number of
//! runs.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::manifest::Manifest;
use super::resume::{self, JournalRow, MANIFEST_PARTIAL};
use super::runs::RowKeys;
use super::{BatchFiles, OutputError, io_error, verify_published};
use crate::sim::OutcomeSchema;

/// Why shard folders cannot be merged. All of these are the user's to fix (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// One folder is not a whole shard of the batch, or not of the same batch as the first.
    #[error("{dir}: {message}")]
    Shard {
        /// The offending folder.
        dir: String,
        /// What is wrong with it.
        message: String,
    },
    /// Shards of the batch are not among the folders given.
    #[error(
        "shards missing: {}; merge them when every shard has finished, or add \
         --allow-partial to merge the others",
        .0.join(", ")
    )]
    Missing(Vec<String>),
}

/// A shard's folder and its manifest, checked to be published whole.
#[derive(Debug, Clone)]
pub struct ShardFolder {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// A sweep's experiment file, as its manifest names it (`None` for a `run` batch).
    pub experiment_file: Option<PathBuf>,
    /// It holds `runs.parquet` (`run --format csv,parquet`), which the merged folder then
    /// holds too.
    pub parquet: bool,
}

/// The shards of one batch, in run order, with the shards not given.
#[derive(Debug, Clone)]
pub struct ShardSet {
    /// The shards given, by their index.
    pub shards: Vec<ShardFolder>,
    /// The shards not given, as "shard K/N (runs A to B)"; empty when the batch is whole.
    pub missing: Vec<String>,
}

fn shard_error(dir: &Path, message: impl Into<String>) -> OutputError {
    MergeError::Shard {
        dir: dir.display().to_string(),
        message: message.into(),
    }
    .into()
}

/// Reads the shard folders `dirs` (in any order): each published whole and complete, all of one
/// batch (engine, scenario, seed, runs, overrides, experiment, shard count and files), no shard
/// twice. Shards not given are refused unless `allow_partial`.
///
/// # Errors
/// [`MergeError`] naming the offending folder, or the missing shards.
pub fn read_shards(dirs: &[PathBuf], allow_partial: bool) -> Result<ShardSet, OutputError> {
    let mut shards = dirs
        .iter()
        .map(|dir| read_shard(dir))
        .collect::<Result<Vec<_>, _>>()?;
    let first = shards
        .first()
        .cloned()
        .ok_or_else(|| OutputError::Internal("no shard folder given".into()))?;
    for shard in &shards[1..] {
        same_batch(&first, shard)?;
    }
    shards.sort_by_key(|s| s.manifest.identity.shard.index);
    for pair in shards.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.manifest.identity.shard.index == b.manifest.identity.shard.index {
            let message = format!(
                "holds shard {}/{} too, as does {}: give each shard once",
                b.manifest.identity.shard.index,
                b.manifest.identity.shard.count,
                a.dir.display()
            );
            return Err(shard_error(&b.dir, message));
        }
    }
    let missing = missing_shards(&shards);
    if !missing.is_empty() && !allow_partial {
        return Err(MergeError::Missing(missing).into());
    }
    Ok(ShardSet { shards, missing })
}

/// A folder checked to be a shard published whole, every one of its runs done.
fn read_shard(dir: &Path) -> Result<ShardFolder, OutputError> {
    if dir.join(MANIFEST_PARTIAL).is_file() {
        let message = "its batch has not finished (it holds manifest.json.partial): let it end, \
                       or continue it with run --resume, before merging";
        return Err(shard_error(dir, message));
    }
    let manifest = verify_published(dir).map_err(|e| shard_error(dir, e.to_string()))?;
    let experiment_file = match manifest.identity.experiment_sha256 {
        Some(_) => Some(experiment_file(dir)?),
        None => None,
    };
    let shard = manifest.identity.shard;
    let expected = shard.end_run - shard.first_run;
    if manifest.status != super::BatchStatus::Complete || manifest.completed_runs != expected {
        let message = format!(
            "shard {}/{} is incomplete ({} of its {expected} runs; it was interrupted): \
             continue it with: {}",
            shard.index,
            shard.count,
            manifest.completed_runs,
            manifest.resume.as_deref().unwrap_or(&manifest.reproduce)
        );
        return Err(shard_error(dir, message));
    }
    Ok(ShardFolder {
        dir: dir.to_path_buf(),
        manifest,
        experiment_file,
        parquet: dir.join("runs.parquet").is_file(),
    })
}

/// The experiment file a sweep's manifest in `dir` names, as it was given.
fn experiment_file(dir: &Path) -> Result<PathBuf, OutputError> {
    /// The part of a sweep's manifest that names its experiment.
    #[derive(serde::Deserialize)]
    struct SweepPart {
        experiment: ExperimentPart,
    }
    #[derive(serde::Deserialize)]
    struct ExperimentPart {
        file: PathBuf,
    }
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
    let part: SweepPart = serde_json::from_str(&text)
        .map_err(|e| shard_error(dir, format!("not a sweep's manifest.json ({e})")))?;
    Ok(part.experiment.file)
}

/// Refuses `other` unless it is a shard of `first`'s batch, with the same output files.
fn same_batch(first: &ShardFolder, other: &ShardFolder) -> Result<(), OutputError> {
    let (a, b) = (&first.manifest.identity, &other.manifest.identity);
    // Worded from `other`'s side ("its seed is 6, not 5"), the shard compared aside.
    let mut differences = b.differences(&super::BatchIdentity {
        shard: super::ShardInfo {
            index: b.shard.index,
            count: b.shard.count,
            ..a.shard
        },
        ..a.clone()
    });
    if a.shard.count != b.shard.count {
        differences.push(format!(
            "it is one of {} shards, {} one of {} (their runs overlap)",
            b.shard.count,
            first.dir.display(),
            a.shard.count
        ));
    }
    let published = |m: &Manifest| -> Vec<String> {
        let files = m.files.keys().filter(|name| *name != "failures.csv");
        files.cloned().collect()
    };
    if first.parquet != other.parquet {
        let holds = |s: &ShardFolder| if s.parquet { "holds" } else { "does not hold" };
        differences.push(format!(
            "it {} runs.parquet, {} {} (another --format)",
            holds(other),
            first.dir.display(),
            holds(first)
        ));
    }
    if published(&first.manifest) != published(&other.manifest) {
        differences.push(format!(
            "it holds the files {}, {} holds {} (another output format)",
            published(&other.manifest).join(", "),
            first.dir.display(),
            published(&first.manifest).join(", ")
        ));
    }
    if differences.is_empty() {
        return Ok(());
    }
    let message = format!(
        "not a shard of the same batch as {}: {}",
        first.dir.display(),
        differences.join("; ")
    );
    Err(shard_error(&other.dir, message))
}

/// The shards of the batch not among `shards` (sorted by index, none twice).
fn missing_shards(shards: &[ShardFolder]) -> Vec<String> {
    let Some(first) = shards.first() else {
        return Vec::new();
    };
    let (count, runs) = (
        first.manifest.identity.shard.count,
        first.manifest.identity.runs,
    );
    (1..=count)
        .filter(|k| shards.iter().all(|s| s.manifest.identity.shard.index != *k))
        .map(|k| {
            let plan = crate::batch::Plan {
                seed: 0,
                runs,
                shard: crate::batch::Shard::new(k, count).unwrap_or(crate::batch::Shard::WHOLE),
                threads: 1,
            };
            let block = plan.run_indices();
            format!(
                "shard {k}/{count} (runs {} to {})",
                block.start,
                block.end.saturating_sub(1)
            )
        })
        .collect()
}

/// Appends every row of `shards` to `files` (the merged folder's journal), as they are, and
/// hands each to `on_row` in run order: each shard's `runs.csv` read back in full (every run
/// of the shard, with the batch's seed and columns, whole lines) before its bytes are copied.
///
/// # Errors
/// [`MergeError`] naming a shard whose `runs.csv` is truncated or damaged; an I/O error.
pub fn merge_rows(
    shards: &ShardSet,
    (keys, schema): (RowKeys, &OutcomeSchema),
    files: &mut BatchFiles,
    on_row: &mut dyn FnMut(u64, JournalRow) -> Result<(), String>,
) -> Result<(), OutputError> {
    for shard in &shards.shards {
        let identity = &shard.manifest.identity;
        let range = identity.shard.first_run..identity.shard.end_run;
        let runs_path = shard.dir.join("runs.csv");
        let failures_path = shard.dir.join("failures.csv");
        let read = resume::read_finished_rows(
            (&runs_path, &failures_path),
            (keys, schema),
            identity.seed,
            range.clone(),
            on_row,
        )?;
        if read.next_run != range.end || read.rows_len != read.file_len {
            let message = format!(
                "runs.csv is truncated or damaged: its rows stop being the batch's at run {} \
                 (the shard holds runs {} to {}); run the shard again",
                read.next_run,
                range.start,
                range.end - 1
            );
            return Err(shard_error(&shard.dir, message));
        }
        let mut rows = after_header(&runs_path)?;
        let mut failures: Box<dyn Read> = if failures_path.is_file() {
            Box::new(after_header(&failures_path)?)
        } else {
            Box::new(std::io::empty())
        };
        files.append_finished((&mut rows, range.end - range.start), &mut failures)?;
    }
    Ok(())
}

/// The CSV file at `path`, positioned after its header line.
fn after_header(path: &Path) -> Result<BufReader<File>, OutputError> {
    let io = |e| io_error(path, e);
    let mut reader = BufReader::new(File::open(path).map_err(io)?);
    let mut header = Vec::new();
    let len = reader.read_until(b'\n', &mut header).map_err(io)?;
    reader.seek(SeekFrom::Start(len as u64)).map_err(io)?;
    Ok(reader)
}
