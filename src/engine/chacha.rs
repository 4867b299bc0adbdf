//! The same ChaCha8 stream as `rand_chacha`'s `ChaCha8Rng`, sixteen blocks at a time in AVX-512
//! registers on a CPU that has them.
//!
//! A run's generator ([`super::run_rng`]) is ChaCha8 keyed by `seed_from_u64(seed)`, with the run
//! as its stream (nonce) and a 64-bit block counter from 0: the words of block 0, then block 1,
//! and so on, each block's sixteen words in order. `rand_chacha` computes four blocks per refill
//! with AVX2; refilling took 8% of a baseline run's time. [`Avx512Blocks`] computes sixteen blocks at
//! once, one block per 32-bit lane of sixteen 512-bit registers (the rotations are single
//! instructions there), and transposes them into the same word order. It is wrapped in
//! `rand_core`'s own [`BlockRng`], which hands out the words exactly as it does for
//! `ChaCha8Rng` (a `u64` is two consecutive words, low first), so every draw is the same:
//! tested word for word against `rand_chacha` for many seeds and streams, across refills, and
//! by the golden outputs.
//!
//! Ensembles, sweeps and [`super::simulate`] use it; on a CPU without AVX-512 (and under
//! valgrind, which does not emulate it) runs draw from `ChaCha8Rng` itself.

use rand::rand_core::block::{BlockRng, Generator};
use rand::rand_core::TryRng;
use rand_chacha::ChaCha8Rng;
use std::convert::Infallible;

/// Words of one refill: sixteen blocks of sixteen.
const WORDS: usize = 256;

/// Whether [`Avx512Rng`] may be used (AVX-512 Foundation, [`crate::cpu::avx512f`]).
#[inline]
pub fn available() -> bool {
    crate::cpu::avx512f()
}

/// The key, stream and next block of a ChaCha8 stream.
#[derive(Debug, Clone)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub struct Avx512Blocks {
    key: [u32; 8],
    stream: u64,
    block: u64,
}

impl Generator for Avx512Blocks {
    type Output = [u32; WORDS];

    #[inline]
    fn generate(&mut self, out: &mut [u32; WORDS]) {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: a `Avx512Blocks` is only made by `Avx512Rng::new`, which checks for AVX-512F.
            unsafe { blocks16(&self.key, self.stream, self.block, out) };
            self.block = self.block.wrapping_add(16);
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = out;
            unreachable!("Avx512Rng::new returns None off x86-64");
        }
    }
}

/// `ChaCha8Rng`'s stream, refilled sixteen blocks at a time (see the module doc).
#[derive(Debug)]
pub struct Avx512Rng(BlockRng<Avx512Blocks>);

impl Avx512Rng {
    /// The stream `rng` would produce from here, if it is fresh (nothing drawn yet) and the CPU
    /// has AVX-512F; `None` otherwise.
    pub fn new(rng: &ChaCha8Rng) -> Option<Avx512Rng> {
        if !available() || rng.get_word_pos() != 0 {
            return None;
        }
        let seed = rng.get_seed();
        let key = std::array::from_fn(|i| {
            u32::from_le_bytes([
                seed[4 * i],
                seed[4 * i + 1],
                seed[4 * i + 2],
                seed[4 * i + 3],
            ])
        });
        Some(Avx512Rng(BlockRng::new(Avx512Blocks {
            key,
            stream: rng.get_stream(),
            block: 0,
        })))
    }
}

impl TryRng for Avx512Rng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.0.next_word())
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.0.next_u64_from_u32())
    }

    #[inline]
    fn try_fill_bytes(&mut self, bytes: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill_bytes(bytes);
        Ok(())
    }
}

