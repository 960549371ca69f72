//! sandtable: seeded Monte Carlo simulation of convoys, camps and armed factions in northern Mali
//! after the UN peacekeepers leave.
//!
//! The pipeline, one module per stage:
//! ```text
//! scenario file ─► scenario::load ─► Scenario (validated, read-only)
//!    batch: run i in 0..N (rayon, any order), stream_i = ChaCha8Rng(seed, stream = i)
//!       sim::simulate ─► Outcome (flat record) [+ event log when replaying]
//!    collect in run order ─► stats ─► output (runs.csv, summary.csv/json, manifest.json)
//! ```
//! One replication is a pure function of (Scenario, seed, run index).

pub mod batch;
pub mod cli;
pub mod design;
pub mod error;
pub mod geo;
pub mod output;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod streams;

pub use error::Error;
pub use scenario::Scenario;
pub use sim::{Outcome, simulate};
