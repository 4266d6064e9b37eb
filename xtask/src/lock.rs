//! `schema/schema.lock.json`: which schema heroku-api is generated from.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const LOCK_FILE: &str = "schema/schema.lock.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The `Accept` variant the schema was fetched with (`3`, `3.sdk`).
    pub variant: String,
    /// File name of the schema.
    pub file: String,
    pub sha256: String,
    /// When the lock was last updated (YYYY-MM-DD).
    pub date: String,
    /// Where the schema is read from by default, relative to the workspace
    /// root. The schema itself is never committed.
    pub path: PathBuf,
}

impl Lock {
    pub fn read(root: &Path) -> Result<Lock, String> {
        let path = root.join(LOCK_FILE);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn write(&self, root: &Path) -> Result<(), String> {
        let path = root.join(LOCK_FILE);
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The lock for a newly accepted schema file.
    pub fn updated(&self, schema: &Path, sha256: &str) -> Result<Lock, String> {
        let file = schema
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or("the schema path has no file name")?;
        let variant = if file.contains("3.sdk") {
            "3.sdk"
        } else {
            &self.variant
        };
        Ok(Lock {
            variant: variant.to_string(),
            file: file.clone(),
            sha256: sha256.to_string(),
            date: today(),
            path: self.path.with_file_name(&file),
        })
    }
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}
