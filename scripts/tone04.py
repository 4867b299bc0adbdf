"""The tone scale the scenario files' affinities are written on (docs/codebook.md, rule A1): the
conflict share of events sent at desired tone tau under the 0.4 code choice (rules 2 and 8 of
DESIGN.md: the 38 codes of 0.4, T = 0.5, weights f_k exp(-(G_k/10 - tau)^2 / 2T^2)), and its
inverse. Frozen: the cases' affinities (cases v1) and the 0.5 class link (scripts/fit_reactions.py)
both map an ICEWS conflict share to a tone through it, so codes added to the catalogue after 0.4
are left out here.
"""
import math
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
T = 0.5
# Codes added to src/model/catalogue.rs after 0.4 (not part of the frozen scale).
ADDED_AFTER_04 = {"162"}

_src = open(os.path.join(PROJECT, "src", "model", "catalogue.rs")).read()
CODES = [(c, float(g), int(n)) for c, g, n in
         re.findall(r'code\(\s*"(\d+)",\s*"[^"]*",\s*(-?[\d.]+),\s*(\d+),?\s*\)', _src)
         if c not in ADDED_AFTER_04]
assert len(CODES) == 38, len(CODES)


def conflict_share(tau, coercive):
    """Share of verbal- and material-conflict codes (CAMEO roots 09-20) at tone tau; coercive codes
    (Goldstein <= -7) open only if `coercive`."""
    num = den = 0.0
    for c, g, n in CODES:
        if g <= -7 and not coercive:
            continue
        w = max(n, 1) * math.exp(-((g / 10 - tau) ** 2) / (2 * T * T))
        den += w
        if int(c[:2]) >= 9:
            num += w
    return num / den


def affinity_for_share(p, coercive):
    """The tone in [-1, 1] whose conflict share is p (bisection; the ends where p is out of reach)."""
    lo, hi = -1.0, 1.0
    for _ in range(60):
        m = (lo + hi) / 2
        if conflict_share(m, coercive) > p:
            lo = m
        else:
            hi = m
    return (lo + hi) / 2
