//! The `diplosim._diplosim` extension module: diplosim's library called from Python (not its
//! binary). It exposes three things; the Python package (`python/python/diplosim`) builds the
//! friendly API on them:
//!
//! - `command(args)`: any command line after `diplosim` (`run`, `compare`, …), run in this
//!   process with the Python interpreter released, on a thread of its own. The calling thread
//!   waits, checking Python's signals every 50 ms: Ctrl-C (KeyboardInterrupt) stops the command
//!   as the binary's Ctrl-C does ([`diplosim::cli::cancel`]), so it leaves no output folder, and
//!   the KeyboardInterrupt is raised once the work has stopped.
//! - `scenarios(dir)`: the named scenarios and their titles.
//! - `resolved(name, set, dir)`: a scenario with overrides, as the TOML `show` resolves.
//!
//! Errors come back as Python exceptions: `ScenarioError` (bad scenario input, with the file,
//! line, column and key of the first problem, and every problem in `diagnostics`),
//! `UsageError` (a bad argument), and `DiplosimError` (their base: a failure while running).

use diplosim::error::Error;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;
use std::time::Duration;

pyo3::create_exception!(_diplosim, DiplosimError, PyException);
pyo3::create_exception!(_diplosim, ScenarioError, DiplosimError);
pyo3::create_exception!(_diplosim, UsageError, DiplosimError);

/// The Python exception for a library error, with its details as attributes.
fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let text = e.to_string();
    match e {
        Error::Invalid(diags) => {
            let err = ScenarioError::new_err(text.clone());
            let value = err.value(py);
            let list: Vec<Bound<'_, PyDict>> = diags
                .iter()
                .map(|d| {
                    let m = PyDict::new(py);
                    let _ = m.set_item("file", &d.file);
                    let _ = m.set_item("line", d.line);
                    let _ = m.set_item("column", d.col);
                    let _ = m.set_item("key", &d.key);
                    let _ = m.set_item("message", &d.message);
                    let _ = m.set_item("help", d.help.clone());
                    let _ = m.set_item("warning", d.warning);
                    m
                })
                .collect();
            let first = diags.iter().find(|d| !d.warning).or(diags.first());
            let _ = value.setattr("file", first.map(|d| d.file.clone()));
            // A problem with no place in a file (a missing table) has no line: None, not 0.
            let placed = first.filter(|d| d.line > 0);
            let _ = value.setattr("line", placed.map(|d| d.line));
            let _ = value.setattr("column", placed.map(|d| d.col));
            let _ = value.setattr("key", first.map(|d| d.key.clone()));
            let _ = value.setattr("message", text);
            let _ = value.setattr("diagnostics", list);
            err
        }
        Error::Usage(_) | Error::Read { .. } => UsageError::new_err(text),
        Error::Interrupted => pyo3::exceptions::PyKeyboardInterrupt::new_err(text),
        Error::Write { .. } | Error::Run(_) => DiplosimError::new_err(text),
    }
}

/// Run `diplosim ARGS...` in this process; returns its exit status (0) or raises.
#[pyfunction]
fn command(py: Python<'_>, args: Vec<String>) -> PyResult<i32> {
    let worker = std::thread::spawn(move || diplosim::cli::embedded(&args));
    while !worker.is_finished() {
        py.detach(|| std::thread::sleep(Duration::from_millis(20)));
        if worker.is_finished() {
            break;
        }
        if let Err(interrupt) = py.check_signals() {
            // Stop the work, wait until it has removed its staging folder, then raise.
            diplosim::cli::cancel();
            let _ = py.detach(|| worker.join());
            return Err(interrupt);
        }
    }
    let out = worker.join();
    match out {
        Ok(Ok(code)) => Ok(code),
        Ok(Err(e)) => Err(to_py(py, e)),
        Err(_) => Err(DiplosimError::new_err(
            "diplosim panicked (a bug: please report it with the call that caused it)",
        )),
    }
}

/// The named scenarios of folder `dir`: (name, title) pairs in name order.
#[pyfunction]
fn scenarios(dir: PathBuf) -> Vec<(String, String)> {
    diplosim::scenario::Library::new(dir).list()
}

/// Scenario `name` (a name in `dir`, or a path) with the `--set` overrides `set`, resolved: every
/// key explicit, as `diplosim show` and a run's `scenario.resolved.toml` have it.
#[pyfunction]
fn resolved(py: Python<'_>, name: String, set: Vec<String>, dir: PathBuf) -> PyResult<String> {
    let lib = diplosim::scenario::Library::new(dir);
    let out = py.detach(|| {
        let sc = lib.load(&name, &set)?;
        diplosim::scenario::to_toml(&sc)
    });
    out.map_err(|e| to_py(py, e))
}

#[pymodule]
fn _diplosim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(command, m)?)?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(resolved, m)?)?;
    m.add("DiplosimError", py.get_type::<DiplosimError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
