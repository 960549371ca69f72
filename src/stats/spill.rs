//! Values of a column too long to keep in memory, kept in scratch space the caller provides
//! (little-endian f64s, 8 bytes each): written in run order, read back once in the same order.
//! Stats never opens a file itself; where the scratch space lives is the caller's choice.

use std::fmt::Debug;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

/// Scratch space for spilled values: anything that reads, writes and seeks, such as an
/// anonymous temporary file.
pub trait Scratch: Read + Write + Seek + Send + Debug {}

impl<T: Read + Write + Seek + Send + Debug> Scratch for T {}

/// Where long columns spill: a source of new, empty scratch spaces, each used by one column and
/// dropped once the column is read back. The caller provides it (the command line gives a
/// directory of temporary files); a column without one keeps every value in memory.
pub trait SpillStore: Send + Sync + Debug {
    /// A new, empty scratch space.
    ///
    /// # Errors
    /// When none can be made (e.g. its directory is missing or not writable).
    fn scratch(&self) -> io::Result<Box<dyn Scratch>>;
}

/// The values a column has spilled so far.
#[derive(Debug)]
pub(super) struct Spilled {
    writer: BufWriter<Box<dyn Scratch>>,
    values_written: u64,
}

impl Spilled {
    /// Starts spilling into a new scratch space of `store`.
    pub(super) fn create(store: &dyn SpillStore) -> io::Result<Spilled> {
        Ok(Spilled {
            writer: BufWriter::new(store.scratch()?),
            values_written: 0,
        })
    }

    /// Appends `values` after those already written.
    pub(super) fn write(&mut self, values: &[f64]) -> io::Result<()> {
        for value in values {
            self.writer.write_all(&value.to_le_bytes())?;
        }
        self.values_written += values.len() as u64;
        Ok(())
    }

    /// Appends every value written, in the order written, to `values`; the scratch space is
    /// then dropped.
    pub(super) fn read_into(self, values: &mut Vec<f64>) -> io::Result<()> {
        let mut scratch = self
            .writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        scratch.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::new(scratch);
        let mut bytes = [0_u8; 8];
        for _ in 0..self.values_written {
            reader.read_exact(&mut bytes)?;
            values.push(f64::from_le_bytes(bytes));
        }
        Ok(())
    }
}

/// Scratch space in memory, for the tests of the columns that spill.
#[cfg(test)]
#[derive(Debug, Default)]
pub(super) struct InMemory;

#[cfg(test)]
impl SpillStore for InMemory {
    fn scratch(&self) -> io::Result<Box<dyn Scratch>> {
        Ok(Box::new(io::Cursor::new(Vec::<u8>::new())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_bit_for_bit_in_order() {
        let mut spill = Spilled::create(&InMemory).unwrap();
        let first = [1.5, -0.0, f64::MIN_POSITIVE / 2.0, 1e300];
        let second = [0.1, -7.25];
        spill.write(&first).unwrap();
        spill.write(&second).unwrap();
        let mut values = vec![42.0];
        spill.read_into(&mut values).unwrap();
        let expected = [42.0, 1.5, -0.0, f64::MIN_POSITIVE / 2.0, 1e300, 0.1, -7.25];
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&values), bits(&expected));
    }
}
