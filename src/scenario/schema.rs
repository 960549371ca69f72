//! The serde mirror of a scenario file: what a user may write, key for key, with unknown keys
//! rejected. It checks shapes and types only; meaning (references, ranges, routes) is `validate`'s,
//! and the ranges and defaults written on each key below are the ones it enforces.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::value::Datetime;

use super::uncertain::NumberSpec;

/// A whole scenario file after `extends` and `--set` have been applied.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short machine name, used in the manifest and the `check` digest. Required.
    pub name: String,
    /// One-line title for people. Default: the name.
    pub title: Option<String>,
    /// What the scenario is about, for the `check` digest.
    pub description: Option<String>,
    /// Where the scenario as a whole comes from (free text, for readers only).
    pub source: Option<String>,
    /// Calendar date of hour 0, like 2023-09-11 (no quotes). Required.
    pub start: Datetime,
    /// How many days the simulation runs: one number from 1 to 3,650, not a range, since every
    /// date of the file is checked against it. Required.
    pub horizon_days: NumberSpec,
    /// Combat rules shared by every engagement.
    #[serde(default)]
    pub combat: CombatFile,
    /// What a roadside bomb does when it hits a convoy.
    #[serde(default)]
    pub ied: IedFile,
    /// Sides of the conflict: at least one, at most 64.
    #[serde(rename = "faction")]
    pub factions: Vec<FactionFile>,
    /// Who is allied with or hostile to whom; every other pair is neutral.
    #[serde(default)]
    pub stances: StancesFile,
    /// Towns, camps, bases and refuges: at least one, at most 2,000.
    #[serde(rename = "site")]
    pub sites: Vec<SiteFile>,
    /// Roads and tracks between sites: at most 10,000.
    #[serde(rename = "road", default)]
    pub roads: Vec<RoadFile>,
    /// The peacekeepers' camp departures.
    #[serde(rename = "withdrawal", default)]
    pub withdrawals: Vec<WithdrawalFile>,
    /// Columns of vehicles moving along roads: at most 500.
    #[serde(rename = "convoy", default)]
    pub convoys: Vec<ConvoyFile>,
    /// Armed bands that raid, ambush, defend or withdraw: at most 2,000.
    #[serde(rename = "group", default)]
    pub groups: Vec<GroupFile>,
    /// Drones and aircraft: at most 200 wings.
    #[serde(rename = "air", default)]
    pub air: Vec<AirFile>,
    /// Troops arriving on given days: at most 10,000.
    #[serde(rename = "reinforcement", default)]
    pub reinforcements: Vec<ReinforcementFile>,
}

/// `[combat]`: how engagements are fought.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CombatFile {
    /// `"stochastic"` (the default): casualties drawn at random each round; or `"mean_field"`:
    /// their expected values, no dice.
    pub mode: Option<CombatMode>,
    /// Length of one round of fire, in hours: above 0, at most 24. Default 1.
    pub round_hours: Option<NumberSpec>,
    /// Multiplier on an ambusher's or raider's fire in the first round, 0 to 1000. Default 1
    /// (no surprise).
    pub surprise_factor: Option<NumberSpec>,
    /// Multiplier on a side's fire by day when an air wing of its faction or an ally is flying
    /// and has the fight within its range, 0 to 1000. Default 1.
    pub air_support_factor: Option<NumberSpec>,
    /// Multiplier on every side's fire between 18:00 and 06:00, 0 to 1000. Default 1.
    pub night_factor: Option<NumberSpec>,
    /// Hours after which a fight still open breaks off: above 0, at most 87,600. Default 8,760
    /// (a year: fights end when a side breaks).
    pub max_engagement_hours: Option<NumberSpec>,
    /// Vehicles a convoy loses per troop casualty in a fight, 0 to 10. Default 0.
    pub vehicles_lost_per_casualty: Option<NumberSpec>,
    /// Expected civilians killed by a fight inside a town, 0 or more. Default 0.
    pub civilians_killed_per_town_fight: Option<NumberSpec>,
    /// Where the combat rules come from (free text, for readers only).
    pub source: Option<String>,
}

