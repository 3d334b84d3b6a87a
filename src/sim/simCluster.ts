/**
 * The simulated machines. Each keeps its disk for the whole run; each boot builds a fresh,
 * unmodified SpineNode over a new clock, transport and view of that disk. A crash kills the
 * incarnation: its transport stops delivering, its timers never fire, and whatever it was
 * doing is abandoned mid-flight, exactly where the last event left it.
 */
import { SpineError } from '../shared/errors.js'
import { singleNodeRing, staticRing, toRing, type ClusterRing } from '../core/clusterRing.js'
import { createRing, type Ring } from '../core/ring.js'
import type { BucketPropsOverrides } from '../kv/bucketProps.js'
import type { KvEnv } from '../kv/env.js'
import type { Logger } from '../shared/log.js'
import { SpineNode } from '../node/node.js'
import { FAILURE } from '../config.js'
import type { SeededRandom } from '../core/seededRandom.js'
import { NodeClock, type Scheduler } from './simClock.js'
import { SimDisk, type DiskView } from './simDisk.js'
import { SimTransport, type SimHub } from './simTransport.js'

/** Handoff checks in the simulator: often enough that hints reach home within the settle time. */
const SIM_HANDOFF_CHECK_MS = 1_000
/**
 * Anti-entropy in the simulator: trees sized for a handful of keys (64 segments), a few exchanges
 * every half second, one at a time, lists found the same rechecked after 20 s, and no rate limit
 * on the startup fold (storage is instant here); requests time out within the settle time.
 */
const SIM_AAE = { tickMs: 500, exchangesPerTick: 4, recheckMs: 20_000, concurrency: 1, branches: 4, segmentsPerBranch: 16, rebuildRateKeysPerSec: 0, rebuildBatch: 100, requestTimeoutMs: 2_000 }
/** A batch lost to a partition must not hold its transfer past the settle time (HANDOFF's 30 s would). */
const SIM_HANDOFF_BATCH_TIMEOUT_MS = 2_000
/** A failed transfer is tried again after one check interval, never later (HANDOFF's doubling up to 30 s would outlast the settle time). */
const SIM_HANDOFF_RETRY_MS = SIM_HANDOFF_CHECK_MS

export interface ClusterSpec {
  nodes: readonly string[]
  q: number
  n: number
  bucketProps: BucketPropsOverrides
  syncWrites: boolean
  tombstoneReapDelayMs: number | undefined
  /** Handoff check interval; the 'nohandoff' plant sets it beyond any run. */
  handoffCheckMs?: number
  /** Anti-entropy exchanges (the 'noaae' plant turns them off). */
  aae: boolean
  /** Keep the undo log power loss needs. */
  powerLoss: boolean
  /**
   * Dynamic membership: nodes run the ring manager (gossip, claimant), the ring survives restarts,
   * and `spares` are extra machines, each a cluster of one until a membership change joins it.
   */
  membership?: { spares: readonly string[] }
}

/** One running process of a node. */
export interface Incarnation {
  readonly node: SpineNode
  /** Rejects with CONNECTION_CLOSED when this incarnation crashes (what its clients would see). */
  readonly crashed: Promise<never>
}

interface Live extends Incarnation {
  transport: SimTransport
  clock: NodeClock
  view: DiskView
  kill: () => void
}

interface Machine {
  readonly name: string
  readonly disk: SimDisk
  skewMs: number
  live: Live | undefined
  boots: number
  /** The ring as last persisted (kept across crashes, like ring.json). */
  savedRing: ClusterRing | undefined
  /** Left the cluster and stopped for good. */
  retired: boolean
}

export class SimCluster {
  private readonly staticRing: Ring
  private readonly machines = new Map<string, Machine>()

  constructor(
    private readonly sched: Scheduler,
    private readonly hub: SimHub,
    private readonly spec: ClusterSpec,
    private readonly log: Logger,
  ) {
    this.staticRing = createRing(spec.nodes, spec.q, spec.n)
    for (const name of [...spec.nodes, ...(spec.membership?.spares ?? [])]) {
      this.machines.set(name, { name, disk: new SimDisk(spec.powerLoss), skewMs: 0, live: undefined, boots: 0, savedRing: undefined, retired: false })
    }
  }

  /** The newest ring any machine has persisted (static membership: the one ring). */
  get clusterRing(): ClusterRing | undefined {
    if (!this.spec.membership) return undefined
    let best: ClusterRing | undefined
    for (const m of this.machines.values()) if (m.savedRing && m.savedRing.members.length > 1 && (!best || m.savedRing.version > best.version)) best = m.savedRing
    return best
  }

  get ring(): Ring {
    const cr = this.clusterRing
    return cr ? toRing(cr) : this.staticRing
  }

  /** The cluster's members (what clients talk to and the checkers read through). */
  get names(): readonly string[] {
    const cr = this.clusterRing
    return cr ? cr.members.map((m) => m.name).filter((n) => !this.machine(n).retired) : this.spec.nodes
  }

