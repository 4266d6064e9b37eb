//! Keep config vars in sync across apps: diff, show masked, apply.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::{Client, Result};

/// What to sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncOptions {
    /// Also remove keys the target has and the desired set lacks (default:
    /// only add and change).
    pub remove_extra: bool,
    /// Keys never touched on the targets (e.g. `DATABASE_URL`).
    pub keep: BTreeSet<String>,
    /// Compute and show the diff, but send nothing.
    pub dry_run: bool,
}

impl SyncOptions {
    /// Only adds and changes keys, and applies the change.
    pub fn new() -> Self {
        SyncOptions::default()
    }

    /// Removes keys the desired set lacks.
    pub fn remove_extra(mut self, yes: bool) -> Self {
        self.remove_extra = yes;
        self
    }

    /// Never touches these keys.
    pub fn keep<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.keep.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Shows the diff without applying it.
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }
}

/// One key's change. Values are secrets: `Debug` and `Display` mask them.
#[derive(Clone, PartialEq, Eq)]
pub enum ConfigChange {
    /// A key the target lacks.
    Added {
        /// The key.
        key: String,
        /// The new value.
        value: String,
    },
    /// A key whose value differs.
    Changed {
        /// The key.
        key: String,
        /// The target's value.
        old: String,
        /// The new value.
        new: String,
    },
    /// A key the desired set lacks (only with `remove_extra`).
    Removed {
        /// The key.
        key: String,
        /// The value being removed.
        old: String,
    },
}

impl ConfigChange {
    /// The config var this change is about.
    pub fn key(&self) -> &str {
        match self {
            ConfigChange::Added { key, .. }
            | ConfigChange::Changed { key, .. }
            | ConfigChange::Removed { key, .. } => key,
        }
    }
}

/// A value, masked: its length only.
fn mask(value: &str) -> String {
    match value.chars().count() {
        1 => "<1 char>".to_string(),
        n => format!("<{n} chars>"),
    }
}

impl fmt::Display for ConfigChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigChange::Added { key, value } => write!(f, "+ {key} = {}", mask(value)),
            ConfigChange::Changed { key, old, new } => {
                write!(f, "~ {key}: {} -> {}", mask(old), mask(new))
            }
            ConfigChange::Removed { key, old } => write!(f, "- {key} (was {})", mask(old)),
        }
    }
}

impl fmt::Debug for ConfigChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConfigChange({self})")
    }
}

/// The changes one app needs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigDiff {
    /// The target app, as given.
    pub app: String,
    /// Its changes, in key order.
    pub changes: Vec<ConfigChange>,
}

impl ConfigDiff {
    /// Nothing to change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The PATCH body that applies this diff: values to set, `null` to remove.
    pub fn patch(&self) -> BTreeMap<String, Option<String>> {
        self.changes
            .iter()
            .map(|c| match c {
                ConfigChange::Added { key, value } => (key.clone(), Some(value.clone())),
                ConfigChange::Changed { key, new, .. } => (key.clone(), Some(new.clone())),
                ConfigChange::Removed { key, .. } => (key.clone(), None),
            })
            .collect()
    }

    fn compute(
        app: &str,
        desired: &BTreeMap<String, String>,
        current: &BTreeMap<String, String>,
        opts: &SyncOptions,
    ) -> Self {
        let mut changes = Vec::new();
        let keys: BTreeSet<&String> = desired.keys().chain(current.keys()).collect();
        for key in keys {
            if opts.keep.contains(key) {
                continue;
            }
            match (desired.get(key), current.get(key)) {
                (Some(value), None) => changes.push(ConfigChange::Added {
                    key: key.clone(),
                    value: value.clone(),
                }),
                (Some(new), Some(old)) if new != old => changes.push(ConfigChange::Changed {
                    key: key.clone(),
                    old: old.clone(),
                    new: new.clone(),
                }),
                (None, Some(old)) if opts.remove_extra => changes.push(ConfigChange::Removed {
                    key: key.clone(),
                    old: old.clone(),
                }),
                _ => {}
            }
        }
        ConfigDiff {
            app: app.to_string(),
            changes,
        }
    }
}

impl fmt::Display for ConfigDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "{}: in sync", self.app);
        }
        writeln!(f, "{}: {} change(s)", self.app, self.changes.len())?;
        for c in &self.changes {
            writeln!(f, "  {c}")?;
        }
        Ok(())
    }
}

impl Client {
    /// The changes that would bring each app's config to `desired`.
    pub async fn config_diff(
        &self,
        desired: &BTreeMap<String, String>,
        apps: &[&str],
        opts: &SyncOptions,
    ) -> Result<Vec<ConfigDiff>> {
        let mut diffs = Vec::with_capacity(apps.len());
        for app in apps {
            let current: BTreeMap<String, String> = self
                .config_var()
                .info_for_app(*app)
                .await?
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect();
            diffs.push(ConfigDiff::compute(app, desired, &current, opts));
        }
        Ok(diffs)
    }

    /// Brings each app's config to `desired`: one PATCH per app that needs
    /// a change, none with `dry_run`. Returns the diffs either way.
    pub async fn config_sync(
        &self,
        desired: &BTreeMap<String, String>,
        apps: &[&str],
        opts: &SyncOptions,
    ) -> Result<Vec<ConfigDiff>> {
        let diffs = self.config_diff(desired, apps, opts).await?;
        if !opts.dry_run {
            for diff in diffs.iter().filter(|d| !d.is_empty()) {
                self.config_var()
                    .update(diff.app.as_str(), diff.patch())
                    .await?;
            }
        }
        Ok(diffs)
    }

    /// Like [`config_sync`](Self::config_sync), with another app's config
    /// as the desired set.
    pub async fn config_sync_from_app(
        &self,
        source: &str,
        apps: &[&str],
        opts: &SyncOptions,
    ) -> Result<Vec<ConfigDiff>> {
        let desired: BTreeMap<String, String> = self
            .config_var()
            .info_for_app(source)
            .await?
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
        self.config_sync(&desired, apps, opts).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn diffs_are_masked_and_respect_options() {
        let desired = map(&[("A", "secret-a"), ("B", "new-b"), ("KEEP", "x")]);
        let current = map(&[("B", "old-b"), ("C", "gone"), ("KEEP", "y")]);
        let opts = SyncOptions::new().remove_extra(true).keep(["KEEP"]);
        let d = ConfigDiff::compute("app", &desired, &current, &opts);
        let keys: Vec<&str> = d.changes.iter().map(ConfigChange::key).collect();
        assert_eq!(keys, ["A", "B", "C"]);
        let shown = format!("{d}{d:?}");
        for secret in ["secret-a", "new-b", "old-b", "gone"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("+ A = <8 chars>"), "{shown}");
        assert_eq!(d.patch().get("C"), Some(&None));
        let no_remove = ConfigDiff::compute("app", &desired, &current, &SyncOptions::new());
        assert!(no_remove.changes.iter().all(|c| c.key() != "C"));
    }
}
