/**
 * One benchmark, start to finish: the cluster (given, or a throwaway --local one), the load phase,
 * the measured run with its live progress line, then each baseline (key/value workloads only) with
 * the same load and the same seeded operations, and the result with the ratios.
 */
import { connect, type SpineClient } from '../../src/client/client.js'
import { BENCH } from '../../src/config.js'
import { realClock, type Clock } from './clock.js'
import type { BaselineName, BenchConfig } from './config.js'
import { parseKeyDist } from './keys.js'
import { BaselineUnavailable, kvKey, type KvStore } from './kvStore.js'
import { loadRecords, putBatch, type LoadResult } from './load.js'
import { startLocalSpine, type LocalSpine } from './localSpine.js'
import { closedLoop, openLoop } from './openLoop.js'
import { startProgress } from './progress.js'
import { CpuMeter } from './cpuMeter.js'
import { Recorder } from './recorder.js'
import { machine, type BaselineSkip, type BenchResult, type RunResult } from './result.js'
import { spinekvStore } from './spinekvStore.js'
import type { Workload } from './workload.js'
import { kvValue, kvWorkload } from './workloads/kv.js'
import { pdsBatchWriter, pdsWorkload } from './workloads/pds.js'
import { patientsOf } from './workloads/pdsClient.js'
import { levelBaseline } from './baselines/level.js'
import { etcdBaseline } from './baselines/etcd.js'
import { redisBaseline } from './baselines/redis.js'

export interface RunnerIo {
  /** Progress bar, live line and phase messages on stderr. */
  progress: boolean
  clock?: Clock
}

const BASELINE_STARTERS: Record<BaselineName, () => Promise<KvStore>> = {
  level: levelBaseline,
  etcd: etcdBaseline,
  redis: redisBaseline,
}

function say(io: RunnerIo, msg: string): void {
  if (io.progress) process.stderr.write(msg + '\n')
}

/** The measured part: warm-up, then the open or closed loop, with the live progress line. */
export async function measure(target: string, description: string, workload: Workload, cfg: BenchConfig, io: RunnerIo, pids: readonly number[] = []): Promise<RunResult> {
  const clock = io.clock ?? realClock
  // Metered from the end of the warm-up, like the recorder; a wall-clock timer, as the harness is not replayed.
  const meter = new CpuMeter(pids)
  const meterStart = setTimeout(() => meter.start(), cfg.warmupS * 1000)
  const start = clock.now()
  const measureFrom = start + cfg.warmupS * 1000
  const stopAt = cfg.durationS === undefined ? undefined : measureFrom + cfg.durationS * 1000
  const recorder = new Recorder(workload.opNames, measureFrom)
  const stop = startProgress(target.padEnd(8), recorder, clock, io.progress)
  const loop = { workload, recorder, clock, concurrency: cfg.concurrency, start, measureFrom, stopAt, ops: cfg.ops, drainTimeoutMs: BENCH.drainTimeoutMs }
  let outcome
  try {
    outcome = cfg.rate === undefined ? await closedLoop(loop) : await openLoop({ ...loop, rate: cfg.rate })
  } finally {
    clearTimeout(meterStart)
    stop()
  }
  const seconds = Math.max(recorder.measuredSeconds(), 1e-3)
  const ops = recorder.summary(seconds)
  const cpu = meter.stop(ops.all?.count ?? 0)
  return { target, description, seconds, ops, timeline: recorder.points(), abandoned: outcome.abandoned, ...(cpu ? { cpu } : {}) }
}

function kvRunWorkload(store: KvStore, cfg: BenchConfig): Workload {
  return kvWorkload(store, { name: cfg.workload, mix: cfg.mix, records: cfg.records, valueBytes: cfg.valueBytes, keys: parseKeyDist(cfg.keys), seed: cfg.seed })
}

async function loadKv(store: KvStore, cfg: BenchConfig, io: RunnerIo): Promise<LoadResult | undefined> {
  if (!cfg.load) return undefined
  const value = kvValue(cfg.valueBytes, cfg.seed)
  return loadRecords({
    total: cfg.load,
    batchSize: BENCH.kvLoadBatchSize,
    concurrency: BENCH.loadConcurrency,
    writeBatch: (from, to) =>
      store.putMany ? store.putMany(Array.from({ length: to - from }, (_, k) => kvKey(from + k)), value) : putBatch(from, to, (i) => store.put(kvKey(i), value)),
    label: `load ${store.name}`,
    progress: io.progress,
  })
}

