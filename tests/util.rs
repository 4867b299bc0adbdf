//! Helpers shared by the integration tests.

use diplosim::engine::{simulate, Compiled, Outcome};
use diplosim::output::record::Recording;
use diplosim::scenario::{Library, Scenario};
use std::path::{Path, PathBuf};

/// The repository root (where `scenarios/` lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn library() -> Library {
    Library::new(root().join("scenarios"))
}

/// The binary, run from the repository root.
pub fn diplosim() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("diplosim").unwrap();
    c.current_dir(root());
    c
}

/// Load a scenario from TOML text.
pub fn scenario(text: &str) -> Scenario {
    match library().load_text(Path::new("test.toml"), text, &[]) {
        Ok(s) => s,
        Err(e) => panic!("test scenario invalid:\n{e}"),
    }
}

/// Run once, recording everything.
pub fn run(sc: &Scenario, seed: u64) -> (Recording, Outcome) {
    let c = Compiled::new(sc);
    let mut rec = Recording::new(sc.actors.len(), sc.steps);
    let out = simulate(&c, seed, 0, &mut rec);
    (rec, out)
}

/// Solve A x = b by Gaussian elimination with partial pivoting (independent of the crate).
pub fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            for k in col..n {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x
}
