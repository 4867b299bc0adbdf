#!/usr/bin/env python3
"""Synthetic N-actor scenarios for the actor-scaling timings (scripts/mesa_side_by_side.sh).

    python gen_synth.py --out /tmp/synth 10 50 200       # writes synth_n10.toml, ...

Actor a000 is the deciding body, a001 the host; about one actor in ten (a002, ...) is a member
of the body, and the body, the host and the members lean in favour so that votes can pass.
Other stances are uniform in [-1, 1]; capability, salience, stubbornness and posture uniform in
plausible ranges (posture up to 2, so that some senders pass the escalation threshold).
Relations: a ring (i <-> i+1) and 4 random partners per actor, affinity higher between similar
stances; on a third of them leverage (uniform 0-0.3, so the economic gate opens for most) and
on a fifth compliance (uniform -1..1). Unlisted pairs are 0. Files are raw scenarios; both tools
are given `diplosim show FILE --toml`, the resolved form.
"""
import argparse
from pathlib import Path

import numpy as np


def synth(n: int, seed: int = 11, partners: int = 4) -> str:
    rng = np.random.default_rng([seed, n])
    ids = [f"a{i:03d}" for i in range(n)]
    k = max(1, n // 10)
    stance = rng.uniform(-1.0, 1.0, n)
    stance[: k + 2] = rng.uniform(0.2, 1.0, k + 2)
    lines = ["[scenario]", f'name = "synth_n{n}"', f'title = "synthetic, {n} actors"',
             "steps = 104", "seed = 1", "",
             "[issue]", f'body = "{ids[0]}"', f'host = "{ids[1 % n]}"', "threshold = 0.0",
             "first_vote = 6", "vote_interval = 4", "setup_steps = 26",
             'source = "assumption: synthetic timing scenario"', ""]
    for i in range(n):
        lines += ["[[actor]]", f'id = "{ids[i]}"', f'name = "Actor {i}"',
                  f"capability = {rng.uniform(0.05, 1.0):.3f}",
                  f"stance = {stance[i]:.3f}",
                  f"salience = {rng.uniform(0.2, 1.0):.3f}",
                  f"stubbornness = {rng.uniform(0.3, 0.9):.3f}",
                  f"posture = {rng.uniform(0.5, 2.0):.3f}"]
        if 2 <= i < 2 + k:
            lines.append(f'member_of = ["{ids[0]}"]')
        lines += ['source = "assumption: synthetic"', ""]
    pairs = set()
    for i in range(n):
        if n > 1:
            pairs |= {(i, (i + 1) % n), ((i + 1) % n, i)}
        for j in rng.choice(np.delete(np.arange(n), i), size=min(partners, n - 1),
                            replace=False):
            pairs.add((i, int(j)))
    for i, j in sorted(pairs):
        if i == j:
            continue
        aff = np.clip(0.5 - 0.5 * abs(stance[i] - stance[j]) - 0.2 + rng.normal(0, 0.1), -1, 1)
        lines += ["[[relation]]", f'from = "{ids[i]}"', f'to = "{ids[j]}"',
                  f"affinity = {aff:.3f}"]
        if rng.random() < 1 / 3:
            lines.append(f"leverage = {rng.uniform(0.0, 0.3):.3f}")
        if rng.random() < 0.2:
            lines.append(f"compliance = {rng.uniform(-1.0, 1.0):.3f}")
        lines += ['source = "assumption: synthetic"', ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", type=int, nargs="+")
    ap.add_argument("--out", type=Path, default=Path("/tmp/synth"))
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        p = args.out / f"synth_n{n}.toml"
        p.write_text(synth(n, args.seed))
        print(p)


if __name__ == "__main__":
    main()
