//! FNV-1a, 64 bits: the fingerprints of scenarios, shards and posteriors in manifests (not a
//! security measure).

/// The FNV-1a 64-bit hash of `bytes`, as 16 hex digits.
pub fn fnv1a64(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}
