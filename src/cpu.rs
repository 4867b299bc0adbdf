//! The one place that asks which instructions this CPU has, for every fast path (the engine's
//! row sums and relaxation, the runs' wide ChaCha8 stream, the ensembles' fixed-point pass).
//!
//! Each fast path gives the same bits as its portable version (tests compare them), so the choice
//! changes only the speed. [`force_portable`] switches them all off, for checking that claim on a
//! machine that has the instructions: the command line does it when `DIPLOSIM_PORTABLE` is set
//! (not empty, not `0`), and the golden test runs every shipped scenario both ways.

use std::sync::atomic::{AtomicBool, Ordering};

static PORTABLE: AtomicBool = AtomicBool::new(false);

/// Use the portable code paths from now on, whatever the CPU has.
pub fn force_portable() {
    PORTABLE.store(true, Ordering::Relaxed);
}

/// Whether the portable code paths are forced.
pub fn portable() -> bool {
    PORTABLE.load(Ordering::Relaxed)
}

/// Whether AVX2 may be used (the CPU has it and the portable paths are not forced). The standard
/// library finds the CPU's answer once and keeps it, so asking costs two loads.
#[inline(always)]
pub fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !portable() && std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether AVX-512 Foundation may be used (as [`avx2`]).
#[inline(always)]
pub fn avx512f() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !portable() && std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// For tests of a fast path: say on the terminal that the part needing `feature` was skipped on
/// this CPU (written to stderr directly, which the test harness does not capture), rather than
/// pass in silence.
#[doc(hidden)]
pub fn say_skipped(test: &str, feature: &str) {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "skipped on this CPU (no {feature}): {test}'s {feature} part"
    );
}