/// `[ied]`: the effect of one IED strike on a convoy.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IedFile {
    /// Chance that one strike destroys a vehicle, 0 to 1. Default 0.
    pub vehicle_destroyed_chance: Option<NumberSpec>,
    /// Expected troops killed per strike, 0 or more. Default 0.
    pub killed_per_strike: Option<NumberSpec>,
    /// Expected troops wounded per strike, 0 or more. Default 0.
    pub wounded_per_strike: Option<NumberSpec>,
    /// Where these numbers come from (free text, for readers only).
    pub source: Option<String>,
}

/// Stochastic rounds (the default) or expected values with no sampling.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CombatMode {
    /// Casualties drawn per round (binomial): the continuous-time Markov chain as rounds shrink.
    Stochastic,
    /// Casualties are their expected values: the deterministic Lanchester equations.
    MeanField,
}

/// `[[faction]]`: one side of the conflict and its doctrine.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactionFile {
    /// Short id in snake_case, unique among factions; names output columns (`<id>_killed`)
    /// and is how other blocks refer to the faction.
    pub id: String,
    /// Name for people. Default: the id.
    pub name: Option<String>,
    /// `"aimed"` (the default, square law) or `"area"` (linear law).
    pub fire: Option<FireKind>,
    /// Casualties one fighter inflicts per hour of aimed fire (per shooter per target for
    /// area fire), 0 or more. Required.
    pub kill_rate_per_hour: NumberSpec,
    /// Share of its engaged strength a side loses before it breaks off a fight: above 0, at
    /// most 1. Required.
    pub break_point: NumberSpec,
    /// Share of its casualties killed outright (the rest are wounded), 0 to 1. Default 1.
    pub killed_share: Option<NumberSpec>,
    /// Chance per day that a free band of this faction with posture `raid` sets out, 0 to 1.
    /// Default 0.
    pub raid_propensity_per_day: Option<NumberSpec>,
    /// Hours a raiding band holds a camp it took before it leaves, 0 to 8,760. Default 8.
    pub raid_hold_hours: Option<NumberSpec>,
    /// Its bands give ground rather than fight when the enemy's fire is this many times their
    /// own: above 0, at most 10⁹. Default 10⁹ (they always fight).
    pub avoid_odds: Option<NumberSpec>,
    /// Where the faction's numbers come from (free text, for readers only).
    pub source: Option<String>,
}

/// Aimed fire follows the square law; area fire the linear law.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FireKind {
    /// Each shooter picks a target: losses ∝ enemy shooters (square law).
    Aimed,
    /// Fire into an area: losses ∝ enemy shooters × own density (linear law).
    Area,
}

/// `[stances]`: who is allied with or hostile to whom, as pairs of faction ids. Pairs not
/// listed are neutral and leave each other alone.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StancesFile {
    /// Pairs of faction ids that fight side by side, e.g. `[["fama", "wagner"]]`.
    #[serde(default)]
    pub allied: Vec<[String; 2]>,
    /// Pairs of faction ids that fight on contact. A pair may not be both allied and hostile.
    #[serde(default)]
    pub hostile: Vec<[String; 2]>,
    /// Where the stances come from (free text, for readers only).
    pub source: Option<String>,
}

/// `[[site]]`: a town, camp, airport or refuge, at the start of the scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    /// Short id in snake_case, unique among sites, groups and convoys; names output columns
    /// (`<id>_owner_end`) and is how other blocks refer to the site.
    pub id: String,
    /// Name for people. Default: the id.
    pub name: Option<String>,
    /// `town`, `army_camp`, `un_camp`, `airport` or `refuge`.
    pub kind: SiteKind,
    /// Latitude in degrees, −90 to 90 (north positive). A plain number, never a range.
    pub lat: f64,
    /// Longitude in degrees, −180 to 180 (east positive). A plain number, never a range.
    pub lon: f64,
    /// Faction id of its holder at the start. Leave it out for a site nobody holds.
    pub owner: Option<String>,
    /// Troops at the start by faction id, e.g. `{ fama = 500 }`: counts of 0 or more. A
    /// garrison needs an owner, and none of its factions may be hostile to the owner.
    #[serde(default)]
    pub garrison: BTreeMap<String, NumberSpec>,
    /// The defenders' casualties are divided by this, 0.1 to 100. Default 1.
    pub fortification: Option<NumberSpec>,
    /// Also report this site's end owner and capture day in `runs.csv` (convoy destinations
    /// always are).
    pub report: Option<bool>,
    /// Where the site's numbers come from (free text, for readers only).
    pub source: Option<String>,
}

