//! `palisade policy verify`: Gatekeeper `gator verify` suites (palisade-checks::rego::verify),
//! printed as gator prints them; exit 1 when a case fails.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use palisade_checks::rego::verify::{run_suite, suite_files};

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Run Gatekeeper test suites (`kind: Suite`, as `gator verify` runs them): each test's
    /// ConstraintTemplate and constraint over its cases' objects, checked against the cases'
    /// assertions. A path is a suite file, a directory (its files), or `DIR/...` (every file
    /// below it). Exit status 1 when a case fails.
    Verify {
        /// Suite files or directories.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<String>,
        /// Also print every passing and skipped case (gator's `-v`; here `-v` is log output).
        #[arg(long)]
        passing: bool,
    },
}

pub fn run(command: &PolicyCommand) -> anyhow::Result<ExitCode> {
    let PolicyCommand::Verify { paths, passing } = command;
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    let mut suites = 0usize;
    for target in paths {
        let files = suite_files(target).map_err(anyhow::Error::msg)?;
        for file in files {
            let start = Instant::now();
            let Some(report) = run_suite(&file) else {
                continue;
            };
            suites += 1;
            let took = start.elapsed().as_secs_f64();
            let path = file.display();
            if report.skipped {
                writeln!(out, "skip\t{path}")?;
                continue;
            }
            if let Some(e) = &report.error {
                writeln!(out, "FAIL\t{path}\t{took:.3}s\n    {e}")?;
                failed = true;
                continue;
            }
            for test in &report.tests {
                if test.skipped {
                    if *passing {
                        writeln!(out, "--- SKIP: {}", test.name)?;
                    }
                    continue;
                }
                if let Some(e) = &test.error {
                    writeln!(out, "--- FAIL: {}\n    {e}", test.name)?;
                    continue;
                }
                for case in &test.cases {
                    match (&case.error, case.skipped) {
                        (Some(e), _) => {
                            writeln!(out, "--- FAIL: {}/{}\n    {e}", test.name, case.name)?
                        }
                        (None, true) if *passing => {
                            writeln!(out, "--- SKIP: {}/{}", test.name, case.name)?
                        }
                        (None, false) if *passing => {
                            writeln!(out, "--- PASS: {}/{}", test.name, case.name)?
                        }
                        _ => {}
                    }
                }
            }
            if report.passed() {
                writeln!(out, "ok\t{path}\t{took:.3}s")?;
            } else {
                writeln!(out, "FAIL\t{path}\t{took:.3}s")?;
                failed = true;
            }
        }
    }
    anyhow::ensure!(
        suites > 0,
        "no Suite (test.gatekeeper.sh) found in {paths:?}"
    );
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
