#!/bin/bash
# A 1,000,000-run baseline ensemble as a Slurm job array of 16 shards, then one merge.
#   sbatch examples/slurm-array.sh          # the shards
#   sbatch --dependency=afterok:<jobid> --wrap \
#     "diplosim merge output/baseline/seed-1-runs-1000000-shards/*-of-16"
#SBATCH --job-name=diplosim
#SBATCH --array=1-16
#SBATCH --cpus-per-task=8
#SBATCH --time=00:30:00
set -euo pipefail
diplosim run baseline --runs 1000000 --seed 1 \
  --shard "${SLURM_ARRAY_TASK_ID}/16" --threads "${SLURM_CPUS_PER_TASK}" --quiet
