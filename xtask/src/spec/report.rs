//! Checks and their report: each check is a named closure that answers
//! `Ok(notes)` or `Err(why)`. The checks of one stage run side by side (they
//! mostly wait on child processes); their results are printed in the order
//! they were listed, one `PASS`/`FAIL` line each with its time and its notes
//! indented below. A check whose prerequisite failed is not run and counts as
//! failed. The last line is `spec: N passed, M failed`, which CI reads.

use std::thread;
use std::time::Instant;

/// One check of a stage.
pub struct Check<'a> {
    name: String,
    needs: Vec<(String, bool)>,
    run: Box<dyn FnOnce() -> Result<String, String> + Send + 'a>,
}

impl<'a> Check<'a> {
    pub fn new(
        name: impl Into<String>,
        run: impl FnOnce() -> Result<String, String> + Send + 'a,
    ) -> Self {
        Check {
            name: name.into(),
            needs: Vec::new(),
            run: Box::new(run),
        }
    }

    /// Runs only if `ok`, the result of the check called `what`.
    pub fn needs(mut self, what: &str, ok: bool) -> Self {
        self.needs.push((what.to_string(), ok));
        self
    }
}

#[derive(Default)]
pub struct Report {
    passed: usize,
    failed: Vec<String>,
}

impl Report {
    /// Runs the checks side by side and reports them in order; one result
    /// per check, `true` for a pass.
    pub fn stage(&mut self, checks: Vec<Check<'_>>) -> Vec<bool> {
        let results: Vec<(String, Result<String, String>, f64)> = thread::scope(|s| {
            let handles: Vec<_> = checks
                .into_iter()
                .map(|check| {
                    let missing: Vec<String> = check
                        .needs
                        .iter()
                        .filter(|(_, ok)| !ok)
                        .map(|(n, _)| n.clone())
                        .collect();
                    let name = check.name;
                    if !missing.is_empty() {
                        let why = format!("not run: needs {}, which failed", missing.join(", "));
                        return Err((name, why));
                    }
                    let run = check.run;
                    Ok((
                        name,
                        s.spawn(move || {
                            let started = Instant::now();
                            let result = run();
                            (result, started.elapsed().as_secs_f64())
                        }),
                    ))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| match h {
                    Err((name, why)) => (name, Err(why), 0.0),
                    Ok((name, handle)) => {
                        let (result, secs) = handle
                            .join()
                            .unwrap_or_else(|_| (Err("the check panicked".into()), 0.0));
                        (name, result, secs)
                    }
                })
                .collect()
        });
        results
            .into_iter()
            .map(|(name, result, secs)| self.add(&name, result, secs))
            .collect()
    }

    /// Records a failure outside any stage (the run could not be set up).
    pub fn fail(&mut self, name: &str, why: String) {
        self.add(name, Err(why), 0.0);
    }

    /// Records the result of a check made outside any stage (one that
    /// takes no time worth running side by side).
    pub fn record(&mut self, name: &str, result: Result<String, String>) {
        self.add(name, result, 0.0);
    }

    fn add(&mut self, name: &str, result: Result<String, String>, secs: f64) -> bool {
        match result {
            Ok(notes) => {
                println!("PASS  {name}  ({secs:.1}s)");
                print_indented(&notes);
                self.passed += 1;
                true
            }
            Err(detail) => {
                println!("FAIL  {name}  ({secs:.1}s)");
                print_indented(&detail);
                self.failed.push(name.to_string());
                false
            }
        }
    }

    /// Prints the totals; an error naming every failed check if any failed.
    pub fn finish(self, started: Instant) -> Result<(), String> {
        println!();
        println!("total time {:.1}s", started.elapsed().as_secs_f64());
        println!("spec: {} passed, {} failed", self.passed, self.failed.len());
        if self.failed.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} spec check(s) failed:\n  - {}",
                self.failed.len(),
                self.failed.join("\n  - ")
            ))
        }
    }
}

fn print_indented(text: &str) {
    const MAX_LINES: usize = 150;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let skip = lines.len().saturating_sub(MAX_LINES);
    if skip > 0 {
        println!("      ... ({skip} earlier lines not shown)");
    }
    for line in &lines[skip..] {
        println!("      {line}");
    }
}

/// Joins the non-empty notes of several steps.
pub fn join_notes(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}
