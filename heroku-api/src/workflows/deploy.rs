//! Deploy a directory or a tarball: pack, upload, build, stream, release.

use std::collections::VecDeque;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;

use crate::app::AppIdentity;
use crate::build::{Build, BuildSourceBlob};

use crate::release::Release;
use crate::workflows::{deadline_after, WorkflowError};
use crate::{Client, Result};

/// How many lines of build output a failed build's error keeps.
const TAIL_LINES: usize = 40;

enum Source {
    Directory(PathBuf),
    Tarball(Vec<u8>),
}

/// A deploy in the making, from [`Client::deploy`].
///
/// ```no_run
/// # async fn demo(client: heroku_api::Client) -> Result<(), heroku_api::workflows::WorkflowError> {
/// let deployed = client
///     .deploy("my-app")
///     .directory("./site")
///     .ignore(["node_modules", "*.log"])
///     .run(|line| println!("{line}"))
///     .await?;
/// println!("released v{}", deployed.release.version);
/// # Ok(()) }
/// ```
#[must_use = "a deploy does nothing until `run` is awaited"]
pub struct Deploy<'a> {
    client: &'a Client,
    app: AppIdentity,
    source: Option<Source>,
    ignore: Vec<String>,
    timeout: Duration,
    version: Option<String>,
}

/// What a successful deploy produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Deployed {
    /// The finished build.
    pub build: Build,
    /// The release the build created, once it left `pending`.
    pub release: Release,
}

impl<'a> Deploy<'a> {
    pub(crate) fn new(client: &'a Client, app: AppIdentity) -> Self {
        Deploy {
            client,
            app,
            source: None,
            ignore: Vec::new(),
            timeout: Duration::from_secs(15 * 60),
            version: None,
        }
    }

    /// Deploys the contents of this directory (packed as tar.gz; `.git` is
    /// always skipped).
    pub fn directory(mut self, path: impl Into<PathBuf>) -> Self {
        self.source = Some(Source::Directory(path.into()));
        self
    }

    /// Deploys this tar.gz as it is.
    pub fn tarball(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.source = Some(Source::Tarball(bytes.into()));
        self
    }

