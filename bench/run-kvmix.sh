#!/usr/bin/env bash
# The foundation's capacity measurement (issue 2): three runs of the 50/50 get/put mix of 1 KB
# values for 30 s at concurrency 64, through the client library against a fresh 3-node
# `spinekv dev start --detach` cluster, and against one in-process LevelDB; medians in
# docs/benchmarks.md. Usage: bash bench/run-kvmix.sh [runs] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
seconds=${2:-30}
npm run build --silent
dir=$(mktemp -d /tmp/spinekv-bench-XXXX)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, node $(node --version), $(date -u +%Y-%m-%dT%H:%MZ)"
for i in $(seq 1 "$runs"); do
  rm -rf "$dir/cluster"
  node dist/src/cli/main.js dev start --dir "$dir/cluster" --detach --base-port 18700 > /dev/null
  echo "run $i (load $(cut -d' ' -f1 /proc/loadavg))"
  node dist/bench/kvMix.js --host 127.0.0.1:18711 --seconds "$seconds" --concurrency 64 --get-ratio 0.5 || true
  node dist/src/cli/main.js dev stop --dir "$dir/cluster" > /dev/null
done
rm -rf "$dir"
