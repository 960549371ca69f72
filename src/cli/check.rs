//! `sandtable check`: loads and validates a scenario and prints its digest. Runs nothing.

use super::{CheckArgs, load_scenario, print};
use crate::error::Error;
use crate::output;

/// Checks the scenario `args` names, or the embedded default.
///
/// # Errors
/// A missing file or a scenario error, located at file:line:col where it has a place (exit 2).
pub(super) fn check(args: &CheckArgs) -> Result<(), Error> {
    let scenario = load_scenario(args.scenario.as_deref(), &args.set)?;
    print(&output::render_digest(&scenario))
}
