/**
 * Everything a run is made of, drawn from its seed: the cluster's shape, the fault rates and the
 * workload. Ranges are wide on purpose; the point of many seeds is many different clusters.
 */
import type { BucketPropsOverrides } from '../kv/bucketProps.js'
import { NO_NET_FAULTS, type NetFaults } from './simNetwork.js'
import type { SeededRandom } from '../core/seededRandom.js'

export type FaultMode = 'none' | 'net' | 'crash' | 'all'
export const FAULT_MODES: readonly FaultMode[] = ['none', 'net', 'crash', 'all']

export interface SimOptions {
  faults: FaultMode
  /** Client operations per seed. */
  ops: number
  /** A deliberately planted bug, to prove the checkers can fail. */
  plant?: 'lww' | 'nohandoff' | 'noaae'
  /**
   * Some replica writes deliberately skip their replica (the coordinator's vput is dropped before
   * it leaves): replicas diverge with no fault to blame, and only anti-entropy can converge them
   * once no client reads the key.
   */
  skipReplica?: boolean
  /**
   * Also cut power to nodes: writes since the last fsync may be lost. Runs with syncWrites on,
   * because without fsync a power loss on W replicas loses acknowledged writes by design.
   */
  powerLoss?: boolean
  /**
   * Riak's delete_mode: 'reap' (the default, as in production: tombstones are removed
   * KV.tombstoneReapDelayMs after a delete every primary acknowledged) or 'keep' (never removed).
   */
  deleteMode?: DeleteMode
  /** Dynamic membership: spare nodes join and members leave among the faults. */
  membership?: boolean
}

export type DeleteMode = 'reap' | 'keep'
export const DELETE_MODES: readonly DeleteMode[] = ['reap', 'keep']

/** 'keep' as a reap delay: later than any run ever reaches, so the reap timer never fires. */
const NEVER_MS = 1e12

export interface WorkloadParams {
  clients: number
  ops: number
  setKeys: number
  registerKeys: number
  thinkMeanMs: number
  /** Per-operation timeouts a client picks from. */
  timeoutsMs: readonly number[]
  /** Share of register puts sent without a causal context (they become siblings). */
  blindPutRate: number
}

export interface FaultParams {
  net: boolean
  crash: boolean
  skew: boolean
  powerLoss: boolean
  /** Mean simulated time between nemesis actions. */
  gapMeanMs: number
  /** Mean time a partition, clog, flaky spell or crash lasts before it heals by itself. */
  durationMeanMs: number
  /** Loss, duplication and reordering always present in net mode; flaky spells raise them. */
  baseNet: NetFaults
  maxSkewMs: number
  /** Membership changes among the faults (joins of spares, leaves). */
  membership: boolean
  /** A leave is staged only while more valid members than this remain. */
  minValid: number
}

export interface SimParams {
  seed: number
  nodes: string[]
  q: number
  n: number
  bucketProps: BucketPropsOverrides
  syncWrites: boolean
  /** undefined: the production default (KV.tombstoneReapDelayMs). */
  tombstoneReapDelayMs: number | undefined
  /** undefined: the simulator's handoff check interval (see simCluster.ts). */
  handoffCheckMs: number | undefined
  /** Share of replica writes (vput) dropped on purpose (skipReplica runs only). */
  skipReplicaRate: number
  /** Anti-entropy exchanges on (off only with the 'noaae' plant). */
  aae: boolean
  /** Extra machines that may join (membership runs only). */
  spares: string[]
  workload: WorkloadParams
  faults: FaultParams
}

function baseNetFaults(rng: SeededRandom, on: boolean): NetFaults {
  if (!on) return { ...NO_NET_FAULTS }
  return {
    loss: rng.next() * 0.03,
    duplicate: rng.next() * 0.02,
    reorder: rng.next() * 0.1,
    slow: rng.next() * 0.02,
    slowMeanMs: rng.range(5, 200),
  }
}

function faultParams(rng: SeededRandom, opts: SimOptions): FaultParams {
  const net = opts.faults === 'net' || opts.faults === 'all'
  const crash = opts.faults === 'crash' || opts.faults === 'all'
  return {
    net,
    crash,
    skew: opts.faults === 'all',
    powerLoss: opts.powerLoss === true,
    gapMeanMs: rng.range(30, 500),
    durationMeanMs: rng.range(50, 1000),
    baseNet: baseNetFaults(rng, net),
    maxSkewMs: rng.range(0, 5000),
    membership: opts.membership === true,
    minValid: 3,
  }
}

function workloadParams(rng: SeededRandom, ops: number): WorkloadParams {
  return {
    clients: rng.range(2, 6),
    ops,
    setKeys: rng.range(1, 3),
    registerKeys: rng.range(1, 4),
    thinkMeanMs: rng.range(1, 40),
    timeoutsMs: rng.pick([[500, 2000], [1000, 5000], [3000, 10000]]),
    blindPutRate: rng.next() * 0.6,
  }
}

export function deriveParams(seed: number, rng: SeededRandom, opts: SimOptions): SimParams {
  const count = rng.range(3, 7)
  const nodes = Array.from({ length: count }, (_, i) => `n${i + 1}`)
  const q = 2 ** rng.range(3, 6)
  const n = Math.min(3, count)
  const lww = opts.plant === 'lww' ? { allowMult: false } : {}
  return {
    seed,
    nodes,
    q,
    n,
    // Type-wide override: every bucket of the default type gets it.
    bucketProps: { default: { n, ...lww } },
    syncWrites: opts.powerLoss === true,
    tombstoneReapDelayMs: opts.deleteMode === 'keep' ? NEVER_MS : undefined,
    handoffCheckMs: opts.plant === 'nohandoff' ? NEVER_MS : undefined,
    // Drawn from its own stream so runs without skips keep every other draw as before.
    skipReplicaRate: opts.skipReplica ? rng.fork('skip').range(5, 30) / 100 : 0,
    aae: opts.plant !== 'noaae',
    spares: opts.membership ? [`n${count + 1}`, `n${count + 2}`] : [],
    workload: workloadParams(rng, opts.ops),
    faults: faultParams(rng, opts),
  }
}
