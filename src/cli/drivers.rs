//! `sandtable drivers`: reads a finished `run` or `sweep` folder's runs.csv by column, ranks
//! the inputs by how much they move one outcome (PRCC, SRC, and PRIM for a yes/no outcome),
//! prints the table and with `--out` writes drivers.csv and drivers.json.

use super::{DriversArgs, print};
use crate::analysis::{self, OutcomeChoice, OutcomeRule};
use crate::error::Error;
use crate::output;
use crate::scenario;
use crate::sim::OutcomeSchema;

/// Runs `sandtable drivers`.
///
/// # Errors
/// A folder that is not a finished run or sweep, an unknown outcome, too few runs, a field of
/// runs.csv that is not a value of its column, or an output file that cannot be written
/// (exit 2).
pub(super) fn drivers(args: &DriversArgs) -> Result<(), Error> {
    let folder = output::open_batch_folder(&args.dir)?;
    // The resolved scenario has the batch's overrides applied (a sweep's is its base), so its
    // outcome columns are the header's.
    let scenario = scenario::load(&folder.scenario, &[])?;
    let schema = OutcomeSchema::for_scenario(&scenario);
    let choice: OutcomeChoice = match &args.outcome {
        Some(choice) => choice.clone(),
        None => analysis::default_outcome(&schema).ok_or_else(|| {
            Error::Usage("this scenario has no convoy: choose an outcome with --outcome".into())
        })?,
    };
    let rule = OutcomeRule::new(&schema, &choice)?;
    // Every input as f32, read once; see analysis::Cell for why that keeps the results.
    let table = output::read_runs_table::<f32>(&folder, &schema, &rule, None)?;
    let mut found = analysis::drivers(&choice, table)?;
    if rule.is_yes_no() {
        // PRIM's thresholds are values of runs.csv: its few inputs are read again exactly.
        let names: Vec<String> = found
            .prim_inputs
            .iter()
            .map(|&j| found.inputs[j].clone())
            .collect();
        let exact = output::read_runs_table::<f64>(&folder, &schema, &rule, Some(&names))?;
        let (_, columns, _) = analysis::inputs::prepare_inputs(exact.inputs);
        found.prim = Some(analysis::prim_on_drivers(&found, &columns, &exact.outcome)?);
    }
    let labels = output::input_labels(&scenario, &found.inputs);
    let outcome = output::choice_label(&scenario, &choice);
    let mut text = output::render_drivers(&found, &labels, &outcome, folder.kind);
    if let Some(path) = &args.out {
        for written in output::write_drivers(path, &found, &labels, folder.kind)? {
            text.push_str(&format!("wrote {}\n", written.display()));
        }
    }
    print(&text)
}
