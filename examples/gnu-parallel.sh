#!/bin/bash
# The same ensemble on one workstation or over ssh hosts with GNU parallel (add -S host1,host2
# and a shared folder for the outputs), then merged: the result is byte-identical to
# `diplosim run baseline --runs 1000000` on one machine.
set -euo pipefail
parallel -j 4 diplosim run baseline --runs 1000000 --seed 1 --shard {}/8 --threads 2 --quiet ::: $(seq 1 8)
diplosim merge output/baseline/seed-1-runs-1000000-shards/*-of-8
