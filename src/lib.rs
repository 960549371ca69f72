//! sandtable: seeded Monte Carlo simulation of convoys, camps and armed factions in northern Mali
//! after the UN peacekeepers leave.
//!
//! The pipeline, one module per stage, each importing only the stages before it:
//! ```text
//! scenario file ─► scenario::load ─► Scenario (validated, read-only)
//!    batch::drive: run i in 0..N on worker threads, results in run order
//!       sim::Engine::simulate(seed, i) ─► Outcome (flat record) [+ event log when replaying]
//!          every draw from a stream keyed by (seed, i, purpose): streams.rs
//!    stats ─► output (runs.csv, summary.csv/json, manifest.json) ─► cli (prints)
//! ```
//! One replication is a pure function of (Scenario, seed, run index).
//!
//! The library's front door is re-exported here. One replication, and a small batch folded into
//! its summary as `sandtable run` does:
//! ```
//! use std::sync::Arc;
//!
//! let scenario = Arc::new(sandtable::load_default(&[])?);
//! let one = sandtable::simulate(&scenario, sandtable::DEFAULT_SEED, 0, false);
//! let schema = sandtable::OutcomeSchema::for_scenario(&scenario);
//! assert_eq!(one.outcome.values.len(), schema.columns.len());
//!
//! let mut summary = sandtable::SummaryBuilder::new(&schema, None);
//! let mut engine = sandtable::Engine::new();
//! for run in 0..20 {
//!     let rep = engine.simulate(&scenario, sandtable::DEFAULT_SEED, run, false);
//!     summary.push(&rep.outcome).expect("an outcome fits its own schema");
//! }
//! let summary = summary.finish()?;
//! let arrived = &summary.categories("kidal_column_status").unwrap()[0];
//! assert_eq!(arrived.category, "arrived");
//! assert!((0.0..=1.0).contains(&arrived.proportion));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//! Batches on many threads go through [`drive`], which hands results back in run order
//! whatever the thread count; [`batch::record_batch`] adds the journal and statistics of
//! `sandtable run`. A change of one number is an [`Override`]:
//! ```
//! let set: sandtable::Override = "convoy.kidal_column.vehicles=60".parse()?;
//! let fewer = sandtable::load_default(&[set])?;
//! assert!(fewer.uncertain_params().count() > 100);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod batch;
pub mod cli;
pub mod design;
pub mod error;
pub mod experiment;
pub mod geo;
pub mod output;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod streams;

pub use batch::{BatchSummary, DEFAULT_SEED, Stop, SummaryBuilder, drive};
pub use error::Error;
pub use scenario::{Override, Scenario, ScenarioError, load, load_default};
pub use sim::{Engine, Outcome, OutcomeSchema, Replication, simulate};
pub use streams::StreamKey;
