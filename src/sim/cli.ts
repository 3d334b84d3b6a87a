#!/usr/bin/env node
/**
 * `npm run sim -- --seeds N [--seed S] [--faults none|net|crash|all] [--ops K] [--plant lww]`:
 * run seeds through the deterministic simulator, print one line per failure and a summary, and
 * exit 0 only if every seed passed. `--seed S` replays one seed exactly as it ran before.
 */
import { Command, CommanderError } from 'commander'
import { DELETE_MODES, FAULT_MODES, type DeleteMode, type FaultMode, type SimOptions } from './params.js'
import { failureDetail, failureLine, seedLine, summaryLine } from './report.js'
import { runSeed } from './runSeed.js'

interface CliOptions {
  seeds: string
  seed?: string
  start: string
  faults: string
  ops: string
  plant?: string
  deleteMode: string
  powerLoss?: boolean
  membership?: boolean
  skipReplica?: boolean
  verbose?: boolean
}

function fail(msg: string): never {
  process.stderr.write(`sim: ${msg}\n`)
  process.exit(2)
}

function intOpt(name: string, v: string, min: number): number {
  const n = Number(v)
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got "${v}"`)
  return n
}

function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) fail(`--${name} must be one of ${allowed.join('|')}, got "${v}"`)
  return v as T
}

function simOptions(o: CliOptions): SimOptions {
  return {
    faults: oneOf<FaultMode>('faults', o.faults, FAULT_MODES),
    ops: intOpt('ops', o.ops, 1),
    plant: o.plant === undefined ? undefined : oneOf('plant', o.plant, ['lww', 'nohandoff', 'noaae'] as const),
    skipReplica: o.skipReplica === true,
    powerLoss: o.powerLoss === true,
    membership: o.membership === true,
    deleteMode: oneOf<DeleteMode>('delete-mode', o.deleteMode, DELETE_MODES),
  }
}

function seedList(o: CliOptions): number[] {
  if (o.seed !== undefined) return [intOpt('seed', o.seed, 0)]
  const start = intOpt('start', o.start, 0)
  return Array.from({ length: intOpt('seeds', o.seeds, 1) }, (_, i) => start + i)
}

async function main(o: CliOptions): Promise<number> {
  const opts = simOptions(o)
  const seeds = seedList(o)
  const replay = o.seed !== undefined
  const started = performance.now()
  let failed = 0
  let ops = 0
  let simulatedMs = 0
  for (const seed of seeds) {
    const r = await runSeed(seed, opts)
    ops += r.ops
    simulatedMs += r.simulatedMs
    if (replay || o.verbose) console.log(seedLine(r))
    if (r.failures.length === 0) continue
    failed++
    console.log(failureLine(r))
    if (o.verbose) for (const line of failureDetail(r)) console.log(line)
  }
  console.log(summaryLine(seeds.length, failed, ops, simulatedMs, performance.now() - started))
  return failed === 0 ? 0 : 1
}

const program = new Command()
  .name('sim')
  .description('deterministic cluster simulation: seeded faults, safety and liveness checkers')
  .option('--seeds <n>', 'how many seeds to run', '100')
  .option('--start <s>', 'first seed of the range', '1')
  .option('--seed <s>', 'replay one seed (overrides --seeds and --start)')
  .option('--faults <mode>', `faults to inject: ${FAULT_MODES.join('|')}`, 'all')
  .option('--ops <k>', 'client operations per seed', '100')
  .option('--plant <bug>', 'plant a known bug the checkers must catch: lww (every bucket last-write-wins), nohandoff (hinted data never goes home), noaae (no anti-entropy exchanges)')
  .option('--skip-replica', 'some replica writes deliberately skip their replica (only anti-entropy converges them)')
  .option('--delete-mode <mode>', `tombstones: ${DELETE_MODES.join('|')} (reap is the production default)`, 'reap')
  .option('--power-loss', 'also cut power to nodes (unsynced writes lost); turns syncWrites on')
  .option('--membership', 'dynamic membership: spares join and members leave among the faults')
  .option('--verbose', 'print each seed, and the full history of the keys of each failure')
  .exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? 0 : 2))

program.parse(process.argv)
process.exitCode = await main(program.opts<CliOptions>())
