//! The one place the system order is written. Each pass runs every system once in this order;
//! ambiguity detection is an error, so the order is total and a replication deterministic.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};

use super::resources::Alarm;
use super::systems::{
    air, alarm_due, combat, contact, control, decisions, ieds, movement, scheduled,
};

/// The label of the simulation's schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SimSchedule;

/// The stages of one pass, in run order.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum SimSystems {
    /// Withdrawals, departures, reinforcements.
    Scheduled,
    /// Convoys and bands decide what to do.
    Decisions,
    /// Convoys drive, bands arrive.
    Movement,
    /// Roadside bombs.
    Ieds,
    /// Meetings become fights.
    Contact,
    /// Owners change.
    Control,
    /// Drones and aircraft.
    Air,
    /// Rounds of fire: last, so that it knows when anything else is next due and can fight
    /// round after round until then.
    Combat,
}

/// Builds the schedule: single-threaded (parallelism is across replications), strictly ordered.
pub(crate) fn build() -> Schedule {
    let mut schedule = Schedule::new(SimSchedule);
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    schedule.configure_sets(
        (
            SimSystems::Scheduled,
            SimSystems::Decisions,
            SimSystems::Movement,
            SimSystems::Ieds,
            SimSystems::Contact,
            SimSystems::Control,
            SimSystems::Air,
            SimSystems::Combat,
        )
            .chain(),
    );
    // Systems with nothing to do in most passes are skipped by a run condition that reads one
    // or two resources: bevy fetches every parameter of a system that runs, and that fetching
    // was most of the cost of a pass.
    schedule.add_systems((
        scheduled::apply_scheduled_events
            .in_set(SimSystems::Scheduled)
            .run_if(alarm_due(Alarm::Calendar)),
        decisions::make_decisions.in_set(SimSystems::Decisions),
        movement::move_units.in_set(SimSystems::Movement),
        ieds::strike_ieds.in_set(SimSystems::Ieds),
        contact::make_contact.in_set(SimSystems::Contact),
        combat::resolve_engagements
            .in_set(SimSystems::Combat)
            .run_if(combat::fights_open),
        control::update_control
            .in_set(SimSystems::Control)
            .run_if(control::has_work),
        air::fly_air_strikes
            .in_set(SimSystems::Air)
            .run_if(alarm_due(Alarm::Patrols)),
    ));
    schedule
}
