//! Keep config vars in sync across apps: diff, show masked, apply.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::app::AppIdentity;
use crate::workflows::WorkflowError;
use crate::{Client, Error, Result};

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
    /// After an app fails, go on with the others (default: stop, and leave
    /// the rest not attempted).
    pub keep_going: bool,
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

    /// Goes on with the other apps after one fails.
    pub fn keep_going(mut self, yes: bool) -> Self {
        self.keep_going = yes;
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

/// What a sync did to one app.
#[derive(Debug)]
#[non_exhaustive]
pub enum SyncOutcome {
    /// Its config already matched: nothing was sent.
    InSync,
    /// Its change was sent and accepted.
    Applied,
    /// A dry run: the change was computed and not sent.
    Planned,
    /// Reading or updating its config failed; the error says why. Its
    /// config is as it was (Heroku applies a config update whole or not
    /// at all).
    Failed(Error),
    /// Not attempted: an earlier app failed (see
    /// [`SyncOptions::keep_going`]).
    NotAttempted,
}

/// One app of a sync: its diff, when its config was read, and what became
/// of it.
#[derive(Debug)]
#[non_exhaustive]
pub struct AppSync {
    /// The app, as given.
    pub app: String,
    /// The changes it needed; `None` when its config could not be read, or
    /// was not read.
    pub diff: Option<ConfigDiff>,
    /// What happened.
    pub outcome: SyncOutcome,
}

/// The outcome of [`Client::config_sync`] for every app, in the order given.
/// A sync reads every app's config before it changes any, so a failed read
/// leaves every app untouched.
#[derive(Debug)]
#[non_exhaustive]
pub struct SyncReport {
    /// One entry per app.
    pub apps: Vec<AppSync>,
}

impl SyncReport {
    /// True when no app failed and every app was attempted.
    pub fn is_success(&self) -> bool {
        self.apps.iter().all(|a| {
            !matches!(
                a.outcome,
                SyncOutcome::Failed(_) | SyncOutcome::NotAttempted
            )
        })
    }

    /// The apps whose change was applied.
    pub fn applied(&self) -> impl Iterator<Item = &str> {
        self.with(|o| matches!(o, SyncOutcome::Applied))
    }

    /// The apps that failed, with their errors.
    pub fn failed(&self) -> impl Iterator<Item = (&str, &Error)> {
        self.apps.iter().filter_map(|a| match &a.outcome {
            SyncOutcome::Failed(e) => Some((a.app.as_str(), e)),
            _ => None,
        })
    }

    /// The apps not attempted after a failure.
    pub fn not_attempted(&self) -> impl Iterator<Item = &str> {
        self.with(|o| matches!(o, SyncOutcome::NotAttempted))
    }

    /// The diffs computed, in app order.
    pub fn diffs(&self) -> impl Iterator<Item = &ConfigDiff> {
        self.apps.iter().filter_map(|a| a.diff.as_ref())
    }

    /// One line: the failures, what was applied, what was not attempted.
    pub(crate) fn summary(&self) -> String {
        let list = |apps: Vec<&str>| {
            if apps.is_empty() {
                "none".to_string()
            } else {
                apps.join(", ")
            }
        };
        let failed: Vec<String> = self
            .failed()
            .map(|(app, e)| format!("{app} ({e})"))
            .collect();
        format!(
            "config sync failed for {}; applied to: {}; not attempted: {}",
            if failed.is_empty() {
                "no app".to_string()
            } else {
                failed.join(", ")
            },
            list(self.applied().collect()),
            list(self.not_attempted().collect()),
        )
    }

    fn with(&self, pick: impl Fn(&SyncOutcome) -> bool) -> impl Iterator<Item = &str> {
        self.apps
            .iter()
            .filter(move |a| pick(&a.outcome))
            .map(|a| a.app.as_str())
    }
}

/// One line per app; values stay masked.
impl fmt::Display for SyncReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.apps {
            let changes = a.diff.as_ref().map_or(0, |d| d.changes.len());
            match &a.outcome {
                SyncOutcome::InSync => writeln!(f, "{}: in sync", a.app)?,
                SyncOutcome::Applied => writeln!(f, "{}: applied {changes} change(s)", a.app)?,
                SyncOutcome::Planned => writeln!(f, "{}: would apply {changes} change(s)", a.app)?,
                SyncOutcome::Failed(e) => writeln!(f, "{}: failed: {e}", a.app)?,
                SyncOutcome::NotAttempted => writeln!(f, "{}: not attempted", a.app)?,
            }
        }
        Ok(())
    }
}

