#!/usr/bin/env bash
# Rewrite the README's [model] table from the parameter specs (src/model/params.rs), using the
# table the test `the_readme_model_table_matches_the_specs` prints when the README is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(cargo test --locked --lib the_readme_model_table_matches_the_specs 2>&1 || true)
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
if "is stale; replace it with:" not in out:
    print("README table already current"); sys.exit(0)
table = out.split("is stale; replace it with:\n", 1)[1].split("\n\n", 1)[0] + "\n"
readme = open("README.md").read()
start = readme.index("| key | default | range | meaning")
end = readme.index("\n\n", start) + 1
open("README.md", "w").write(readme[:start] + table + readme[end:])
print("README table rewritten")
PY