  /** Every machine, members, spares and retired alike. */
  get machineNames(): readonly string[] {
    return [...this.machines.keys()]
  }

  /** Spares that are up and not in the ring: candidates to join. */
  spares(): string[] {
    const members = new Set(this.names)
    return this.machineNames.filter((n) => !members.has(n) && !this.machine(n).retired && this.isUp(n))
  }

  async start(): Promise<void> {
    for (const m of this.machines.values()) {
      await m.disk.open()
      this.boot(m)
    }
  }

  incarnation(name: string): Incarnation | undefined {
    return this.machine(name).live
  }

  env(name: string): KvEnv | undefined {
    return this.machine(name).live?.node.env
  }

  isUp(name: string): boolean {
    return this.machine(name).live !== undefined
  }

  up(): string[] {
    return this.names.filter((n) => this.isUp(n))
  }

  down(): string[] {
    return this.machineNames.filter((n) => !this.isUp(n) && !this.machine(n).retired)
  }

  /** A process crash: the OS keeps every completed write. */
  crash(name: string): void {
    const live = this.machine(name).live
    if (!live) return
    live.kill()
    this.machine(name).live = undefined
  }

  /** The machine loses power: the process dies and writes since the last fsync may be lost. */
  async powerLoss(name: string, rng: SeededRandom): Promise<number> {
    this.crash(name)
    return this.machine(name).disk.powerLoss(rng)
  }

  restart(name: string): void {
    const m = this.machine(name)
    if (!m.live && !m.retired) this.boot(m)
  }

  setSkew(name: string, ms: number): void {
    this.machine(name).skewMs = ms
  }

  boots(name: string): number {
    return this.machine(name).boots
  }

  private boot(m: Machine): void {
    m.boots++
    const clock = new NodeClock(this.sched, () => m.skewMs)
    const transport = new SimTransport(m.name, this.hub, clock)
    const view = m.disk.attach()
    const node = new SpineNode({
      name: m.name,
      ring: m.savedRing ? toRing(m.savedRing) : this.spec.membership && !this.spec.nodes.includes(m.name) ? toRing(singleNodeRing({ name: m.name, host: 'sim', port: 1 }, this.spec.q, this.spec.n)) : this.staticRing,
      transport,
      backend: view,
      clock,
      log: this.log,
      bucketProps: this.spec.bucketProps,
      syncWrites: this.spec.syncWrites,
      tombstoneReapDelayMs: this.spec.tombstoneReapDelayMs,
      info: () => ({ name: m.name, host: 'sim', clusterPort: 0, clientPort: 0, httpPort: 0 }),
      // As a real process: heartbeats drive sloppy quorum, and hinted data goes home on the sim clock.
      heartbeat: { intervalMs: FAILURE.heartbeatIntervalMs, timeoutMs: FAILURE.heartbeatTimeoutMs },
      // The 'nohandoff' plant sets a check interval beyond the run, and no check on up either.
      handoff: { checkIntervalMs: this.spec.handoffCheckMs ?? SIM_HANDOFF_CHECK_MS, checkOnUp: this.spec.handoffCheckMs === undefined, batchTimeoutMs: SIM_HANDOFF_BATCH_TIMEOUT_MS, retryDelayMs: SIM_HANDOFF_RETRY_MS, maxRetryDelayMs: SIM_HANDOFF_RETRY_MS },
      membership: this.spec.membership ? this.membershipFor(m) : undefined,
      aae: { ...SIM_AAE, enabled: this.spec.aae },
    })
    let abort!: (e: SpineError) => void
    const crashed = new Promise<never>((_, reject) => (abort = reject))
    // Nobody may be listening when it crashes; that is not an unhandled failure.
    crashed.catch(() => undefined)
    const kill = (): void => {
      this.hub.down(m.name)
      transport.kill()
      clock.stop()
      view.revoke()
      abort(new SpineError('CONNECTION_CLOSED', `node ${m.name} crashed`, { node: m.name }))
    }
    m.live = { node, crashed, transport, clock, view, kill }
    this.hub.up(transport)
    node.start()
    // A node that left the ring stops for good, as the real process exits.
    void node.exited.then(() => {
      if (m.live?.node !== node) return
      this.crash(m.name)
      m.retired = true
    })
  }

  private membershipFor(m: Machine): NonNullable<ConstructorParameters<typeof SpineNode>[0]['membership']> {
    const address = (name: string) => ({ name, host: 'sim', port: 1 })
    const initial =
      m.savedRing ??
      (this.spec.nodes.includes(m.name)
        ? staticRing(this.spec.nodes.map(address), this.spec.q, this.spec.n)
        : singleNodeRing(address(m.name), this.spec.q, this.spec.n))
    return {
      ring: initial,
      persist: async (cr) => {
        m.savedRing = cr
      },
    }
  }

  private machine(name: string): Machine {
    const m = this.machines.get(name)
    if (!m) throw new RangeError(`no simulated node ${name}`)
    return m
  }
}
