//! Scenario files: loading (`extends`, `--set`), validation, and the validated [`Scenario`] —
//! plain data, shared read-only by every replication. This module does not know bevy_ecs.

mod diagnostic;
mod keypath;
mod limits;
mod locate;
mod names;
mod resolve;
pub mod schema;
pub mod uncertain;
mod validate;

use std::path::Path;

pub use diagnostic::ScenarioError;
pub(crate) use diagnostic::did_you_mean;
pub(crate) use locate::line_col;
pub use resolve::{EMBEDDED_NAME as EMBEDDED_ORIGIN, Override};
pub use schema::{CombatMode, FireKind, Posture, SiteKind};
pub use uncertain::{Dist, Draws, Param, ParamId};

/// The default scenario, compiled in: the Malian army's advance from Gao to Kidal, autumn 2023.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/gao-kidal-2023.toml");
/// The file name of the default scenario; `extends = "gao-kidal-2023.toml"` finds it even away
/// from the `scenarios/` folder.
const DEFAULT_SCENARIO_FILE: &str = "gao-kidal-2023.toml";

/// Index into [`Scenario::factions`].
pub type FactionIdx = usize;
/// Index into [`Scenario::sites`].
pub type SiteIdx = usize;
/// Index into [`Scenario::roads`].
pub type RoadIdx = usize;

/// A validated scenario: every reference resolved to an index, every number a [`ParamId`].
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short machine name.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// What it is about.
    pub description: String,
    /// Where the scenario as a whole comes from.
    pub source: Option<String>,
    /// Where it was loaded from: a path, or `<embedded default>`.
    pub origin: String,
    /// Calendar date of hour 0.
    pub start: jiff::civil::Date,
    /// Length of the simulation, in days (1 to 3,650).
    pub horizon_days: f64,
    /// Engagement rules.
    pub combat: Combat,
    /// Effect of an IED strike.
    pub ied: Ied,
    /// Sides, in file order.
    pub factions: Vec<Faction>,
    /// `stances[a][b]`: how faction a regards faction b (symmetric).
    pub stances: Vec<Vec<Stance>>,
    /// Places.
    pub sites: Vec<Site>,
    /// Roads between places.
    pub roads: Vec<Road>,
    /// Peacekeepers' departures.
    pub withdrawals: Vec<Withdrawal>,
    /// Columns on the move.
    pub convoys: Vec<Convoy>,
    /// Armed bands.
    pub groups: Vec<Group>,
    /// Drones and aircraft.
    pub air: Vec<AirWing>,
    /// Scheduled arrivals of troops.
    pub reinforcements: Vec<Reinforcement>,
    /// Every number of the scenario, in the order validation visits them (block by block, as
    /// `validate` lists them); uncertain ones are drawn per replication in this order, and it
    /// is the order of their `runs.csv` columns.
    pub params: Vec<Param>,
    /// Shortest road distance between every two sites on mean lengths (`f64::INFINITY` where
    /// no road connects them): how far bands must travel.
    pub distance_km: Vec<Vec<f64>>,
    /// Great-circle distance between every two sites: drone reach, and bands crossing country.
    pub straight_km: Vec<Vec<f64>>,
    /// The resolved scenario as canonical TOML: what the manifest's hash is taken of.
    pub resolved_toml: String,
}

/// `[combat]`, validated: the rules every engagement follows.
#[derive(Debug, Clone)]
pub struct Combat {
    /// Stochastic or mean-field.
    pub mode: CombatMode,
    /// Length of one round of fire.
    pub round_hours: ParamId,
    /// Multiplier on the ambusher's fire in the first round.
    pub surprise_factor: ParamId,
    /// Multiplier on a side's fire in daylight when its faction flies air support.
    pub air_support_factor: ParamId,
    /// Multiplier on every side's fire at night (18:00–06:00).
    pub night_factor: ParamId,
    /// Fights still open after this long break off.
    pub max_engagement_hours: ParamId,
    /// Vehicles a convoy loses per troop casualty.
    pub vehicles_lost_per_casualty: ParamId,
    /// Expected civilians killed by a fight inside a town.
    pub civilians_killed_per_town_fight: ParamId,
}

/// `[ied]`, validated: what one roadside bomb does to a convoy.
#[derive(Debug, Clone)]
pub struct Ied {
    /// Chance a strike destroys a vehicle.
    pub vehicle_destroyed_chance: ParamId,
    /// Expected killed per strike.
    pub killed_per_strike: ParamId,
    /// Expected wounded per strike.
    pub wounded_per_strike: ParamId,
}

/// How one faction regards another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stance {
    /// Fight side by side.
    Allied,
    /// Leave each other alone.
    Neutral,
    /// Fight on contact.
    Hostile,
}

