#!/usr/bin/env bash
# Per-run cost of two builds of the engine, alternating: PAIRS pairs (default 20) of one
# process of each build, their order swapped every pair (this host's speed drifts by up to
# 2x over minutes), for the peer workflow (`peer-bench`, its median per run over 2,000 runs;
# with the engine's own worker count, and on two workers, so that the helper pool is used
# whatever the adaptive policy decides) and the 4-branch fan-out (`fan-out-floor 4 1000 1`,
# the engine's own worker count). Prints
# each pair, then per benchmark the median of the per-pair ratios (after / before) with the
# order-statistic 95% interval of that median, and the load average seen.
#   (cd BEFORE && cargo build --release -p benches --bins)   # e.g. a `git worktree` of the old commit
#   cargo build --release -p benches --bins
#   bash benches/compare-builds.sh BEFORE/target/release target/release [PAIRS]
set -euo pipefail
before=$1
after=$2
pairs=${3:-20}
out=$(mktemp)
for i in $(seq 1 "$pairs"); do
  if [ $((i % 2)) -eq 1 ]; then order="before after"; else order="after before"; fi
  for which in $order; do
    dir=$before
    if [ "$which" = after ]; then dir=$after; fi
    median='import json,sys; print(json.load(sys.stdin)["median_us"])'
    peer=$("$dir/peer-bench" 2000 | python3 -c "$median")
    peer2=$("$dir/peer-bench" 2000 --workers 2 | python3 -c "$median")
    fan=$("$dir/fan-out-floor" 4 1000 1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["default_us"])')
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "$i $which $peer $peer2 $fan $load" | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import math, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
by = {}
for pair, which, peer, peer2, fan, load in rows:
    by.setdefault(int(pair), {})[which] = (float(peer), float(peer2), float(fan), float(load))
def interval(ratios):
    # Order-statistic interval for the median: the ranks whose binomial(n, 1/2) tails hold
    # at most 2.5% each.
    r = sorted(ratios)
    n = len(r)
    cum, k = 0.0, 0
    while True:
        p = math.comb(n, k) / 2 ** n
        if cum + p > 0.025:
            break
        cum += p
        k += 1
    return r[max(k - 1, 0)], r[min(n - k, n - 1)], 1 - 2 * cum
loads = [v[3] for p in by.values() for v in p.values()]
for name, i in (("peer workflow", 0), ("peer workflow, 2 workers", 1), ("4-branch fan-out", 2)):
    before = [p["before"][i] for p in by.values()]
    after = [p["after"][i] for p in by.values()]
    ratios = [p["after"][i] / p["before"][i] for p in by.values()]
    lo, hi, cover = interval(ratios)
    print(f"{name}: before median {statistics.median(before):.1f} us, after "
          f"{statistics.median(after):.1f} us; after/before per pair: median "
          f"{statistics.median(ratios):.3f}, {cover:.1%} interval {lo:.3f}-{hi:.3f} ({len(ratios)} pairs)")
print(f"load average (1 min) during the runs: {min(loads):.2f}-{max(loads):.2f}, median {statistics.median(loads):.2f}")
PY
rm -f "$out"
