//! Resources: state shared by all systems of one replication — the clock, the scenario with
//! this replication's draws, the tallies and the optional event log. (Its random streams are
//! `dice.rs`.)

use std::sync::Arc;

use bevy_ecs::prelude::*;

use super::components::Force;
use super::engagement::Engagement;
use super::events::Event;
use crate::scenario::{Draws, FactionIdx, ParamId, Scenario, SiteIdx, Stance};

/// Simulated time: systems handle what is due at `now_hour` and lower `next_hour` to the time
/// of the next thing they expect, so a replication costs what happens in it.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct Clock {
    /// The present, hours since the scenario start.
    pub now_hour: f64,
    /// The earliest time any system asked to run again this pass.
    pub next_hour: f64,
    /// The end of the scenario.
    pub horizon_hour: f64,
    /// When each purely time-driven system next has work, by `Alarm`. Unlike `next_hour` they
    /// outlive the pass, so that a system whose alarm is not due can be skipped without running
    /// it (its run condition reads only the clock).
    pub alarms: [f64; Alarm::COUNT],
}

/// The systems that have work only at times they set themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alarm {
    /// Scheduled events: the next withdrawal, departure or reinforcement.
    Calendar,
    /// Air patrols: the next dawn a wing flies.
    Patrols,
    /// Control: the next raid departure or arrival at an empty camp.
    Holds,
}

impl Alarm {
    /// How many there are.
    pub(crate) const COUNT: usize = 3;
}

impl Clock {
    /// A clock at hour 0 with every alarm due, so that each system runs in the first pass.
    pub(crate) fn new(horizon_hour: f64) -> Clock {
        Clock {
            now_hour: 0.0,
            next_hour: horizon_hour,
            horizon_hour,
            alarms: [f64::NEG_INFINITY; Alarm::COUNT],
        }
    }

    /// Asks for a pass at `hour` (never earlier than now).
    pub(crate) fn propose(&mut self, hour: f64) {
        if hour.is_finite() {
            self.next_hour = self.next_hour.min(hour.max(self.now_hour));
        }
    }

    /// Whether the system behind `alarm` has work now.
    pub(crate) fn due(&self, alarm: Alarm) -> bool {
        self.now_hour >= self.alarms[alarm as usize]
    }

    /// Forgets `alarm`: called by its system when it runs, before it sets it again.
    pub(crate) fn clear(&mut self, alarm: Alarm) {
        self.alarms[alarm as usize] = f64::INFINITY;
    }

    /// Asks for a pass at `hour` and sets `alarm` for then, unless it is set earlier already.
    pub(crate) fn set(&mut self, alarm: Alarm, hour: f64) {
        self.propose(hour);
        let at = &mut self.alarms[alarm as usize];
        *at = at.min(hour);
    }

    /// When the next pass is due: the earliest proposal of this pass or alarm still ahead.
    pub(crate) fn next_pass_hour(&self) -> f64 {
        self.alarms
            .iter()
            .filter(|&&at| at > self.now_hour)
            .fold(self.next_hour, |next, &at| next.min(at))
    }

    /// Whether it is between 18:00 and 06:00.
    pub(crate) fn is_night(&self) -> bool {
        let h = self.now_hour.rem_euclid(24.0);
        !(6.0..18.0).contains(&h)
    }
}

/// The scenario, the values its numbers took in this replication, and its entities.
#[derive(Resource)]
pub(crate) struct Setup {
    /// The validated scenario, shared read-only.
    pub scenario: Arc<Scenario>,
    /// This replication's draws.
    pub draws: Draws,
    /// Its entities, in scenario order.
    pub roster: Roster,
}

impl Setup {
    /// The value of a scenario number in this replication.
    pub(crate) fn value(&self, id: ParamId) -> f64 {
        self.draws.get(id)
    }

    /// How `a` regards `b`.
    pub(crate) fn stance(&self, a: FactionIdx, b: FactionIdx) -> Stance {
        self.scenario.stances[a][b]
    }

    /// Whether the two are enemies.
    pub(crate) fn hostile(&self, a: FactionIdx, b: FactionIdx) -> bool {
        self.stance(a, b) == Stance::Hostile
    }

    /// Whether the scenario runs in mean-field mode (expected values, no sampling).
    pub(crate) fn mean_field(&self) -> bool {
        self.scenario.combat.mode == crate::scenario::CombatMode::MeanField
    }
}

/// Entities in scenario order, so systems that draw random numbers visit them in a fixed order.
/// Part of [`Setup`] rather than a resource of its own: every system reads both.
#[derive(Debug, Clone, Default)]
pub(crate) struct Roster {
    /// Site entities, by site index.
    pub sites: Vec<Entity>,
    /// Convoy entities, by convoy index.
    pub convoys: Vec<Entity>,
    /// Band entities, by group index.
    pub bands: Vec<Entity>,
    /// Air wing entities, by wing index.
    pub air: Vec<Entity>,
}

/// Which reinforcements have arrived, by index in the scenario.
#[derive(Resource, Debug, Clone, Default)]
pub(crate) struct ReinforcementsDone(pub Vec<bool>);

