#!/usr/bin/env bash
# Hinted handoff on a fresh local 3-node cluster (bench/handoff.ts): kill -9 n2, load with W=2,
# restart n2 and time the handoff while readers run. The bench starts and removes its own
# cluster in a temp dir on free ports. Usage: bash bench/run-handoff.sh [--objects N] [--baseline-s S] ...
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)" >&2
exec node dist/bench/handoff.js "$@"
