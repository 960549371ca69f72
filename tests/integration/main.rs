//! sandtable's one integration-test binary: every test that drives the library or the real
//! `sandtable` executable lives in a module here (one link, run in parallel).

mod architecture;
mod cli;
mod compare;
mod determinism;
mod drivers;
mod faults;
mod folders;
mod golden;
mod invariants;
mod merge;
mod model;
mod parquet;
mod robustness;
mod scenario_errors;
mod slurm;
mod sources;
mod streams;
mod support;
mod sweep;
mod validation;