async function spinekvRun(kv: SpineClient, cfg: BenchConfig, description: string, io: RunnerIo, pids: readonly number[]): Promise<RunResult> {
  if (cfg.workload === 'pds') {
    const pds = patientsOf(kv)
    const load = cfg.load
      ? await loadRecords({ total: cfg.load, batchSize: BENCH.loadBatchSize, concurrency: BENCH.loadConcurrency, writeBatch: pdsBatchWriter(pds, cfg.seed), label: 'load patients', progress: io.progress })
      : undefined
    const workload = pdsWorkload(pds, { mix: cfg.mix, records: cfg.records, keys: parseKeyDist(cfg.keys), seed: cfg.seed, createFrom: cfg.createFrom })
    return { ...(await measure('spinekv', description, workload, cfg, io, pids)), load }
  }
  const store = spinekvStore(kv, { bucket: cfg.bucket, r: cfg.r, w: cfg.w, description })
  const load = await loadKv(store, cfg, io)
  return { ...(await measure('spinekv', description, kvRunWorkload(store, cfg), cfg, io, pids)), load }
}

async function baselineRun(name: BaselineName, cfg: BenchConfig, io: RunnerIo): Promise<RunResult | BaselineSkip> {
  let store: KvStore
  try {
    say(io, `baseline ${name}: starting`)
    store = await BASELINE_STARTERS[name]()
  } catch (e) {
    if (e instanceof BaselineUnavailable) return { baseline: name, reason: e.message }
    return { baseline: name, reason: `failed to start: ${(e as Error).message}` }
  }
  try {
    const load = await loadKv(store, cfg, io)
    return { ...(await measure(name, store.description, kvRunWorkload(store, cfg), cfg, io)), load }
  } finally {
    await store.close()
  }
}

export async function runBench(cfg: BenchConfig, command: string, io: RunnerIo): Promise<BenchResult> {
  const date = new Date().toISOString()
  const mach = machine()
  let local: LocalSpine | undefined
  const runs: RunResult[] = []
  const skipped: BaselineSkip[] = []
  const onSignal = (): void => {
    // The nodes are in our process group and die with us; the directory is ours to remove.
    void local?.stop().finally(() => process.exit(130))
  }
  process.once('SIGINT', onSignal)
  try {
    let hosts = cfg.hosts
    let description = `cluster at ${hosts.join(', ')}`
    if (cfg.local !== undefined) {
      say(io, `starting a local ${cfg.local}-node cluster`)
      local = await startLocalSpine({ nodes: cfg.local, n: cfg.n, ringSize: cfg.ringSize, bucket: cfg.bucket })
      hosts = local.hosts
      description = `local ${cfg.local}-node cluster (N=${cfg.n}, R=${cfg.r ?? 'quorum'}, W=${cfg.w ?? 'quorum'}, Q=${cfg.ringSize})`
    }
    const kv = await connect({ seeds: hosts })
    try {
      runs.push(await spinekvRun(kv, cfg, description, io, local?.pids ?? []))
    } finally {
      await kv.close()
    }
  } finally {
    await local?.stop()
    process.removeListener('SIGINT', onSignal)
  }
  if (cfg.baselines.length && cfg.workload === 'pds') {
    for (const b of cfg.baselines) skipped.push({ baseline: b, reason: 'baselines run the key/value workloads only' })
  } else {
    for (const b of cfg.baselines) {
      const r = await baselineRun(b, cfg, io)
      if ('reason' in r) {
        skipped.push(r)
        say(io, `baseline ${b} skipped: ${r.reason}`)
      } else runs.push(r)
    }
  }
  const spine = runs[0]!.ops.all!.opsPerSec
  const ratios = Object.fromEntries(runs.slice(1).map((r) => [r.target, spine / r.ops.all!.opsPerSec]))
  return { format: 1, date, command, machine: mach, config: { ...cfg }, runs, skipped, ratios }
}
