//! The mechanics, one file per mechanic. Their run order is written only in `schedule.rs`.

pub mod air;
pub mod combat;
pub mod contact;
pub mod control;
pub mod decisions;
pub mod ieds;
pub mod movement;
pub mod scheduled;

use std::marker::PhantomData;

use bevy_ecs::prelude::Resource;

use crate::sim::resources::Clock;

/// The earliest time a purely time-driven system has work again; `For` names the system. A
/// resource, so it starts afresh with every replication. It lets the system skip the passes in
/// between at the cost of one comparison (it still re-proposes its time, since the clock
/// forgets proposals after every pass).
#[derive(Resource, Debug)]
pub struct Wake<For: Send + Sync + 'static> {
    at: Option<f64>,
    system: PhantomData<For>,
}

impl<For: Send + Sync + 'static> Default for Wake<For> {
    fn default() -> Self {
        Wake {
            at: None,
            system: PhantomData,
        }
    }
}

impl<For: Send + Sync + 'static> Wake<For> {
    /// Whether there is nothing to do yet; if so, the wake time has been proposed again.
    pub fn sleeping(&self, clock: &mut Clock) -> bool {
        match self.at {
            Some(at) if clock.now_hour < at => {
                clock.propose(at);
                true
            }
            _ => false,
        }
    }

    /// Proposes `hour` to the clock and remembers the earliest such time of this run.
    pub fn propose(&mut self, clock: &mut Clock, hour: f64) {
        clock.propose(hour);
        self.at = Some(self.at.map_or(hour, |at| at.min(hour)));
    }

    /// Forgets the last wake time: call at the start of a full run.
    pub fn reset(&mut self) {
        self.at = Some(f64::INFINITY);
    }
}
