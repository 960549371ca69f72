//! Batch statistics: the per-outcome summaries of summary.csv and summary.json (moments, t- and
//! Wilson intervals, type 7 quantiles, histograms) and the paired comparisons of `compare`,
//! accumulated run by run in bounded memory.
//! It computes numbers only: it never formats, writes output files or knows which outcome is which.
//!
//! Every result depends only on the values and their run order, never on how the batch was
//! split across threads, and transcendental functions from the platform's libm are avoided, so a
//! summary has the same bits on every machine.

mod column;
mod histogram;
mod moments;
mod paired;
mod proportion;
mod quantile;
mod spill;
mod student_t;

pub use column::{
    CategoricalColumn, CategorySummary, DEFAULT_BUFFER_VALUES, NumericColumn, NumericSummary,
};
pub use histogram::{Histogram, MAX_BINS};
pub use moments::Moments;
pub use paired::{PairedMoments, PairedProportion, newcombe_paired_interval};
pub use proportion::{Z_95, wilson_interval};
pub use quantile::quantile_type7;
pub use spill::{Scratch, SpillStore};
pub use student_t::t_quantile;
