//! A PRIM box: the inputs' ranges it keeps and its measures (coverage, density, support).
//! Plain data shared by peeling (`prim`) and pasting (`paste`).

/// One input's range in a box: the box holds the points with `low <= x <= high`; `None` is
/// unbounded on that side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The input, as its index among the columns PRIM was given.
    pub input: usize,
    /// The smallest value kept, if that side was peeled.
    pub low: Option<f64>,
    /// The largest value kept, if that side was peeled.
    pub high: Option<f64>,
}

/// A box of the peeling trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// The share of all cases (outcome true) that fall in the box.
    pub coverage: f64,
    /// The share of the box's points that are cases.
    pub density: f64,
    /// The share of all points in the box.
    pub support: f64,
    /// The inputs the box restricts, in input order; the others are unbounded.
    pub bounds: Vec<Bound>,
}