    /// Paths to leave out of a directory: a pattern matches any path
    /// component equal to it (`node_modules`), a relative path prefix
    /// (`assets/cache`), or, written `*.ext`, any file name ending in `.ext`.
    pub fn ignore<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ignore.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// The longest the whole deploy may take (default 15 minutes): packing,
    /// creating the source, the upload, creating the build, its output and
    /// the wait for the release. Past it, [`WorkflowError::WaitTimeout`] names the
    /// step that was running. `Duration::MAX` means no limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The version to record on the build (a git commit, say).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Runs the deploy. Each line of build output goes to `on_line` as it
    /// arrives. A failed build is [`WorkflowError::BuildFailed`] with the end of
    /// the output.
    pub async fn run(self, mut on_line: impl FnMut(&str)) -> Result<Deployed, WorkflowError> {
        let started = tokio::time::Instant::now();
        let deadline = deadline_after(self.timeout);

        // 1. Pack.
        let tarball = match self.source {
            Some(Source::Tarball(bytes)) => bytes,
            Some(Source::Directory(dir)) => {
                let ignore = self.ignore.clone();
                let packing = tokio::task::spawn_blocking(move || pack_directory(&dir, &ignore));
                within(deadline, started, "the directory to be packed", async {
                    packing.await.map_err(|e| {
                        WorkflowError::Invalid(format!("packing the directory failed: {e}"))
                    })?
                })
                .await?
            }
            None => {
                return Err(WorkflowError::Invalid(
                    "nothing to deploy: call `directory` or `tarball` first".into(),
                ))
            }
        };

        // 2. Upload, with no Heroku auth on the upload. The upload on its
        // own may take as long as one call; the deploy's deadline bounds
        // it as it bounds every step.
        let source = within(deadline, started, "the source to be created", async {
            Ok(self.client.source().create().await?)
        })
        .await?;
        within(deadline, started, "the source to be uploaded", async {
            Ok(self
                .client
                .put_presigned(&source.source_blob.put_url, tarball)
                .await?)
        })
        .await?;

        // 3. Build.
        let mut blob = BuildSourceBlob::new(source.source_blob.get_url.clone());
        if let Some(v) = &self.version {
            blob = blob.version(v.clone());
        }
        let build = within(deadline, started, "the build to be created", async {
            Ok(self.client.build().create(self.app.clone(), blob).await?)
        })
        .await?;

        // 4. Stream the output while the build runs.
        let mut tail: VecDeque<String> = VecDeque::with_capacity(TAIL_LINES);
        // Empty when the answer left it out (see `heroku_api::decode`).
        let url = &build.output_stream_url;
        if !url.is_empty() {
            let streamed = within(deadline, started, "the build output to end", async {
                let mut lines = self.client.stream_lines(url).await?;
                while let Some(line) = lines.next().await {
                    let line = line?;
                    on_line(&line);
                    if tail.len() == TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
                Ok::<_, WorkflowError>(())
            })
            .await;
            match streamed {
                Err(e @ WorkflowError::WaitTimeout { .. }) => return Err(e),
                // A broken stream is not a failed build: the status decides.
                Err(e) => tracing::debug!(error = %e, "build output stream ended early"),
                Ok(()) => {}
            }
        }

        // 5. Wait for the final status; a failed build's error carries the
        // end of the output streamed above.
        let build = match self
            .client
            .wait_for_build(self.app.clone(), build.id.as_str(), Duration::MAX)
            .until(deadline)
            .await
        {
            Err(WorkflowError::BuildFailed {
                build_id, status, ..
            }) => {
                return Err(WorkflowError::BuildFailed {
                    build_id,
                    status,
                    output_tail: tail.into_iter().collect(),
                })
            }
            other => other?,
        };
        let release_id = build
            .release
            .as_ref()
            .map(|r| r.id.clone())
            .ok_or_else(|| {
                WorkflowError::Invalid(format!("build {} succeeded without a release", build.id))
            })?;
        let release = self
            .client
            .wait_for_release(self.app.clone(), release_id.as_str(), Duration::MAX)
            .until(deadline)
            .await?;
        Ok(Deployed { build, release })
    }
}

/// Runs `step` until `deadline`; past it, [`WorkflowError::WaitTimeout`]
/// for `what`.
async fn within<T>(
    deadline: Option<tokio::time::Instant>,
    started: tokio::time::Instant,
    what: &str,
    step: impl Future<Output = Result<T, WorkflowError>>,
) -> Result<T, WorkflowError> {
    match deadline {
        Some(d) => {
            tokio::time::timeout_at(d, step)
                .await
                .map_err(|_| WorkflowError::WaitTimeout {
                    what: what.to_string(),
                    waited: started.elapsed(),
                })?
        }
        None => step.await,
    }
}

/// Packs a directory as tar.gz, skipping `.git` and paths matching `ignore`
/// (see [`Deploy::ignore`]). Entries are in sorted order, so the same tree
/// gives the same archive.
pub fn pack_directory(dir: &Path, ignore: &[String]) -> Result<Vec<u8>, WorkflowError> {
    let io = |what: &str, path: &Path, e: std::io::Error| WorkflowError::Io {
        context: format!("{what} {}", path.display()),
        source: e,
    };
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut archive = tar::Builder::new(encoder);
    archive.follow_symlinks(false);
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let full = dir.join(&rel);
        let mut entries: Vec<_> = std::fs::read_dir(&full)
            .map_err(|e| io("cannot read", &full, e))?
            .filter_map(|e| e.ok())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        // Directories are pushed in reverse so they pop in sorted order.
        let mut subdirs = Vec::new();
        for entry in entries {
            let name = entry.file_name();
            let child = rel.join(&name);
            if name == ".git" || ignored(&child, ignore) {
                continue;
            }
            let kind = entry
                .file_type()
                .map_err(|e| io("cannot stat", &entry.path(), e))?;
            if kind.is_dir() {
                subdirs.push(child);
            } else {
                archive
                    .append_path_with_name(entry.path(), &child)
                    .map_err(|e| io("cannot add", &entry.path(), e))?;
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    let encoder = archive
        .into_inner()
        .map_err(|e| io("cannot finish the archive of", dir, e))?;
    let mut bytes = encoder
        .finish()
        .map_err(|e| io("cannot compress", dir, e))?;
    bytes.flush().map_err(|e| io("cannot compress", dir, e))?;
    Ok(bytes)
}

fn ignored(rel: &Path, patterns: &[String]) -> bool {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    patterns.iter().any(|p| {
        if let Some(ext) = p.strip_prefix("*.") {
            return name.ends_with(&format!(".{ext}"));
        }
        let p = p.trim_matches('/');
        rel.components().any(|c| c.as_os_str() == p) || rel.starts_with(p)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_skips_git_and_ignored_paths() {
        let dir = std::env::temp_dir().join(format!("heroku-api-pack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, body) in [
            ("Procfile", "web: bin/web"),
            ("src/main.rs", "fn main() {}"),
            (".git/HEAD", "ref"),
            ("node_modules/x/index.js", "x"),
            ("logs/app.log", "log"),
            ("assets/cache/big.bin", "big"),
            ("assets/app.css", "css"),
        ] {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        let ignore = [
            "node_modules".to_string(),
            "*.log".to_string(),
            "assets/cache".to_string(),
        ];
        let bytes = pack_directory(&dir, &ignore).unwrap();
        assert_eq!(
            bytes,
            pack_directory(&dir, &ignore).unwrap(),
            "deterministic"
        );
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["Procfile", "assets/app.css", "src/main.rs"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
