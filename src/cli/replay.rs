//! `sandtable replay`: re-runs one replication of a batch with its event log on, prints the
//! after-action narrative, and with `--out` writes events.csv and the run's outcome row. With
//! `--from DIR` the batch is the one in DIR: its scenario, seed and overrides.

use super::{ReplayArgs, claim_folder, from_batch, load_scenario, print};
use crate::batch::{self, DEFAULT_SEED};
use crate::error::Error;
use crate::output::{self, ReplayFiles};

/// Replays the run `args` names.
///
/// # Errors
/// A scenario or usage error, a `--from` folder that holds no batch or contradicts the command
/// line, or an output directory that cannot be written (exit 2); the run failing in the
/// simulation (exit 1).
pub(super) fn replay(args: &ReplayArgs) -> Result<(), Error> {
    let (scenario, seed) = match &args.from {
        Some(from) => from_batch::replayed_batch(args, from)?,
        None => (
            load_scenario(args.scenario.scenario.as_deref(), &args.scenario.set)?,
            args.seed.unwrap_or(DEFAULT_SEED),
        ),
    };
    // The same lock as a batch's, held until the files are written: a replay into the folder
    // of a batch that is running waits for no one and writes nothing (exit 2). It replaces no
    // batch, so it needs no --force.
    let _folder = claim_folder(args.out.as_deref(), None, true, &[])?;
    // The same call the batch makes for run I, with the log on; the log never draws randomness,
    // so the outcome is the batch's row I. A run that failed in its batch fails here too, and
    // is reported the same way: an internal error, not a crash.
    let replication = batch::replay(&scenario, seed, args.run)
        .map_err(|message| Error::Internal(format!("run {} failed: {message}", args.run)))?;
    let mut text = output::render_narrative(&scenario, seed, args.run, &replication);
    if let Some(dir) = &args.out {
        let written = ReplayFiles::write(dir, &scenario, seed, args.run, &replication)?;
        text.push_str(&output::render_written(dir, &written));
    }
    print(&text)
}
