//! Signals: SIGINT (Ctrl-C), SIGTERM (what `kill`, Slurm's `scancel` and time limits send),
//! SIGHUP (a closed terminal) and SIGQUIT stop any command at any point — loading, running,
//! writing, drawing — with nothing left behind: a watcher thread removes the staging folders and
//! locks of this process ([`crate::output::abandon_all`]) and exits with 128 + the signal number
//! (130, 143, 129, 131).

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;

/// Exit code of a process stopped by `sig`, as a shell reports it.
pub fn exit_code(sig: i32) -> i32 {
    128 + sig
}

/// Start the watcher. Installed before any output folder exists.
pub fn install() {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            super::CANCEL.store(true, std::sync::atomic::Ordering::SeqCst);
            crate::output::abandon_all();
            let name = match sig {
                SIGINT => "SIGINT",
                SIGTERM => "SIGTERM",
                SIGHUP => "SIGHUP",
                _ => "SIGQUIT",
            };
            eprintln!("\ninterrupted by {name}: no output was written");
            std::process::exit(exit_code(sig));
        }
    });
}
