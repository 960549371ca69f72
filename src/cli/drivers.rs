//! `sandtable drivers`: reads a finished batch's runs.csv, ranks the drawn inputs by how much
//! they move one outcome (PRCC, SRC, and PRIM for a yes/no outcome), prints the table and with
//! `--out` writes drivers.csv and drivers.json.

use super::{DriversArgs, print};
use crate::analysis::{self, OutcomeChoice};
use crate::error::Error;
use crate::output;
use crate::scenario;
use crate::sim::OutcomeSchema;

/// Runs `sandtable drivers`.
///
/// # Errors
/// A folder that is not a finished batch, an unknown outcome, too few runs, or an output file
/// that cannot be written (exit 2).
pub(super) fn drivers(args: &DriversArgs) -> Result<(), Error> {
    let resolved = output::batch_scenario_path(&args.dir)?;
    // The resolved scenario has the batch's overrides applied, so its schema is the header's.
    let scenario = scenario::load(&resolved, &[])?;
    let schema = OutcomeSchema::for_scenario(&scenario);
    let rows = output::read_runs(&args.dir, &schema)?;
    let choice: OutcomeChoice = match &args.outcome {
        Some(choice) => choice.clone(),
        None => analysis::default_outcome(&schema).ok_or_else(|| {
            Error::Usage("this scenario has no convoy: choose an outcome with --outcome".into())
        })?,
    };
    let found = analysis::drivers(&schema, &rows, &choice)?;
    let mut text = output::render_drivers(&found);
    if let Some(path) = &args.out {
        for written in output::write_drivers(path, &found)? {
            text.push_str(&format!("wrote {}\n", written.display()));
        }
    }
    print(&text)
}
