//! The `diplosim` binary: everything lives in the library; this only dispatches.

fn main() {
    std::process::exit(diplosim::cli::main());
}
