//! Ranks and the correlation matrix of many long columns: the two costly steps of PRCC and SRC
//! on a million runs. Columns are ranked one per core; the matrix is summed over fixed blocks
//! of rows, each a matrix product, the blocks added in block order, so the result does not
//! depend on the number of threads.

use nalgebra::DMatrix;
use rayon::prelude::*;

/// A stored value of an input column. A batch read from `runs.csv` keeps its inputs as `f32`,
/// half the memory of `f64` (10⁶ runs × 120 inputs is 480 MB rather than 960 MB). That keeps
/// the results' meaning: ranks change only where two values closer than one part in 10⁷ become
/// equal (then they share their mean rank), and a standardized regression coefficient moves by
/// about 10⁻⁷. Sums and products are always formed in `f64`.
pub trait Cell: Copy + Send + Sync + 'static {
    /// The value as `f64`.
    fn to_f64(self) -> f64;
    /// The nearest stored value to `v` (exact for ranks below 2²³ in `f32`).
    fn from_f64(v: f64) -> Self;
    /// A key whose unsigned order is the numbers' order, equal for equal numbers (−0 = +0).
    fn order_key(self) -> u64;
    /// How many low bits `order_key` uses: 32 lets a key and a row index share one `u64`.
    const KEY_BITS: u32;
}

impl Cell for f32 {
    const KEY_BITS: u32 = 32;

    fn to_f64(self) -> f64 {
        f64::from(self)
    }

    fn from_f64(v: f64) -> Self {
        v as f32
    }

    fn order_key(self) -> u64 {
        let bits = if self == 0.0 { 0 } else { self.to_bits() };
        u64::from(if bits >> 31 == 1 {
            !bits
        } else {
            bits | 1 << 31
        })
    }
}

impl Cell for f64 {
    const KEY_BITS: u32 = 64;

    fn to_f64(self) -> f64 {
        self
    }

    fn from_f64(v: f64) -> Self {
        v
    }

    fn order_key(self) -> u64 {
        let bits = if self == 0.0 { 0 } else { self.to_bits() };
        if bits >> 63 == 1 {
            !bits
        } else {
            bits | 1 << 63
        }
    }
}

/// Replaces every value by its rank from 1, ties given the mean of the ranks they span (so a
/// tied block weighs as one). Sorting keys rather than comparing floats through an index keeps
/// a million values to a few tens of milliseconds; for `f32` key and row index share one `u64`,
/// half the memory and time of a pair.
pub fn rank_in_place<T: Cell>(values: &mut [T]) {
    if T::KEY_BITS <= 32 && values.len() <= u32::MAX as usize {
        let mut keyed: Vec<u64> = values
            .iter()
            .enumerate()
            .map(|(i, v)| v.order_key() << 32 | i as u64)
            .collect();
        keyed.sort_unstable();
        assign_ranks(values, &keyed, |k| (k >> 32, k & u64::from(u32::MAX)));
    } else {
        let mut keyed: Vec<(u64, u64)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (v.order_key(), i as u64))
            .collect();
        keyed.sort_unstable();
        assign_ranks(values, &keyed, |&(k, i)| (k, i));
    }
}

/// Writes the mean rank of each run of equal keys in `sorted` (key and row by `split`).
fn assign_ranks<T: Cell, K: Copy>(
    values: &mut [T],
    sorted: &[K],
    split: impl Fn(&K) -> (u64, u64),
) {
    let mut start = 0;
    while start < sorted.len() {
        let key = split(&sorted[start]).0;
        let mut end = start + 1;
        while end < sorted.len() && split(&sorted[end]).0 == key {
            end += 1;
        }
        let mean_rank = T::from_f64((start + end + 1) as f64 / 2.0);
        for k in &sorted[start..end] {
            values[split(k).1 as usize] = mean_rank;
        }
        start = end;
    }
}

/// Rows per block of the product: at 121 columns a block is about 8 MB of `f64`.
const BLOCK_ROWS: usize = 8192;