/// What a site is; it decides who may raid it and whether air strikes there harm civilians.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// A town: fighting and air strikes here harm civilians.
    Town,
    /// A military camp.
    ArmyCamp,
    /// A peacekeepers' camp: nobody fights over it while they are there.
    UnCamp,
    /// An airfield.
    Airport,
    /// Hills or desert where bands withdraw out of reach.
    Refuge,
}

/// `[[road]]`: a road or track between two sites, usable both ways.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoadFile {
    /// Id of the road. Default `<from>_<to>`; give one when two roads join the same sites.
    pub id: Option<String>,
    /// Site id of one end.
    pub from: String,
    /// Site id of the other end; not the same site as `from`. Roads run both ways.
    pub to: String,
    /// Length in km: above 0, at most 20,000. Routes are planned on its mean. Required.
    pub length_km: NumberSpec,
    /// Name of its surface (e.g. `paved`, `track`): any word, matched against the convoys'
    /// `speed_km_per_day`.
    pub surface: String,
    /// Expected IED strikes per 100 km a convoy drives on it, 0 to 1000. Default 0.
    pub ied_per_100km: Option<NumberSpec>,
    /// Chance that a band lying in wait on this road springs its ambush, 0 to 1. Default 0.
    pub ambush: Option<NumberSpec>,
    /// Where the road's numbers come from (free text, for readers only).
    pub source: Option<String>,
}

/// `[[withdrawal]]`: the peacekeepers leaving one of their camps.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalFile {
    /// Site id of the `un_camp` left; also names this entry for variants and `--set`.
    pub camp: String,
    /// When the peacekeepers leave: a date like 2023-10-31 (no quotes), optionally with a
    /// time, within the scenario.
    pub date: Datetime,
    /// Faction id the camp is handed to. Leave it out to leave the camp vacant for whoever
    /// arrives first.
    pub handover: Option<String>,
    /// Where the date comes from (free text, for readers only).
    pub source: Option<String>,
}

/// `[[convoy]]`: a column of vehicles driving from one site to another.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvoyFile {
    /// Short id in snake_case, unique among sites, groups and convoys; names output columns
    /// (`<id>_status`, `<id>_arrival_day`, …).
    pub id: String,
    /// Faction id of the convoy.
    pub faction: String,
    /// Site id it sets out from.
    pub from: String,
    /// Site id of its destination.
    pub to: String,
    /// Site ids it must pass through, in order. Between stops it takes the shortest road.
    #[serde(default)]
    pub via: Vec<String>,
    /// Departure: a date like 2023-10-02 (no quotes), optionally with a time, within the
    /// scenario.
    pub depart: Datetime,
    /// Vehicles at departure, 0 to 10,000,000. Required.
    pub vehicles: NumberSpec,
    /// Own troops at departure, 1 to 10,000,000. Required.
    pub troops: NumberSpec,
    /// Troops of allied factions travelling with it, by faction id, e.g. `{ wagner = 100 }`.
    #[serde(default)]
    pub attached: BTreeMap<String, NumberSpec>,
    /// Speed in km per day on each road surface, e.g. `{ paved = 250, track = 120 }`: above 0,
    /// at most 5,000. Every surface on its route needs one.
    pub speed_km_per_day: BTreeMap<String, NumberSpec>,
    /// Site id on its route (before the destination) where it waits for `wait_until_vacated`.
    pub wait_at: Option<String>,
    /// Ids of `un_camp` sites whose peacekeepers must have left before it moves on from
    /// `wait_at`.
    #[serde(default)]
    pub wait_until_vacated: Vec<String>,
    /// Further days it waits at `wait_at` once those camps are vacated, 0 to 3,650. Default 0.
    pub pause_days: Option<NumberSpec>,
    /// Hours it halts to regroup after each fight, 0 to 8,760. Default 0.
    pub halt_after_contact_hours: Option<NumberSpec>,
    /// Share of its troops lost after which it turns back: above 0, at most 1. Required.
    pub break_point: NumberSpec,
    /// Where the convoy's numbers come from (free text, for readers only).
    pub source: Option<String>,
}

