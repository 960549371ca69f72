//! What can go wrong when a design is asked for: each message says what would have been valid.
//! Nothing here builds a design.

/// A design that cannot be built as asked, or a value that cannot be mapped to a factor.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DesignError {
    /// A design needs at least one factor to vary.
    #[error("a design needs at least one factor; got 0")]
    NoFactors,
    /// A design needs at least one point.
    #[error("a design needs at least one point; got 0")]
    NoPoints,
    /// A factor of a full factorial was given no levels.
    #[error("factor {factor} has 0 levels; every factor needs at least 1 (2 or more to vary it)")]
    ZeroLevels {
        /// The factor's position, from 0.
        factor: usize,
    },
    /// More factors than the largest design of this kind can hold.
    #[error(
        "{construction} can hold at most {max_factors} factors (in its largest design, {largest}); \
         got {requested}"
    )]
    TooManyFactors {
        /// The kind of design asked for.
        construction: &'static str,
        /// How many factors were asked for.
        requested: usize,
        /// The most any design of this kind can hold.
        max_factors: usize,
        /// The largest design of this kind.
        largest: String,
    },
    /// A NOLH of a size that Cioppa & Lucas (2007) did not publish.
    #[error("there is no {points}-point NOLH; the sizes are 17, 33, 65, 129 and 257 points")]
    NoSuchNolh {
        /// The number of points asked for.
        points: usize,
    },
    /// A NOLH too small for the factors asked for.
    #[error(
        "the {points}-point NOLH holds at most {max_factors} factors; got {requested} \
         (use nolh({requested}) to pick the smallest design that holds them)"
    )]
    NolhTooSmall {
        /// The number of points asked for.
        points: usize,
        /// How many factors were asked for.
        requested: usize,
        /// How many the design holds.
        max_factors: usize,
    },
    /// No standard generators are tabled for this fraction of a two-level factorial.
    #[error(
        "no standard generators for a 2^({factors}-{fraction}) design; for {factors} factors the \
         fractions available are {available}"
    )]
    NoGenerators {
        /// The number of factors, k.
        factors: usize,
        /// The fraction exponent, p.
        fraction: usize,
        /// The fractions that are available for `factors`, as a readable list.
        available: String,
    },
    /// The design would have more points than any sweep should run.
    #[error("the design would have {points} points; at most {max} are allowed")]
    TooManyPoints {
        /// The number of points the design would have (saturated at `u128::MAX`).
        points: u128,
        /// The limit, [`MAX_POINTS`](super::MAX_POINTS).
        max: usize,
    },
    /// Rows of a matrix given to [`Design::new`](super::Design::new) differ in length.
    #[error("row {row} has {found} values; every row needs {expected}, one per factor")]
    RaggedRow {
        /// The row, from 0.
        row: usize,
        /// Its length.
        found: usize,
        /// The length of row 0.
        expected: usize,
    },
    /// A design value outside [0, 1] (or not a number).
    #[error("the value at row {row}, factor {factor} is {value}; design values must lie in [0, 1]")]
    OutOfUnitInterval {
        /// The row, from 0.
        row: usize,
        /// The factor, from 0.
        factor: usize,
        /// The offending value.
        value: f64,
    },
    /// A value handed to [`scale()`](fn@super::scale) outside [0, 1].
    #[error("{value} cannot be scaled: a design value must lie in [0, 1]")]
    ValueOutOfRange {
        /// The offending value.
        value: f64,
    },
    /// A factor whose range or level list cannot hold a value.
    #[error("invalid factor: {0}")]
    InvalidFactor(String),
}
