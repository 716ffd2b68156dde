//! `policy show` and `policy check FILE`.

use std::path::Path;

use super::{Setup, absolute};
use crate::cli::Format;
use crate::commands::error::Error;
use crate::exit::ExitStatus;
use crate::policy::LoadOptions;
use crate::report::{self, emit};

pub fn show(setup: &Setup) -> Result<ExitStatus, Error> {
    let policy = setup.policy()?;
    match setup.format {
        Format::Text | Format::Prometheus => emit(&report::policy::render(&policy, setup.now))?,
        Format::Json => emit(&report::policy::render_json(&policy, setup.now))?,
    }
    Ok(ExitStatus::Clean)
}

pub fn check(setup: &Setup, file: &Path) -> Result<ExitStatus, Error> {
    let file = absolute(file);
    let options = LoadOptions {
        policy_file: Some(&file),
        ..LoadOptions::default()
    };
    super::load_policy(&options)?;
    if setup.format == Format::Json {
        emit(&report::policy::checked_json(&file))?;
    } else {
        emit(&format!(
            "{}: valid\n",
            crate::sanitize::display_path(&file)
        ))?;
    }
    Ok(ExitStatus::Clean)
}