/// Blocks `block`, `block + 1`, …, `block + 15` of the ChaCha8 stream with `key` and nonce
/// `stream` (words 12–13 the 64-bit block counter, 14–15 the stream, low word first), into
/// `out` block after block.
///
/// # Safety
/// The CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn blocks16(key: &[u32; 8], stream: u64, block: u64, out: &mut [u32; WORDS]) {
    use std::arch::x86_64::*;
    let splat = |w: u32| _mm512_set1_epi32(w as i32);
    // Lane b holds block `block + b`: its counter, with the carry into the high word.
    let (mut lo, mut hi) = ([0i32; 16], [0i32; 16]);
    for b in 0..16 {
        let c = block.wrapping_add(b as u64);
        lo[b] = c as u32 as i32;
        hi[b] = (c >> 32) as u32 as i32;
    }
    // SAFETY: loads of 16 i32 from arrays of 16; AVX-512F is the caller's promise.
    let (lo, hi) = unsafe {
        (
            _mm512_loadu_si512(lo.as_ptr().cast()),
            _mm512_loadu_si512(hi.as_ptr().cast()),
        )
    };
    let init: [__m512i; 16] = [
        splat(0x6170_7865),
        splat(0x3320_646e),
        splat(0x7962_2d32),
        splat(0x6b20_6574),
        splat(key[0]),
        splat(key[1]),
        splat(key[2]),
        splat(key[3]),
        splat(key[4]),
        splat(key[5]),
        splat(key[6]),
        splat(key[7]),
        lo,
        hi,
        splat(stream as u32),
        splat((stream >> 32) as u32),
    ];
    let mut x = init;
    /// ChaCha's quarter round on words a, b, c, d of all sixteen blocks (rotations left by 16,
    /// 12, 8 and 7).
    ///
    /// # Safety
    /// The CPU must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn quarter(x: &mut [__m512i; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = _mm512_add_epi32(x[a], x[b]);
        x[d] = _mm512_rol_epi32::<16>(_mm512_xor_si512(x[d], x[a]));
        x[c] = _mm512_add_epi32(x[c], x[d]);
        x[b] = _mm512_rol_epi32::<12>(_mm512_xor_si512(x[b], x[c]));
        x[a] = _mm512_add_epi32(x[a], x[b]);
        x[d] = _mm512_rol_epi32::<8>(_mm512_xor_si512(x[d], x[a]));
        x[c] = _mm512_add_epi32(x[c], x[d]);
        x[b] = _mm512_rol_epi32::<7>(_mm512_xor_si512(x[b], x[c]));
    }
    // ChaCha8: four double rounds, columns then diagonals.
    for _ in 0..4 {
        // SAFETY: AVX-512F is the caller's promise.
        unsafe {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
    }
    for (v, i) in x.iter_mut().zip(&init) {
        *v = _mm512_add_epi32(*v, *i);
    }
    // Transpose: x[w] holds word w of the sixteen blocks; block b's words go to out[16b..].
    // Pairs of words interleaved, then pairs of pairs: t[4m + j]'s 128-bit lane q holds words
    // 4m…4m+3 of block 4q + j.
    let mut t = [_mm512_setzero_si512(); 16];
    for m in 0..4 {
        let r = &x[4 * m..4 * m + 4];
        let (a, b) = (
            _mm512_unpacklo_epi32(r[0], r[1]),
            _mm512_unpackhi_epi32(r[0], r[1]),
        );
        let (c, d) = (
            _mm512_unpacklo_epi32(r[2], r[3]),
            _mm512_unpackhi_epi32(r[2], r[3]),
        );
        t[4 * m] = _mm512_unpacklo_epi64(a, c);
        t[4 * m + 1] = _mm512_unpackhi_epi64(a, c);
        t[4 * m + 2] = _mm512_unpacklo_epi64(b, d);
        t[4 * m + 3] = _mm512_unpackhi_epi64(b, d);
    }
    // For each j, block 4q + j is lane q of t[j], t[4 + j], t[8 + j], t[12 + j]: a 4 × 4
    // transpose of 128-bit lanes.
    for j in 0..4 {
        let (a, b, c, d) = (t[j], t[4 + j], t[8 + j], t[12 + j]);
        let v0 = _mm512_shuffle_i32x4::<0x44>(a, b); // a0 a1 b0 b1
        let v1 = _mm512_shuffle_i32x4::<0xEE>(a, b); // a2 a3 b2 b3
        let v2 = _mm512_shuffle_i32x4::<0x44>(c, d); // c0 c1 d0 d1
        let v3 = _mm512_shuffle_i32x4::<0xEE>(c, d); // c2 c3 d2 d3
        let blocks = [
            _mm512_shuffle_i32x4::<0x88>(v0, v2), // a0 b0 c0 d0: block j
            _mm512_shuffle_i32x4::<0xDD>(v0, v2), // block 4 + j
            _mm512_shuffle_i32x4::<0x88>(v1, v3), // block 8 + j
            _mm512_shuffle_i32x4::<0xDD>(v1, v3), // block 12 + j
        ];
        for (q, v) in blocks.into_iter().enumerate() {
            let at = 16 * (4 * q + j);
            // SAFETY: 16 words at `at` ≤ 240, within the 256 of `out`.
            unsafe { _mm512_storeu_si512(out.as_mut_ptr().add(at).cast(), v) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_rng;
    use rand::Rng;

    #[test]
    fn the_same_words_as_rand_chacha() {
        if !available() {
            // What can be checked: the AVX-512 stream is refused, so the runs use rand_chacha's.
            assert!(Avx512Rng::new(&run_rng(1, 0)).is_none());
            crate::cpu::say_skipped("the_same_words_as_rand_chacha", "AVX-512F");
            return;
        }
        // Seeds and streams (runs) small and large, including a stream past 2³²; words drawn
        // as u32, u64 and bytes in a cycle of 13 words, so that a u64 starts on even and odd
        // words alike (one straddling a refill is checked below).
        for (seed, run) in [
            (0, 0),
            (1, 0),
            (1, 1),
            (42, 7),
            (u64::MAX, 1 << 40),
            (9, 99_999),
        ] {
            let mut want = run_rng(seed, run);
            let mut got = Avx512Rng::new(&run_rng(seed, run)).unwrap();
            for k in 0..3000 {
                match k % 8 {
                    0 | 3 => assert_eq!(got.next_u64(), want.next_u64(), "{seed}/{run} at {k}"),
                    5 => {
                        let (mut a, mut b) = ([0u8; 13], [0u8; 13]);
                        got.fill_bytes(&mut a);
                        want.fill_bytes(&mut b);
                        assert_eq!(a, b, "{seed}/{run} at {k}");
                    }
                    _ => assert_eq!(got.next_u32(), want.next_u32(), "{seed}/{run} at {k}"),
                }
            }
        }
        // A u64 from the last word of a refill and the first of the next: at word 63
        // (`rand_chacha`'s four-block refill) and word 255 (the sixteen-block one).
        for skip in [63, 255, 255 + 256] {
            let mut want = run_rng(8, 2);
            let mut got = Avx512Rng::new(&run_rng(8, 2)).unwrap();
            for _ in 0..skip {
                assert_eq!(got.next_u32(), want.next_u32());
            }
            assert_eq!(got.next_u64(), want.next_u64(), "a u64 at word {skip}");
            assert_eq!(got.next_u32(), want.next_u32(), "the word after, at {skip}");
        }
        // Not fresh: refused (its position would be lost).
        let mut used = run_rng(3, 0);
        used.next_u32();
        assert!(Avx512Rng::new(&used).is_none());
    }

    #[test]
    fn the_block_counter_carries_into_its_high_word() {
        if !available() {
            assert!(Avx512Rng::new(&run_rng(5, 3)).is_none());
            crate::cpu::say_skipped("the_block_counter_carries_into_its_high_word", "AVX-512F");
            return;
        }
        // Blocks 2³² − 8 … 2³² + 7 in one refill: the counter's low word wraps in lane 8.
        let mut want = run_rng(5, 3);
        want.set_word_pos(16 * ((1u128 << 32) - 8));
        let mut blocks = Avx512Blocks {
            key: {
                let seed = want.get_seed();
                std::array::from_fn(|i| {
                    u32::from_le_bytes(seed[4 * i..4 * i + 4].try_into().unwrap())
                })
            },
            stream: 3,
            block: (1 << 32) - 8,
        };
        let mut out = [0u32; WORDS];
        blocks.generate(&mut out);
        for (k, &w) in out.iter().enumerate() {
            assert_eq!(w, want.next_u32(), "word {k}");
        }
    }
}