/// Running totals that become the outcome record.
#[derive(Resource, Debug, Clone, PartialEq, Default)]
pub struct Tally {
    /// Killed, by faction.
    pub killed: Vec<f64>,
    /// Wounded, by faction.
    pub wounded: Vec<f64>,
    /// Civilians killed.
    pub civilians_killed: f64,
    /// IED strikes on convoys.
    pub ied_strikes: u32,
    /// Ambushes sprung on convoys.
    pub ambushes: u32,
    /// Raids launched on camps.
    pub camp_raids: u32,
    /// Engagements fought (ambushes, raids, assaults).
    pub engagements: u32,
    /// Air strikes flown.
    pub air_strikes: u32,
    /// Troops who left the map alive, by faction: peacekeepers going home, garrisons falling
    /// back from a site they lost. Kept so that every soldier is accounted for.
    pub departed: Vec<f64>,
    /// Troops who joined by reinforcement, by faction.
    pub reinforced: Vec<f64>,
}

impl Tally {
    /// Books casualties of one faction.
    pub(crate) fn book(&mut self, faction: FactionIdx, killed: f64, wounded: f64) {
        self.killed[faction] += killed;
        self.wounded[faction] += wounded;
    }
}

/// Why a site changes hands: the only ways it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureCause {
    /// The attacker won a fight for it, or the defenders left it to the attacker.
    Combat,
    /// A raiding band took it and will leave; or left it and the former owner returned.
    Raid,
    /// Peacekeepers left it, handing it over or leaving it empty.
    Withdrawal,
    /// The first force to arrive at an empty site took it.
    Occupation,
}

/// A change of owner waiting for the control system.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// The site.
    pub site: SiteIdx,
    /// The new owner (None: left empty).
    pub by: Option<FactionIdx>,
    /// Why.
    pub cause: CaptureCause,
    /// Troops left there as the new garrison.
    pub garrison: Force,
    /// For a raid: the band, and when it leaves.
    pub raid: Option<(Entity, f64)>,
    /// Defenders who fell back (they return when a raid ends).
    pub displaced: Force,
}

/// Changes of owner decided this pass, applied by `update_control`.
#[derive(Resource, Debug, Clone, Default)]
pub struct PendingCaptures(pub Vec<Capture>);

/// One change of owner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlChange {
    /// When.
    pub hour: f64,
    /// Which site.
    pub site: SiteIdx,
    /// Owner before.
    pub from: Option<FactionIdx>,
    /// Owner after.
    pub to: Option<FactionIdx>,
    /// Why.
    pub cause: CaptureCause,
}

/// A record of every change of owner, for the invariant tests and the narrative.
#[derive(Resource, Debug, Clone, Default)]
pub struct ControlHistory(pub Vec<ControlChange>);

/// The after-action event log: on when replaying, off (and free) in batches.
#[derive(Resource, Debug, Clone, Default)]
pub(crate) struct EventLog {
    /// Whether to record.
    pub enabled: bool,
    /// What happened, in order.
    pub events: Vec<Event>,
}

impl EventLog {
    /// Records an event built only when the log is on.
    pub(crate) fn record(&mut self, event: impl FnOnce() -> Event) {
        if self.enabled {
            self.events.push(event());
        }
    }
}

/// Open fights.
#[derive(Resource, Debug, Clone, Default)]
pub(crate) struct Engagements(pub Vec<Engagement>);

/// One round of a fight: when it was fired and the troops each side had left after it
/// (attackers, defenders).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundRecord {
    /// Hour the round was fired (it covers `hour .. hour + round_hours`).
    pub hour: f64,
    /// Troops left after it: attackers, defenders.
    pub troops: [f64; 2],
}

/// Every round fought, when enabled: the validation tests watch duels round by round through
/// it, since a pass may fight many rounds. Off (and free) otherwise.
#[derive(Resource, Debug, Clone, Default)]
pub struct RoundTrace {
    /// Whether to record.
    pub enabled: bool,
    /// The rounds, in the order fired.
    pub rounds: Vec<RoundRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alarm_is_due_in_the_first_pass() {
        let clock = Clock::new(100.0);
        assert!(clock.due(Alarm::Calendar) && clock.due(Alarm::Patrols) && clock.due(Alarm::Holds));
    }

    #[test]
    fn a_skipped_system_still_brings_the_next_pass_at_its_alarm() {
        let mut clock = Clock::new(100.0);
        clock.clear(Alarm::Patrols);
        clock.set(Alarm::Patrols, 30.0);
        clock.set(Alarm::Patrols, 40.0);
        assert_eq!(clock.next_pass_hour(), 30.0, "the earlier time stands");
        // The next pass forgets this pass's proposals; the alarm outlives them.
        clock.now_hour = 10.0;
        clock.next_hour = clock.horizon_hour;
        assert!(!clock.due(Alarm::Patrols));
        assert_eq!(clock.next_pass_hour(), 30.0);
        clock.propose(20.0);
        assert_eq!(clock.next_pass_hour(), 20.0);
        clock.now_hour = 30.0;
        assert!(clock.due(Alarm::Patrols));
    }

    #[test]
    fn an_alarm_due_now_or_past_never_takes_time_back() {
        let mut clock = Clock::new(100.0);
        clock.now_hour = 50.0;
        clock.next_hour = 100.0;
        clock.alarms[Alarm::Holds as usize] = 20.0;
        assert!(clock.due(Alarm::Holds));
        assert_eq!(clock.next_pass_hour(), 100.0);
        clock.clear(Alarm::Holds);
        assert_eq!(clock.next_pass_hour(), 100.0);
    }
}
