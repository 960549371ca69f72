//! Turns the serde mirror into a [`Scenario`]: resolves every reference to an index, registers
//! every number as a parameter with its path, checks ranges, dates and routes. One file per
//! block of the scenario; each problem carries the key path of the value at fault, and the
//! loader places it at file:line:col. Knows nothing of files, `extends` or `--set`.

mod air;
mod builder;
mod combat;
mod convoys;
mod factions;
mod groups;
mod ids;
mod network;
mod reinforcements;
mod roads;
mod sites;
mod withdrawals;

use self::builder::Builder;
use self::network::Graph;
use super::Scenario;
use super::diagnostic::Problem;
use super::schema::ScenarioFile;

/// A validation step: its result, or the problem at the value at fault.
type Result<T> = std::result::Result<T, Problem>;

/// Validates a scenario and resolves it into plain data.
///
/// The blocks are visited in the order below, the entries of a block in file order, and the
/// keys of an entry in the fixed order its function lists them (not the order the file writes
/// them in). That order is the order of the parameters in [`Scenario::params`], hence the order
/// of the uncertain-number columns of `runs.csv`: reordering these calls reorders those columns
/// (the golden test says so). It does not change any draw, since each number draws from its own
/// stream keyed by its path. It also decides which problem is reported when a file has several.
pub(super) fn validate(
    file: ScenarioFile,
    origin: String,
    resolved_toml: String,
) -> Result<Scenario> {
    let (start, horizon_days) = builder::calendar(&file)?;
    ids::check_counts(&file)?;
    ids::check_ids(&file)?;
    let mut b = Builder::new(&file, start, horizon_days);

    // Combat and IED rules come first: their numbers lead the runs.csv parameter columns.
    let combat = combat::combat(&mut b, &file.combat)?;
    let ied = combat::ied(&mut b, &file.ied)?;
    let factions = factions::factions(&mut b, &file.factions)?;
    let stances = factions::stances(&b, &file.stances, factions.len())?;
    let sites = sites::sites(&mut b, &file.sites, &stances)?;
    let roads = roads::roads(&mut b, &file.roads)?;
    let graph = Graph::on_mean_lengths(sites.len(), &roads, &b.params);
    let withdrawals = withdrawals::withdrawals(&b, &file.withdrawals, &sites)?;
    let convoys = convoys::convoys(&mut b, &file.convoys, &sites, &roads, &stances, &graph)?;
    let groups = groups::groups(&mut b, &file.groups)?;
    let air = air::air(&mut b, &file.air)?;
    let reinforcements =
        reinforcements::reinforcements(&mut b, &file.reinforcements, &file.groups, &file.convoys)?;

    // Derived tables, for bands and drones to plan with.
    let distance_km = graph.distance_table();
    let straight_km = network::straight_table(&sites);
    Ok(Scenario {
        name: file.name.clone(),
        title: file.title.clone().unwrap_or_else(|| file.name.clone()),
        description: file.description.clone().unwrap_or_default(),
        source: file.source.clone(),
        origin,
        start,
        horizon_days,
        combat,
        ied,
        factions,
        stances,
        sites,
        roads,
        withdrawals,
        convoys,
        groups,
        air,
        reinforcements,
        params: b.params,
        distance_km,
        straight_km,
        resolved_toml,
    })
}
