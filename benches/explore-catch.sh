#!/usr/bin/env bash
# Schedules to the first failure of a planted bug, per scheduler, over run seeds 1..20, with
# the median and range; and the preemptions of the first failing schedule before and after
# shrinking. The planted race by default; FIXTURE and MUTANT choose another (the helper
# pool's: FIXTURE=harness/tests/fixtures/explore/pool-reuse.yaml MUTANT=pool-lost-job).
# Release build: cargo build --release -p harness first.
#   bash benches/explore-catch.sh [pct random dfs]
set -euo pipefail
cd "$(dirname "$0")/.."
harness=target/release/harness
fixture=${FIXTURE:-harness/tests/fixtures/explore/planted-race.yaml}
mutant=${MUTANT:-unlocked-fanin}
schedulers=("$@")
if [ ${#schedulers[@]} -eq 0 ]; then schedulers=(pct random dfs); fi
for scheduler in "${schedulers[@]}"; do
  for seed in $(seq 1 20); do
    dir=$(mktemp -d)
    "$harness" explore "$fixture" --mutant "$mutant" --scheduler "$scheduler" \
      --schedules 2000 --seed "$seed" --report-dir "$dir" >/dev/null || true
    python3 - "$dir" <<'PY'
import glob, json, sys
s = json.load(open(glob.glob(sys.argv[1] + "/*/report.json")[0]))["scenarios"][0]
bad = s["first_bad"]
print(bad["iteration"] + 1 if bad else "none", *(s["explore"]["preemptions"] or ["-", "-"]))
PY
    rm -rf "$dir"
  done | python3 -c "
import statistics, sys
rows = [l.split() for l in sys.stdin]
caught = [int(r[0]) for r in rows if r[0] != 'none']
print('$scheduler: schedules to catch', [r[0] for r in rows])
print('  median', statistics.median(caught) if caught else 'never',
      'range', f'{min(caught)}-{max(caught)}' if caught else '-', 'missed', len(rows) - len(caught))
print('  preemptions found -> shrunk', [f'{r[1]}->{r[2]}' for r in rows])
"
done
