//! Huawei Cloud's official Python SDK (`spec-checks/requirements-sdk.txt`,
//! in `.tools/sdk-venv`), driven by `spec-checks/drive_sdk.py` with AK/SK
//! credentials (fake keys) against the simulator, which checks the
//! signatures. The SDK signs every request and has no way to send an IAM
//! token instead, so it runs with AK/SK only. Its requests are validated
//! against the document like every other client's.

use std::fs;
use std::path::Path;
use std::time::Duration;

use super::Layout;
use super::installs::VENV_SDK;
use super::report::join_notes;
use super::requests::{Client, validate};
use super::sim::{Auth, drive_each_scenario};
use crate::process::local_command;

const CALL_LIMIT: Duration = Duration::from_secs(90);

pub fn calls(layout: &Layout, sim: &Path) -> Result<String, String> {
    // Importing the SDK writes $HOME/.huaweicloud/: give it a throw-away HOME.
    let home = std::env::temp_dir().join(format!("secmaster-spec-sdk-home-{}", std::process::id()));
    let _ = fs::remove_dir_all(&home);
    fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
    let result = (|| {
        let mut notes = drive_each_scenario(
            layout,
            sim,
            "sdk",
            Auth::AccessKey,
            CALL_LIMIT,
            |base_url| {
                let mut cmd = local_command(layout.py(VENV_SDK));
                cmd.arg(layout.script("drive_sdk.py"))
                    .arg("--endpoint")
                    .arg(base_url)
                    .env("HOME", &home)
                    .env("SPEC_CHECKS_THROWAWAY_HOME", &home);
                cmd
            },
        )?;
        notes.push(validate(
            layout,
            "sdk-aksk",
            Auth::AccessKey,
            Client::OfficialSdk,
        )?);
        Ok(join_notes(&notes))
    })();
    let _ = fs::remove_dir_all(&home);
    result
}
