//! Publishing a batch's files so that an interruption at any instant leaves either a whole,
//! checkable set or a batch `--resume` continues: the old `manifest.json` goes first, the data
//! files are renamed into place, and the new manifest — listing each file's SHA-256 — comes
//! last. A reader trusts a folder only when its manifest's hashes match the files
//! ([`verify_published`]).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::manifest::Manifest;

/// Hex SHA-256 of the file at `path`, read in blocks (a `runs.csv` of a million runs is
/// gigabytes).
pub(crate) fn sha256_of_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hash = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            return Ok(hex(&hash.finalize()));
        }
        hash.update(&block[..n]);
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a folder's files are not the set its manifest publishes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unpublished {
    /// No `manifest.json`: nothing was published, or a publication was cut before its end.
    #[error("{dir} has no manifest.json: no batch was published there whole")]
    NoManifest {
        /// The folder.
        dir: String,
    },
    /// The manifest cannot be read as one.
    #[error("{path}: not a sandtable manifest ({message})")]
    Unreadable {
        /// The manifest.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A file the manifest lists is missing or differs from what was published.
    #[error(
        "{path} is not the file its manifest.json published ({why}); the folder's files are \
         not one batch's set"
    )]
    Mismatch {
        /// The file.
        path: String,
        /// Missing, or its hash.
        why: String,
    },
}

/// The manifest of the batch published in `dir`, once every file it lists is there with the
/// SHA-256 it records: the check a reader makes before trusting a folder. (A manifest written
/// before manifests listed their files lists none, and passes.)
///
/// # Errors
/// [`Unpublished`] when there is no manifest, it is unreadable, or a file does not match.
pub fn verify_published(dir: &Path) -> Result<Manifest, Unpublished> {
    let path = dir.join("manifest.json");
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Unpublished::NoManifest {
                dir: dir.display().to_string(),
            });
        }
        Err(e) => {
            return Err(Unpublished::Unreadable {
                path: shown,
                message: e.to_string(),
            });
        }
    };
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| Unpublished::Unreadable {
        path: shown,
        message: e.to_string(),
    })?;
    check_files(dir, &manifest.files)?;
    Ok(manifest)
}

/// Each listed file of `dir` against its recorded SHA-256.
fn check_files(dir: &Path, files: &BTreeMap<String, String>) -> Result<(), Unpublished> {
    for (name, expected) in files {
        let path = dir.join(name);
        let mismatch = |why: String| Unpublished::Mismatch {
            path: path.display().to_string(),
            why,
        };
        match sha256_of_file(&path) {
            Ok(actual) if &actual == expected => {}
            Ok(actual) => return Err(mismatch(format!("SHA-256 {actual}, not {expected}"))),
            Err(e) => return Err(mismatch(e.to_string())),
        }
    }
    Ok(())
}
