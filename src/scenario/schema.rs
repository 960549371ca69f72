//! The serde mirror of a scenario file: what a user may write, key for key, with unknown keys
//! rejected. It checks shapes and types only; meaning (references, ranges, routes) is `validate`'s.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::value::Datetime;

use super::uncertain::NumberSpec;

/// A whole scenario file after `extends` and `--set` have been applied.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short machine name, used in the manifest.
    pub name: String,
    /// One-line title for people.
    pub title: Option<String>,
    /// What the scenario is about, for the `check` digest.
    pub description: Option<String>,
    /// Where the scenario as a whole comes from.
    pub source: Option<String>,
    /// Calendar date of hour 0.
    pub start: Datetime,
    /// How many days the simulation runs.
    pub horizon_days: NumberSpec,
    /// Combat rules shared by every engagement.
    #[serde(default)]
    pub combat: CombatFile,
    /// What a roadside bomb does when it hits a convoy.
    #[serde(default)]
    pub ied: IedFile,
    /// Sides of the conflict.
    #[serde(rename = "faction")]
    pub factions: Vec<FactionFile>,
    /// Who is allied with or hostile to whom; every other pair is neutral.
    #[serde(default)]
    pub stances: StancesFile,
    /// Towns, camps, bases and refuges.
    #[serde(rename = "site")]
    pub sites: Vec<SiteFile>,
    /// Roads and tracks between sites.
    #[serde(rename = "road", default)]
    pub roads: Vec<RoadFile>,
    /// The peacekeepers' camp departures.
    #[serde(rename = "withdrawal", default)]
    pub withdrawals: Vec<WithdrawalFile>,
    /// Columns of vehicles moving along roads.
    #[serde(rename = "convoy", default)]
    pub convoys: Vec<ConvoyFile>,
    /// Armed bands that raid, ambush, defend or withdraw.
    #[serde(rename = "group", default)]
    pub groups: Vec<GroupFile>,
    /// Drones and aircraft.
    #[serde(rename = "air", default)]
    pub air: Vec<AirFile>,
    /// Troops arriving on given days.
    #[serde(rename = "reinforcement", default)]
    pub reinforcements: Vec<ReinforcementFile>,
}

/// `[combat]`: how engagements are fought.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CombatFile {
    pub mode: Option<CombatMode>,
    pub round_hours: Option<NumberSpec>,
    pub surprise_factor: Option<NumberSpec>,
    pub air_support_factor: Option<NumberSpec>,
    pub night_factor: Option<NumberSpec>,
    pub max_engagement_hours: Option<NumberSpec>,
    pub vehicles_lost_per_casualty: Option<NumberSpec>,
    pub civilians_killed_per_town_fight: Option<NumberSpec>,
    pub source: Option<String>,
}

/// `[ied]`: the effect of one IED strike on a convoy.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IedFile {
    pub vehicle_destroyed_chance: Option<NumberSpec>,
    pub killed_per_strike: Option<NumberSpec>,
    pub wounded_per_strike: Option<NumberSpec>,
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

/// `[[faction]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactionFile {
    pub id: String,
    pub name: Option<String>,
    pub fire: Option<FireKind>,
    pub kill_rate_per_hour: NumberSpec,
    pub break_point: NumberSpec,
    pub killed_share: Option<NumberSpec>,
    pub raid_propensity_per_day: Option<NumberSpec>,
    pub raid_hold_hours: Option<NumberSpec>,
    pub avoid_odds: Option<NumberSpec>,
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

/// `[stances]`: pairs of faction ids.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StancesFile {
    #[serde(default)]
    pub allied: Vec<[String; 2]>,
    #[serde(default)]
    pub hostile: Vec<[String; 2]>,
    pub source: Option<String>,
}

/// `[[site]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteFile {
    pub id: String,
    pub name: Option<String>,
    pub kind: SiteKind,
    pub lat: f64,
    pub lon: f64,
    pub owner: Option<String>,
    #[serde(default)]
    pub garrison: BTreeMap<String, NumberSpec>,
    pub fortification: Option<NumberSpec>,
    /// Also report this site's end owner and capture day in `runs.csv` (convoy destinations
    /// always are).
    pub report: Option<bool>,
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

/// `[[road]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoadFile {
    pub id: Option<String>,
    pub from: String,
    pub to: String,
    pub length_km: NumberSpec,
    pub surface: String,
    pub ied_per_100km: Option<NumberSpec>,
    pub ambush: Option<NumberSpec>,
    pub source: Option<String>,
}

/// `[[withdrawal]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalFile {
    pub camp: String,
    pub date: Datetime,
    pub handover: Option<String>,
    pub source: Option<String>,
}

/// `[[convoy]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvoyFile {
    pub id: String,
    pub faction: String,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub via: Vec<String>,
    pub depart: Datetime,
    pub vehicles: NumberSpec,
    pub troops: NumberSpec,
    #[serde(default)]
    pub attached: BTreeMap<String, NumberSpec>,
    pub speed_km_per_day: BTreeMap<String, NumberSpec>,
    pub wait_at: Option<String>,
    #[serde(default)]
    pub wait_until_vacated: Vec<String>,
    pub pause_days: Option<NumberSpec>,
    pub halt_after_contact_hours: Option<NumberSpec>,
    pub break_point: NumberSpec,
    pub source: Option<String>,
}

/// `[[group]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    pub id: String,
    pub faction: String,
    pub fighters: NumberSpec,
    pub technicals: Option<NumberSpec>,
    pub home: String,
    pub posture: Posture,
    pub target: Option<String>,
    pub refuge: Option<String>,
    pub range_km: Option<NumberSpec>,
    pub speed_km_per_day: Option<NumberSpec>,
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

/// `[[air]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AirFile {
    pub id: String,
    pub faction: String,
    pub base: String,
    pub sorties_per_day: NumberSpec,
    pub find_chance: NumberSpec,
    pub kills_per_strike: NumberSpec,
    pub town_strike_chance: Option<NumberSpec>,
    pub civilians_killed_per_town_strike: Option<NumberSpec>,
    pub range_km: Option<NumberSpec>,
    pub from: Option<Datetime>,
    pub source: Option<String>,
}

/// `[[reinforcement]]`: troops joining a site's garrison, a group or a convoy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReinforcementFile {
    /// Optional name, so a variant can change or remove it.
    pub id: Option<String>,
    pub to: String,
    pub faction: String,
    pub troops: NumberSpec,
    pub day: Option<NumberSpec>,
    pub date: Option<Datetime>,
    pub source: Option<String>,
}