/// `[[faction]]`, validated: one side and its doctrine.
#[derive(Debug, Clone)]
pub struct Faction {
    /// Id used in outputs (`<id>_killed`).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Aimed (square law) or area (linear law) fire.
    pub fire: FireKind,
    /// Casualties inflicted per shooter per hour (square law), or per shooter per target per
    /// hour (linear law).
    pub kill_rate_per_hour: ParamId,
    /// Share of its engaged strength it loses before breaking off.
    pub break_point: ParamId,
    /// Share of its casualties that are killed (the rest wounded).
    pub killed_share: ParamId,
    /// Chance per day that a free raiding band of this faction sets out.
    pub raid_propensity_per_day: ParamId,
    /// Hours a raiding band holds a camp it took before leaving.
    pub raid_hold_hours: ParamId,
    /// Odds (enemy fire over own) beyond which its bands give ground rather than fight.
    pub avoid_odds: ParamId,
}

/// `[[site]]`, validated: a place, as it is at the start.
#[derive(Debug, Clone)]
pub struct Site {
    /// Id used in outputs (`<id>_owner_end`).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Town, camp, airport or refuge.
    pub kind: SiteKind,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Holder at the start, if any.
    pub owner: Option<FactionIdx>,
    /// Troops at the start, by faction.
    pub garrison: Vec<(FactionIdx, ParamId)>,
    /// Defender's casualties are divided by this.
    pub fortification: ParamId,
    /// Its end owner and capture day are outcomes in `runs.csv`.
    pub reported: bool,
}

/// `[[road]]`, validated: a road between two different sites, usable both ways.
#[derive(Debug, Clone)]
pub struct Road {
    /// Id (`<from>_<to>` unless given).
    pub id: String,
    /// One end.
    pub from: SiteIdx,
    /// The other end.
    pub to: SiteIdx,
    /// Length, km (routes are planned on its mean).
    pub length_km: ParamId,
    /// Surface name; convoys give a speed for each surface they use.
    pub surface: String,
    /// Expected IED strikes per 100 km driven.
    pub ied_per_100km: ParamId,
    /// Chance that a band lying in wait on this road springs its ambush.
    pub ambush: ParamId,
}

impl Road {
    /// The site at the other end from `site`.
    pub fn other_end(&self, site: SiteIdx) -> SiteIdx {
        if self.from == site {
            self.to
        } else {
            self.from
        }
    }
}

/// `[[withdrawal]]`, validated: the peacekeepers leaving a UN camp.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    /// The UN camp left.
    pub camp: SiteIdx,
    /// When, in hours from the start.
    pub hour: f64,
    /// Faction it is handed to; `None` leaves it vacant for whoever arrives first.
    pub handover: Option<FactionIdx>,
}

/// One road of a route, in the direction of travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leg {
    /// The road.
    pub road: RoadIdx,
    /// Site at the start of the leg.
    pub from: SiteIdx,
    /// Site at the end of the leg.
    pub to: SiteIdx,
}

/// `[[convoy]]`, validated, with its route planned.
#[derive(Debug, Clone)]
pub struct Convoy {
    /// Id used in outputs (`<id>_status`).
    pub id: String,
    /// Its faction.
    pub faction: FactionIdx,
    /// Route, leg by leg, from origin to destination.
    pub route: Vec<Leg>,
    /// Departure, hours from the start.
    pub depart_hour: f64,
    /// Vehicles at departure.
    pub vehicles: ParamId,
    /// Own troops at departure.
    pub troops: ParamId,
    /// Troops of other (allied) factions travelling with it, e.g. mercenaries.
    pub attached: Vec<(FactionIdx, ParamId)>,
    /// Speed on each leg of the route (from the leg's surface).
    pub leg_speed_km_per_day: Vec<ParamId>,
    /// Where it waits for the camps below to be vacated.
    pub wait_at: Option<SiteIdx>,
    /// UN camps that must be empty of peacekeepers before it moves on from `wait_at`.
    pub wait_until_vacated: Vec<SiteIdx>,
    /// Further days it waits at `wait_at` once the camps are vacated.
    pub pause_days: ParamId,
    /// Hours it halts to regroup after each fight.
    pub halt_after_contact_hours: ParamId,
    /// Share of its troops lost after which it turns back.
    pub break_point: ParamId,
}

impl Convoy {
    /// Destination site.
    pub fn destination(&self) -> SiteIdx {
        self.route.last().map(|l| l.to).unwrap_or(0)
    }
}

