/** `spinekv bench`: the benchmark harness (bench/harness, docs/benchmarks.md). */
import type { Command } from 'commander'
import { BENCH } from '../config.js'
import { SpineError } from '../shared/errors.js'
import { readWorkloadFile, resolveConfig, WORKLOADS, type BenchConfig, type BenchInput } from '../../bench/harness/config.js'
import { BaselineUnavailable } from '../../bench/harness/kvStore.js'
import { writeOutputs } from '../../bench/harness/report.js'
import { runBench } from '../../bench/harness/runner.js'
import { summaryText } from '../../bench/harness/summary.js'
import { hostOf } from './client.js'
import { fail, printJson } from './format.js'

interface BenchFlags {
  host?: string
  local?: string
  workload?: string
  workloadFile?: string
  mix?: string
  duration?: string
  ops?: string
  concurrency?: string
  rate?: string
  keys?: string
  records?: string
  load?: string
  valueBytes?: string
  n?: string
  r?: string
  w?: string
  warmup?: string
  seed?: string
  baseline?: string
  bucket?: string
  ringSize?: string
  createFrom?: string
  out?: string
  json?: boolean
  quiet?: boolean
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('benchmark a cluster (or a throwaway --local one) with a workload; summary, result.json and report.html')
    .option('--host <list>', 'client ports of the cluster to drive, comma-separated (env SPINEKV_HOST)')
    .option('--local <n>', `start a throwaway n-node cluster in a temporary directory, stopped afterwards (1..${BENCH.maxLocalNodes})`)
    .option('--workload <name>', `${WORKLOADS.join(' | ')} (default kv-9010)`)
    .option('--workload-file <file>', 'JSON settings (the flags\' names in camelCase: durationS, warmupS, mix...); flags override it')
    .option('--mix <weights>', 'operation weights, e.g. get=80,put=20 (pds: get, search, searchFuzzy, update, create)')
    .option('--duration <s>', `measured seconds (default ${BENCH.defaultDurationS} unless --ops)`)
    .option('--ops <n>', 'measured operations (with --duration: whichever comes first)')
    .option('--concurrency <n>', `requests in flight (default ${BENCH.defaultConcurrency})`)
    .option('--rate <ops/s>', 'open loop at this rate, latency from the intended start (default: closed loop)')
    .option('--keys <dist>', 'uniform | pareto[:h] | hotset[:fraction:share] (default uniform)')
    .option('--records <n>', `keys or patients the operations draw from (default ${BENCH.defaultRecords}, or --load)`)
    .option('--load <n>', 'load this many records first (a synthetic population for pds)')
    .option('--value-bytes <n>', `value size of the key/value workloads (default ${BENCH.defaultValueBytes})`)
    .option('--n <n>', 'replicas of the bench bucket (--local)')
    .option('--r <r>', 'read quorum of each get (number or one|quorum|all)')
    .option('--w <w>', 'write quorum of each put')
    .option('--warmup <s>', 'seconds of unmeasured operations first (default 0)')
    .option('--seed <n>', `seed of the operation sequence and the population (default ${BENCH.defaultSeed})`)
    .option('--baseline <list>', 'also run the key/value workload against: level, etcd, redis (comma-separated)')
    .option('--bucket <name>', 'bucket of the key/value workloads (default bench)')
    .option('--ring-size <q>', 'partitions of a --local cluster (default 64)')
    .option('--create-from <i>', 'first synthetic index the pds registrations use (default --records)')
    .option('--out <dir>', 'write result.json and report.html here')
    .option('--json', 'print the result as JSON instead of the summary table')
    .option('--quiet', 'no progress bar or live progress line')
    .action((o: BenchFlags, cmd: Command) => bench(o, cmd).catch(fail))
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new SpineError('INVALID_ARGUMENT', `--${name} must be a number, got "${v}"`)
  return n
}

function quorum(v: string | undefined): BenchInput['r'] {
  if (v === undefined) return undefined
  return /^\d+$/.test(v) ? Number(v) : (v as BenchInput['r'])
}

function toInput(o: BenchFlags): BenchInput {
  return {
    hosts: o.host,
    local: num('local', o.local),
    workload: o.workload as BenchInput['workload'],
    mix: o.mix,
    durationS: num('duration', o.duration),
    ops: num('ops', o.ops),
    concurrency: num('concurrency', o.concurrency),
    rate: num('rate', o.rate),
    keys: o.keys,
    records: num('records', o.records),
    load: num('load', o.load),
    valueBytes: num('value-bytes', o.valueBytes),
    n: num('n', o.n),
    r: quorum(o.r),
    w: quorum(o.w),
    warmupS: num('warmup', o.warmup),
    seed: num('seed', o.seed),
    baselines: o.baseline,
    bucket: o.bucket,
    ringSize: num('ring-size', o.ringSize),
    createFrom: num('create-from', o.createFrom),
    out: o.out,
  }
}

async function bench(o: BenchFlags, _cmd: Command): Promise<void> {
  let cfg: BenchConfig
  try {
    if (o.workload !== undefined && !(WORKLOADS as readonly string[]).includes(o.workload)) throw new RangeError(`--workload must be one of ${WORKLOADS.join(', ')}`)
    cfg = resolveConfig(o.workloadFile ? readWorkloadFile(o.workloadFile) : {}, toInput(o))
  } catch (e) {
    throw e instanceof SpineError ? e : new SpineError('INVALID_ARGUMENT', (e as Error).message)
  }
  if (cfg.local === undefined && cfg.hosts.length === 0) cfg.hosts = [hostOf({})]
  const command = ['spinekv', ...process.argv.slice(2)].join(' ')
  let result
  try {
    result = await runBench(cfg, command, { progress: !o.quiet })
  } catch (e) {
    if (e instanceof BaselineUnavailable) throw new SpineError('INVALID_ARGUMENT', e.message)
    throw e
  }
  if (cfg.out) writeOutputs(cfg.out, result)
  if (o.json) printJson(result)
  else process.stdout.write(summaryText(result) + (cfg.out ? `\n\nwrote ${cfg.out}/result.json and ${cfg.out}/report.html` : '') + '\n')
}
