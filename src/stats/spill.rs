//! A scratch file of f64 values for a column too long to keep in memory (little-endian, 8 bytes
//! each). Written in run order, read back once in the same order; it never outlives its column.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes the spill files of one process; only uniqueness matters, never the value.
static NEXT_SPILL_ID: AtomicU64 = AtomicU64::new(0);

/// How many names to try before giving up, should stale files from a crashed process collide.
const NAME_ATTEMPTS: usize = 100;

/// An anonymous temporary file holding the values a column has spilled so far.
#[derive(Debug)]
pub(super) struct SpillFile {
    writer: BufWriter<File>,
    values_written: u64,
    _cleanup: RemoveOnDrop,
}

/// Removes a file that could not be unlinked while open (some platforms refuse) when dropped.
#[derive(Debug)]
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            // Nothing useful can be done about a failure here; the file is in a temp directory.
            let _ = fs::remove_file(path);
        }
    }
}

impl SpillFile {
    /// Creates a new, uniquely named file in `dir` and unlinks it at once, so it vanishes with its
    /// handle even if the process is killed.
    pub(super) fn create(dir: &Path) -> io::Result<SpillFile> {
        let pid = std::process::id();
        for _ in 0..NAME_ATTEMPTS {
            let id = NEXT_SPILL_ID.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!("sandtable-spill-{pid}-{id}.f64"));
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    let cleanup = match fs::remove_file(&path) {
                        Ok(()) => RemoveOnDrop(None),
                        Err(_) => RemoveOnDrop(Some(path)),
                    };
                    return Ok(SpillFile {
                        writer: BufWriter::new(file),
                        values_written: 0,
                        _cleanup: cleanup,
                    });
                }
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => {
                    return Err(io::Error::new(
                        error.kind(),
                        format!(
                            "cannot create a spill file in {} (set a writable spill directory): {error}",
                            dir.display()
                        ),
                    ));
                }
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "cannot find a free spill file name in {} after {NAME_ATTEMPTS} tries",
                dir.display()
            ),
        ))
    }

    /// Appends `values` after those already written.
    pub(super) fn write(&mut self, values: &[f64]) -> io::Result<()> {
        for value in values {
            self.writer.write_all(&value.to_le_bytes())?;
        }
        self.values_written += values.len() as u64;
        Ok(())
    }

    /// Appends every value written, in the order written, to `values`; the file is then gone.
    pub(super) fn read_into(self, values: &mut Vec<f64>) -> io::Result<()> {
        let mut file = self
            .writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        let mut reader = BufReader::new(file);
        let mut bytes = [0_u8; 8];
        for _ in 0..self.values_written {
            reader.read_exact(&mut bytes)?;
            values.push(f64::from_le_bytes(bytes));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_bit_for_bit_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut spill = SpillFile::create(dir.path()).unwrap();
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

    #[test]
    fn leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut spill = SpillFile::create(dir.path()).unwrap();
        spill.write(&[1.0; 1000]).unwrap();
        // Unlinked at creation where the platform allows it; gone after use everywhere.
        #[cfg(unix)]
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        spill.read_into(&mut Vec::new()).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_missing_directory_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let error = SpillFile::create(&dir.path().join("missing")).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(error.to_string().contains("spill"), "{error}");
    }
}