/// As an error (inside [`WorkflowError::ConfigSync`]): its source is the first
/// app's failure.
impl std::error::Error for SyncReport {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.failed()
            .next()
            .map(|(_, e)| e as &(dyn std::error::Error + 'static))
    }
}

impl Client {
    /// The changes that would bring each app's config to `desired`.
    pub async fn config_diff(
        &self,
        desired: &BTreeMap<String, String>,
        apps: impl IntoIterator<Item = impl Into<AppIdentity>>,
        opts: &SyncOptions,
    ) -> Result<Vec<ConfigDiff>> {
        let mut diffs = Vec::new();
        for app in apps {
            let app = app.into();
            let current = self.current_config(app.as_str()).await?;
            diffs.push(ConfigDiff::compute(app.as_str(), desired, &current, opts));
        }
        Ok(diffs)
    }

    async fn current_config(&self, app: &str) -> Result<BTreeMap<String, String>> {
        self.config_var().info_for_app(app).await
    }

    /// Brings each app's config to `desired`: reads every app's config
    /// first, then sends one PATCH per app that needs a change (none with
    /// `dry_run`).
    ///
    /// Returns the report when every app succeeded. When one fails, the
    /// sync stops there (unless [`SyncOptions::keep_going`]) and the error
    /// is [`WorkflowError::ConfigSync`], whose report says which apps were applied,
    /// which failed and why, and which were not attempted.
    ///
    /// ```no_run
    /// use std::collections::BTreeMap;
    /// use heroku_api::workflows::{SyncOptions, WorkflowError};
    /// # async fn demo(client: heroku_api::Client) -> Result<(), WorkflowError> {
    /// let desired = BTreeMap::from([("LOG_LEVEL".to_string(), "info".to_string())]);
    /// match client.config_sync(&desired, ["app-a", "app-b"], &SyncOptions::new()).await {
    ///     Ok(report) => print!("{report}"),
    ///     Err(WorkflowError::ConfigSync(report)) => {
    ///         eprint!("{report}");
    ///         let redo: Vec<&str> = report.not_attempted().collect();
    ///         eprintln!("still to do: {redo:?}");
    ///     }
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn config_sync(
        &self,
        desired: &BTreeMap<String, String>,
        apps: impl IntoIterator<Item = impl Into<AppIdentity>>,
        opts: &SyncOptions,
    ) -> Result<SyncReport, WorkflowError> {
        let mut report = SyncReport {
            apps: apps
                .into_iter()
                .map(|app| AppSync {
                    app: app.into().as_str().to_string(),
                    diff: None,
                    outcome: SyncOutcome::NotAttempted,
                })
                .collect(),
        };
        // Read everything before changing anything.
        let mut stopped = false;
        for entry in &mut report.apps {
            match self.current_config(&entry.app).await {
                Ok(current) => {
                    entry.diff = Some(ConfigDiff::compute(&entry.app, desired, &current, opts));
                }
                Err(e) => {
                    entry.outcome = SyncOutcome::Failed(e);
                    if !opts.keep_going {
                        stopped = true;
                        break;
                    }
                }
            }
        }
        if !stopped {
            for entry in &mut report.apps {
                let Some(diff) = &entry.diff else { continue };
                entry.outcome = if diff.is_empty() {
                    SyncOutcome::InSync
                } else if opts.dry_run {
                    SyncOutcome::Planned
                } else {
                    match self
                        .config_var()
                        .update(entry.app.as_str(), diff.patch())
                        .await
                    {
                        Ok(_) => SyncOutcome::Applied,
                        Err(e) => SyncOutcome::Failed(e),
                    }
                };
                if matches!(entry.outcome, SyncOutcome::Failed(_)) && !opts.keep_going {
                    break;
                }
            }
        }
        if report.is_success() {
            Ok(report)
        } else {
            Err(WorkflowError::ConfigSync(Box::new(report)))
        }
    }

    /// Like [`config_sync`](Self::config_sync), with another app's config
    /// as the desired set.
    pub async fn config_sync_from_app(
        &self,
        source: impl Into<AppIdentity>,
        apps: impl IntoIterator<Item = impl Into<AppIdentity>>,
        opts: &SyncOptions,
    ) -> Result<SyncReport, WorkflowError> {
        let desired = self.current_config(source.into().as_str()).await?;
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
