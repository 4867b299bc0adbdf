//! Same bytes on any machine: the engine and the ensemble statistics take every transcendental
//! function from the pure-Rust `libm` crate, never from `std` (whose `exp`, `ln`, `powf`, `sin`…
//! call the platform's C library, and whose `powi` has unspecified precision).

use crate::util::root;

/// Non-test source lines of the code that reaches an output's numbers.
fn sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["src/engine", "src/ensemble"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with("_tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            // Unit tests may compare against std: stop at the test module.
            let code = text.split("#[cfg(test)]").next().unwrap().to_string();
            out.push((format!("{dir}/{name}"), code));
        }
    }
    out.push((
        "src/output/ensemble.rs".into(),
        std::fs::read_to_string(root().join("src/output/ensemble.rs")).unwrap(),
    ));
    out
}

#[test]
fn engine_and_statistics_use_no_std_transcendentals() {
    let banned = [
        "exp", "exp2", "exp_m1", "ln", "ln_1p", "log", "log2", "log10", "powf", "powi", "sin",
        "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "cbrt", "hypot",
    ];
    let mut found = Vec::new();
    for (file, code) in sources() {
        for (i, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap();
            for f in banned {
                let call = format!(".{f}(");
                if line.contains(&call) && !line.contains(&format!("libm::{f}(")) {
                    found.push(format!("{file}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "std transcendental functions in engine/statistics code:\n{}",
        found.join("\n")
    );
}