/// `[[group]]`, validated: an armed band.
#[derive(Debug, Clone)]
pub struct Group {
    /// Id.
    pub id: String,
    /// Its faction.
    pub faction: FactionIdx,
    /// Fighters at the start.
    pub fighters: ParamId,
    /// Armed pick-ups at the start.
    pub technicals: ParamId,
    /// Where it starts and returns to.
    pub home: SiteIdx,
    /// Its standing orders.
    pub posture: Posture,
    /// The site it assaults (posture `assault`).
    pub target: Option<SiteIdx>,
    /// Where it withdraws to.
    pub refuge: SiteIdx,
    /// How far from home it operates, km by road.
    pub range_km: ParamId,
    /// Speed across country, km per day.
    pub speed_km_per_day: ParamId,
}

/// `[[air]]`, validated: a wing of drones or aircraft.
#[derive(Debug, Clone)]
pub struct AirWing {
    /// Id.
    pub id: String,
    /// Its faction.
    pub faction: FactionIdx,
    /// Where it flies from.
    pub base: SiteIdx,
    /// Sorties flown per day.
    pub sorties_per_day: ParamId,
    /// Chance a sortie finds a hostile band in the open.
    pub find_chance: ParamId,
    /// Expected fighters killed or wounded per strike.
    pub kills_per_strike: ParamId,
    /// Chance a sortie that found no band strikes a hostile-held town instead.
    pub town_strike_chance: ParamId,
    /// Expected civilians killed per strike in a town.
    pub civilians_killed_per_town_strike: ParamId,
    /// Reach from its base, km in a straight line.
    pub range_km: ParamId,
    /// First hour it flies, hours from the start.
    pub from_hour: f64,
}

/// Who a reinforcement joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReinforcementTarget {
    /// A site's garrison.
    Site(SiteIdx),
    /// A band.
    Group(usize),
    /// A convoy.
    Convoy(usize),
}

/// `[[reinforcement]]`, validated: troops arriving on a day.
#[derive(Debug, Clone)]
pub struct Reinforcement {
    /// Who it joins.
    pub to: ReinforcementTarget,
    /// Faction of the arriving troops.
    pub faction: FactionIdx,
    /// How many.
    pub troops: ParamId,
    /// Arrival, days from the start.
    pub day: ParamId,
}

impl Scenario {
    /// Index of a faction by id.
    pub fn faction(&self, id: &str) -> Option<FactionIdx> {
        self.factions.iter().position(|f| f.id == id)
    }

    /// Index of a site by id.
    pub fn site(&self, id: &str) -> Option<SiteIdx> {
        self.sites.iter().position(|s| s.id == id)
    }

    /// How faction `a` regards faction `b`.
    pub fn stance(&self, a: FactionIdx, b: FactionIdx) -> Stance {
        self.stances[a][b]
    }

    /// The numbers drawn per replication, in the order of their `runs.csv` columns.
    pub fn uncertain_params(&self) -> impl Iterator<Item = (ParamId, &Param)> {
        self.params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.dist.is_uncertain())
            .map(|(i, p)| (ParamId(i as u32), p))
    }

    /// A number at its mean, for digests and planning.
    pub fn mean(&self, id: ParamId) -> f64 {
        self.params[id.0 as usize].dist.mean()
    }

    /// The calendar date and time of an hour since the start.
    pub fn datetime_at(&self, hour: f64) -> jiff::civil::DateTime {
        let minutes = (hour * 60.0).round() as i64;
        self.start
            .to_datetime(jiff::civil::Time::midnight())
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .unwrap_or(jiff::civil::DateTime::MAX)
    }

    /// Hex SHA-256 of the resolved scenario.
    pub fn sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.resolved_toml.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Loads, resolves and validates a scenario file, applying `--set` overrides last.
pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let chain = resolve::Chain::from_path(path)?;
    build(chain, overrides)
}

/// Loads the embedded default scenario, applying `--set` overrides.
pub fn load_default(overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    build(resolve::Chain::embedded_default()?, overrides)
}

/// Loads a scenario from text, as if it were the file `name` in `dir` (for `extends`).
pub fn load_str(
    text: &str,
    name: &str,
    dir: Option<&Path>,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    build(resolve::Chain::from_text(text, name, dir)?, overrides)
}

/// The pipeline: merge the chain and the overrides, deserialize, validate; any problem is
/// placed in the file (or `--set`) that wrote the value at fault.
fn build(chain: resolve::Chain, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let origin = chain.origin();
    let merged = chain.merged(overrides)?;
    let resolved_toml = toml::to_string(&merged).map_err(|e| ScenarioError {
        file: origin.clone(),
        line: None,
        column: None,
        message: format!("cannot write the resolved scenario: {e}"),
    })?;
    // Past the merge, every failure is a Problem at a key path; the chain of files places it.
    let file: Result<schema::ScenarioFile, _> =
        serde_path_to_error::deserialize(toml::Value::Table(merged.clone()))
            .map_err(|e| diagnostic::from_serde(&merged, &e));
    file.and_then(|file| validate::validate(file, origin, resolved_toml))
        .map_err(|problem| chain.locate_problem(problem, overrides))
}
