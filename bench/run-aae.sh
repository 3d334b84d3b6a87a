#!/usr/bin/env bash
# Active anti-entropy (bench/aae.ts): write throughput with AAE on vs off (alternating fresh
# 3-node clusters), tree memory, and the time to detect and repair ~100,000 divergent 1 KB keys
# after `debug forget --fraction 1` on one node. Starts and removes its own clusters in temp dirs.
# Usage: bash bench/run-aae.sh [--keys 100000] [--write-s 20] [--rounds 2] [--skip-throughput] [--skip-repair]
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)" >&2
exec node dist/bench/aae.js "$@"