/// `[[group]]`: an armed band.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    /// Short id in snake_case, unique among sites, groups and convoys.
    pub id: String,
    /// Faction id of the band.
    pub faction: String,
    /// Fighters at the start, 0 to 10,000,000. Required.
    pub fighters: NumberSpec,
    /// Armed pick-ups at the start, 0 to 10,000,000. Default 0.
    pub technicals: Option<NumberSpec>,
    /// Site id where it starts and returns to.
    pub home: String,
    /// Standing orders: `defend`, `raid`, `ambush`, `assault` or `withdraw`.
    pub posture: Posture,
    /// Site id it assaults; required with posture `assault`.
    pub target: Option<String>,
    /// Site id it withdraws to. Default: its home.
    pub refuge: Option<String>,
    /// How far from home it operates, in km by road, 0 to 20,000. Default 300.
    pub range_km: Option<NumberSpec>,
    /// Its speed across country in km per day: above 0, at most 5,000. Default 200.
    pub speed_km_per_day: Option<NumberSpec>,
    /// Where the band's numbers come from (free text, for readers only).
    pub source: Option<String>,
}

/// What a band sets out to do; re-decided at each decision time.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Posture {
    /// Hold the home site against attack.
    Defend,
    /// Strike weakly held hostile camps, hold them for hours, then leave.
    Raid,
    /// Lie in wait for a hostile convoy on the road ahead of it.
    Ambush,
    /// Assault a named site at once and fight until one side breaks (duels, set-piece attacks).
    Assault,
    /// Stay in the refuge, out of reach.
    Withdraw,
}

/// `[[air]]`: a wing of drones or aircraft.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AirFile {
    /// Short id in snake_case, unique among air wings.
    pub id: String,
    /// Faction id it flies for.
    pub faction: String,
    /// Site id it flies from.
    pub base: String,
    /// Sorties flown per day, 0 to 1000. Required.
    pub sorties_per_day: NumberSpec,
    /// Chance that a sortie finds a hostile band in the open within reach, 0 to 1. Required.
    pub find_chance: NumberSpec,
    /// Expected fighters killed or wounded per strike, 0 or more. Required.
    pub kills_per_strike: NumberSpec,
    /// Chance that a sortie which found no band strikes a hostile-held town instead, 0 to 1.
    /// Default 0.
    pub town_strike_chance: Option<NumberSpec>,
    /// Expected civilians killed per strike in a town, 0 or more. Default 0.
    pub civilians_killed_per_town_strike: Option<NumberSpec>,
    /// Reach from its base in km, straight line, 0 to 20,000. Default 1000.
    pub range_km: Option<NumberSpec>,
    /// First date it flies: a date like 2023-10-01 (no quotes), within the scenario. Default:
    /// the start.
    pub from: Option<Datetime>,
    /// Where the wing's numbers come from (free text, for readers only).
    pub source: Option<String>,
}

/// `[[reinforcement]]`: troops joining a site's garrison, a group or a convoy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReinforcementFile {
    /// Optional snake_case name, so that a variant can change or remove it and `--set` can
    /// reach it by name (`reinforcement.<id>.troops`); without one it is reached by position
    /// (`reinforcement.0.troops`).
    pub id: Option<String>,
    /// Id of the site (its garrison), group or convoy the troops join.
    pub to: String,
    /// Faction id of the arriving troops.
    pub faction: String,
    /// How many arrive, 0 to 10,000,000.
    pub troops: NumberSpec,
    /// Arrival in days from the start (may be a range), 0 to the horizon. Give either `day` or
    /// `date`, not both.
    pub day: Option<NumberSpec>,
    /// Arrival as a date like 2023-11-14 (no quotes), within the scenario.
    pub date: Option<Datetime>,
    /// Where the reinforcement comes from (free text, for readers only).
    pub source: Option<String>,
}
