/**
 * One benchmark's settings, from flags and/or a workload file (JSON, the same names in camelCase;
 * flags win). Checked here against the BENCH limits, each failure a one-line reason.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { BENCH } from '../../src/config.js'
import { isQuorumSpec, type QuorumSpec } from '../../src/core/quorum.js'
import { syntheticCapacity } from '../../src/patient/synthetic.js'
import { keyDistName, parseKeyDist } from './keys.js'
import { KV_MIXES } from './workloads/kv.js'
import { PDS_MIX } from './workloads/pds.js'
import { parseMix } from './workload.js'

export const WORKLOADS = ['pds', 'kv-9010', 'kv-5050', 'custom'] as const
export const BASELINES = ['level', 'etcd', 'redis'] as const
export type WorkloadName = (typeof WORKLOADS)[number]
export type BaselineName = (typeof BASELINES)[number]

export interface BenchConfig {
  /** Client ports of the cluster to drive (seeds); empty with local. */
  hosts: string[]
  /** Start a throwaway cluster of this many nodes instead. */
  local?: number
  workload: WorkloadName
  /** Operation weights; for pds and kv-* the workload's own unless given. */
  mix: Record<string, number>
  /** Measured seconds (after the warm-up); with ops, whichever comes first. */
  durationS?: number
  ops?: number
  concurrency: number
  /** Open loop at this many ops/s; absent: closed loop. */
  rate?: number
  keys: string
  records: number
  /** Records to load before the run (0: none; the population is assumed present). */
  load: number
  valueBytes: number
  n: number
  r?: QuorumSpec
  w?: QuorumSpec
  warmupS: number
  seed: number
  baselines: BaselineName[]
  bucket: string
  ringSize: number
  createFrom?: number
  out?: string
}

const quorum = z.union([z.number().int().min(1), z.enum(['one', 'quorum', 'all', 'default'])])
const fileSchema = z
  .object({
    hosts: z.union([z.string(), z.array(z.string())]),
    local: z.number().int(),
    workload: z.enum(WORKLOADS),
    mix: z.union([z.string(), z.record(z.string(), z.number().min(0))]),
    durationS: z.number().positive(),
    ops: z.number().int().positive(),
    concurrency: z.number().int(),
    rate: z.number().positive(),
    keys: z.string(),
    records: z.number().int(),
    load: z.number().int(),
    valueBytes: z.number().int(),
    n: z.number().int(),
    r: quorum,
    w: quorum,
    warmupS: z.number().min(0),
    seed: z.number().int(),
    baselines: z.union([z.string(), z.array(z.enum(BASELINES))]),
    bucket: z.string().min(1),
    ringSize: z.number().int(),
    createFrom: z.number().int().min(0),
    out: z.string(),
  })
  .strict()
  .partial()

export type BenchInput = z.infer<typeof fileSchema>

export function readWorkloadFile(path: string): BenchInput {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new RangeError(`workload file ${path}: ${(e as Error).message}`)
  }
  const r = fileSchema.safeParse(raw)
  if (!r.success) {
    const issue = r.error.issues[0]!
    throw new RangeError(`workload file ${path}: ${issue.path.join('.') || '(top)'}: ${issue.message}`)
  }
  return r.data
}

function check(name: string, v: number, min: number, max: number, integer = true): number {
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new RangeError(`${name} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${v}`)
  }
  return v
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return []
  return (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean)
}

/** The file's settings overlaid with the flags', defaulted and checked. */
export function resolveConfig(file: BenchInput, flags: BenchInput): BenchConfig {
  const i: BenchInput = { ...file, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) }
  const workload = i.workload ?? 'kv-9010'
  const mix = typeof i.mix === 'string' ? parseMix(i.mix) : i.mix
  if (workload === 'custom' && !mix) throw new RangeError('--workload custom needs a mix (--mix get=80,put=20, or "mix" in the workload file)')
  const resolvedMix = { ...(mix ?? (workload === 'pds' ? PDS_MIX : KV_MIXES[workload]!)) }
  const baselines = list(i.baselines)
  for (const b of baselines) if (!(BASELINES as readonly string[]).includes(b)) throw new RangeError(`unknown baseline "${b}" (${BASELINES.join(', ')})`)
  if (i.local !== undefined && list(i.hosts).length) throw new RangeError('give either --host or --local, not both')
  const recordsMax = workload === 'pds' ? syntheticCapacity() : BENCH.maxRecords
  const records = check('records', i.records ?? i.load ?? BENCH.defaultRecords, 1, recordsMax)
  for (const [name, q] of [['r', i.r], ['w', i.w]] as const) if (q !== undefined && !isQuorumSpec(q)) throw new RangeError(`${name} must be a number or one|quorum|all|default`)
  const cfg: BenchConfig = {
    hosts: list(i.hosts),
    local: i.local === undefined ? undefined : check('local', i.local, 1, BENCH.maxLocalNodes),
    workload,
    mix: resolvedMix,
    durationS: i.durationS === undefined ? (i.ops === undefined ? BENCH.defaultDurationS : undefined) : check('duration', i.durationS, 0.1, BENCH.maxDurationS, false),
    ops: i.ops === undefined ? undefined : check('ops', i.ops, 1, BENCH.maxOps),
    concurrency: check('concurrency', i.concurrency ?? BENCH.defaultConcurrency, 1, BENCH.maxConcurrency),
    rate: i.rate === undefined ? undefined : check('rate', i.rate, 0.001, BENCH.maxRate, false),
    keys: keyDistName(parseKeyDist(i.keys ?? 'uniform')),
    records,
    load: check('load', i.load ?? 0, 0, recordsMax),
    valueBytes: check('value-bytes', i.valueBytes ?? BENCH.defaultValueBytes, 1, BENCH.maxValueBytes),
    n: check('n', i.n ?? 3, 1, 16),
    r: i.r,
    w: i.w,
    warmupS: check('warmup', i.warmupS ?? 0, 0, BENCH.maxDurationS, false),
    seed: check('seed', i.seed ?? BENCH.defaultSeed, 0, 2 ** 31),
    baselines: baselines as BaselineName[],
    bucket: i.bucket ?? 'bench',
    ringSize: check('ring-size', i.ringSize ?? 64, 1, 4096),
    createFrom: i.createFrom,
    out: i.out,
  }
  if (cfg.load > cfg.records) throw new RangeError(`--load ${cfg.load} is more than --records ${cfg.records}: the operations would miss what was loaded`)
  return cfg
}