/// The Pearson correlation matrix of `columns` followed by `last` (all of one length), in that
/// order: (k + 1) × (k + 1).
///
/// # Errors
/// The index of a column that does not vary (`k` for `last`).
pub fn correlation_matrix<T: Cell>(
    columns: &[Vec<T>],
    last: &[f64],
) -> Result<DMatrix<f64>, usize> {
    let n = last.len();
    let k = columns.len();
    let mut means: Vec<f64> = columns
        .par_iter()
        .map(|c| c.iter().map(|v| v.to_f64()).sum::<f64>() / n as f64)
        .collect();
    means.push(last.iter().sum::<f64>() / n as f64);
    let blocks: Vec<DMatrix<f64>> = (0..n.div_ceil(BLOCK_ROWS))
        .into_par_iter()
        .map(|b| {
            let rows = b * BLOCK_ROWS..((b + 1) * BLOCK_ROWS).min(n);
            let mut centred = DMatrix::<f64>::zeros(rows.len(), k + 1);
            for (j, column) in columns.iter().enumerate() {
                for (out, v) in centred.column_mut(j).iter_mut().zip(&column[rows.clone()]) {
                    *out = v.to_f64() - means[j];
                }
            }
            for (out, v) in centred.column_mut(k).iter_mut().zip(&last[rows.clone()]) {
                *out = v - means[k];
            }
            // A product of dense matrices (matrixmultiply's kernel), not k² dot products.
            centred.transpose() * &centred
        })
        .collect();
    let mut cross = DMatrix::<f64>::zeros(k + 1, k + 1);
    for block in &blocks {
        cross += block;
    }
    if let Some(j) = (0..=k).find(|&j| cross[(j, j)] <= 0.0 || !cross[(j, j)].is_finite()) {
        return Err(j);
    }
    let scale: Vec<f64> = (0..=k).map(|j| cross[(j, j)].sqrt()).collect();
    Ok(DMatrix::from_fn(k + 1, k + 1, |i, j| {
        if i == j {
            1.0
        } else {
            // The upper triangle, so that the matrix is exactly symmetric.
            cross[(i.min(j), i.max(j))] / (scale[i] * scale[j])
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::uniform_columns;

    #[test]
    fn ranks_follow_the_numbers_order_for_both_cell_types() {
        let mut wide = vec![0.5, -2.0, 0.0, -0.0, 1e300, -1e-300];
        let mut narrow: Vec<f32> = wide.iter().map(|&v| v as f32).collect();
        rank_in_place(&mut wide);
        assert_eq!(wide, vec![5.0, 1.0, 3.5, 3.5, 6.0, 2.0]);
        rank_in_place(&mut narrow);
        // −1e-300 is −0 in f32: three zeros tie.
        assert_eq!(narrow, vec![5.0, 1.0, 3.0, 3.0, 6.0, 3.0]);
    }

    #[test]
    fn the_matrix_is_the_correlations_of_the_columns_whatever_the_blocks() {
        let n = 3 * BLOCK_ROWS + 17;
        let x = uniform_columns(n, 2, 5);
        let last: Vec<f64> = (0..n).map(|i| x[0][i] - 0.5 * x[1][i]).collect();
        let r = correlation_matrix(&x, &last).unwrap();
        let direct = |a: &[f64], b: &[f64]| {
            let (ma, mb) = (
                a.iter().sum::<f64>() / n as f64,
                b.iter().sum::<f64>() / n as f64,
            );
            let cov: f64 = a.iter().zip(b).map(|(u, v)| (u - ma) * (v - mb)).sum();
            let va: f64 = a.iter().map(|u| (u - ma).powi(2)).sum();
            let vb: f64 = b.iter().map(|v| (v - mb).powi(2)).sum();
            cov / (va * vb).sqrt()
        };
        assert!((r[(0, 2)] - direct(&x[0], &last)).abs() < 1e-12);
        assert!((r[(1, 2)] - direct(&x[1], &last)).abs() < 1e-12);
        assert!((r[(0, 1)] - direct(&x[0], &x[1])).abs() < 1e-12);
        assert_eq!(r[(2, 0)], r[(0, 2)]);
        let constant = vec![vec![1.0; n], x[0].clone()];
        assert_eq!(correlation_matrix(&constant, &last), Err(0));
    }
}
