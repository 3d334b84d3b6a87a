#!/usr/bin/env bash
# Growing a loaded local 3-node cluster to 4 nodes (bench/grow.ts): load N records with W=2, run a
# 90% get / 10% put workload, add n4, join, plan and commit, and time the transfer (ring flipped,
# old owners' copies dropped) with the workload's latency before and during. The bench starts and
# removes its own cluster in a temp dir on free ports.
# Usage: bash bench/run-grow.sh [--records N] [--value-bytes B] [--workers W] [--baseline-s S] [--ring-size Q] ...
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)" >&2
exec node dist/bench/grow.js "$@"
