//! What the tests share: a simulator, a client for it, scratch directories.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use secmaster_backup::{
    CreateOptions, Error, Manifest, Progress, Report, RestoreOptions, Scope, create, restore,
};
use secmaster_client::{Credentials, SecMasterClient};
use secmaster_sim::{Simulator, SimulatorBuilder};

pub use secmaster_sim::testing::{PROJECT, TOKEN, WORKSPACE as SOURCE, fault};

/// The empty workspace restores go into.
pub const TARGET: &str = "b7c8d9e0-0000-4000-8000-00000000000t";

/// A simulator that accepts [`TOKEN`], refuses what the document does not
/// allow, and holds an empty [`TARGET`].
pub fn sim() -> SimulatorBuilder {
    Simulator::builder()
        .token(TOKEN)
        .strict(true)
        .seed(PROJECT, TARGET, 0)
}

pub async fn start(builder: SimulatorBuilder) -> Simulator {
    builder.start().await.expect("the simulator starts")
}

pub fn client(sim: &Simulator) -> SecMasterClient {
    SecMasterClient::builder()
        .endpoint(&sim.base_url())
        .unwrap()
        .credentials(Credentials::token(TOKEN).unwrap())
        .build()
        .unwrap()
}

/// Progress nobody watches.
pub fn quiet(_: Progress) {}

/// Backs [`SOURCE`] up into `dir` with the default options.
pub async fn try_back_up(client: &SecMasterClient, dir: &Path) -> Result<Manifest, Error> {
    let scope = Scope::Workspace(SOURCE.into());
    create(
        client,
        PROJECT,
        &scope,
        dir,
        &CreateOptions::default(),
        &quiet,
    )
    .await
}

/// [`try_back_up`], which must succeed.
pub async fn back_up(client: &SecMasterClient, dir: &Path) -> Manifest {
    try_back_up(client, dir).await.unwrap()
}

/// Restores the backup in `dir` into [`TARGET`] with the default options.
pub async fn restore_all(client: &SecMasterClient, dir: &Path) -> Result<Report, Error> {
    restore(
        client,
        PROJECT,
        TARGET,
        dir,
        &RestoreOptions::default(),
        &quiet,
    )
    .await
}

/// How many requests of `operation` reached the simulator.
pub fn sent(sim: &Simulator, operation: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some(operation))
        .count()
}

/// The names in a workspace, sorted.
pub fn names(sim: &Simulator, workspace: &str) -> Vec<String> {
    let mut names: Vec<String> = sim
        .workflows(PROJECT, workspace)
        .into_iter()
        .map(|w| w.name)
        .collect();
    names.sort();
    names
}

/// Progress as it was reported.
#[derive(Default)]
pub struct Recorded(pub Mutex<Vec<Progress>>);

impl Recorded {
    pub fn hear(&self, p: Progress) {
        self.0.lock().unwrap().push(p);
    }
}

/// A scratch directory, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "secmaster-backup-test-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Every entry's name, hidden ones included, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
