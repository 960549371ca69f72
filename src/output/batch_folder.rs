//! A batch's folder read back for the commands that start from one: `replay --from` (any
//! batch, finished or not) and `run --resume DIR` (an interrupted one). It reads the manifest
//! and says where the resolved scenario is; checking them against a command is `cli`'s job.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::comparison::CompareManifest;
use super::manifest::{BatchStatus, Manifest, RESOLVED_SCENARIO};
use super::resume::{self, MANIFEST_PARTIAL, ResumeError};
use super::{OutputError, io_error};

/// A batch's folder and what its manifest says.
#[derive(Debug, Clone)]
pub struct BatchFolder {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest: `manifest.json`, or `manifest.json.partial` of a batch that was killed.
    pub manifest: Manifest,
    /// Its `scenario.resolved.toml`, when it has one (a killed batch has not written it yet).
    pub resolved_scenario: Option<PathBuf>,
}

impl BatchFolder {
    /// Reads the batch in `from`: the folder of a `run --out` (or one scenario's subfolder of a
    /// `compare --out`), or its `manifest.json` (or `manifest.json.partial`).
    ///
    /// # Errors
    /// [`OutputError::NotABatch`] when `from` holds no manifest of a `run` batch (with a word
    /// on what to give instead for a comparison's folder); an I/O error when it cannot be read.
    pub fn read(from: &Path) -> Result<BatchFolder, OutputError> {
        let (dir, candidates) = if from.is_dir() {
            let dir = from.to_path_buf();
            let names = ["manifest.json", MANIFEST_PARTIAL].map(|n| dir.join(n));
            (dir, names.to_vec())
        } else {
            let dir = from
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            (dir, vec![from.to_path_buf()])
        };
        let not_a_batch = |message: String| OutputError::NotABatch {
            dir: from.display().to_string(),
            message,
        };
        for path in &candidates {
            let text = match fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(path, e)),
            };
            let manifest = parse_manifest(&text).map_err(not_a_batch)?;
            let resolved = dir.join(RESOLVED_SCENARIO);
            return Ok(BatchFolder {
                resolved_scenario: resolved.is_file().then_some(resolved),
                dir,
                manifest,
            });
        }
        Err(not_a_batch(if from.exists() {
            "it holds no manifest.json".to_string()
        } else {
            "no such file or folder".to_string()
        }))
    }

    /// The manifest of the interrupted batch in `dir`, for `--resume DIR`.
    ///
    /// # Errors
    /// [`ResumeError`] when `dir` holds no interrupted batch, or a complete one.
    pub fn interrupted(dir: &Path) -> Result<Manifest, OutputError> {
        if !dir.is_dir() {
            let dir = dir.display().to_string();
            return Err(ResumeError::NoBatch { dir }.into());
        }
        Ok(resume::read_manifest(dir)?)
    }

    /// The manifest of the interrupted comparison in `dir`, for `compare --resume DIR`; `None`
    /// when it has none (a comparison killed before it could write one leaves only its
    /// scenarios' journals).
    ///
    /// # Errors
    /// [`ResumeError`] when `dir` is not a folder or holds a complete comparison; an I/O error,
    /// or [`OutputError::NotABatch`] when its manifest is not a comparison's.
    pub fn interrupted_comparison(dir: &Path) -> Result<Option<CompareManifest>, OutputError> {
        let shown = dir.display().to_string();
        if !dir.is_dir() {
            return Err(ResumeError::NoBatch { dir: shown }.into());
        }
        let path = dir.join("manifest.json");
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path, e)),
        };
        let manifest: CompareManifest =
            serde_json::from_str(&text).map_err(|e| OutputError::NotABatch {
                dir: shown.clone(),
                message: format!("its manifest.json is not a comparison's ({e})"),
            })?;
        if manifest.status == BatchStatus::Complete {
            return Err(ResumeError::Complete { dir: shown }.into());
        }
        Ok(Some(manifest))
    }
}

/// A `run` batch's manifest from its text; a message saying what the text is otherwise.
fn parse_manifest(text: &str) -> Result<Manifest, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("its manifest is not JSON: {e}"))?;
    if value.get("command").and_then(serde_json::Value::as_str) == Some("compare") {
        let names: Vec<&str> = value
            .get("scenarios")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|s| s.get("name").and_then(serde_json::Value::as_str))
            .collect();
        return Err(format!(
            "it holds a comparison, and each of its scenarios' subfolders is a batch: {}",
            names.join(", ")
        ));
    }
    serde_json::from_value(value).map_err(|e| format!("not a sandtable run manifest: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_folder_points_to_its_scenarios() {
        let error = parse_manifest(
            r#"{"command": "compare", "scenarios": [{"name": "base"}, {"name": "big"}]}"#,
        )
        .unwrap_err();
        assert!(
            error.ends_with("subfolders is a batch: base, big"),
            "{error}"
        );
        assert!(parse_manifest("{").unwrap_err().contains("not JSON"));
        assert!(
            parse_manifest("{}")
                .unwrap_err()
                .contains("not a sandtable run manifest")
        );
    }

    #[test]
    fn a_folder_without_a_manifest_is_not_a_batch() {
        let dir = tempfile::tempdir().unwrap();
        let error = BatchFolder::read(dir.path()).unwrap_err().to_string();
        assert!(error.contains("it holds no manifest.json"), "{error}");
        let missing = dir.path().join("nothing");
        let error = BatchFolder::read(&missing).unwrap_err().to_string();
        assert!(error.contains("no such file or folder"), "{error}");
    }
}
