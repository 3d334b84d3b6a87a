/**
 * One node's logic, wired over injected seams: a Transport, a Backend, a Clock and a Logger.
 * The real process (nodeProcess.ts) gives it TCP and LevelDB; the simulator gives it a
 * simulated network and memory. Nothing here opens a socket or reads the wall clock.
 */
import type { Clock, TimerHandle } from '../core/env.js'
import { partitionsOwnedBy, type Ring } from '../core/ring.js'
import type { Transport } from '../net/transport.js'
import type { Backend } from '../storage/backend.js'
import { BucketPropsTable, type BucketPropsOverrides } from '../kv/bucketProps.js'
import { emptyStats, type KvEnv } from '../kv/env.js'
import { AAE, FAILURE, HANDOFF, KV, MEMBERSHIP, STORAGE } from '../config.js'
import { isObjectPartition } from './partitionSpace.js'
import { FailureDetector } from './failureDetector.js'
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js'
import { clusterHandler } from './clusterHandler.js'
import type { Logger } from '../shared/log.js'
import type { NodeInfo } from './messages.js'
import { VnodeHost } from './vnodeHost.js'
import { HandoffManager, type HandoffOptions } from './handoff/manager.js'
import { RingManager } from './ringManager.js'
import { toRing, type ClusterRing } from '../core/clusterRing.js'
import { patientIndexHook } from '../patient/storeIndex.js'
import { secondaryIndexHook } from './secondaryIndexHook.js'
import { PatientStore } from '../patient/patientStore.js'
import { localSearch } from '../patient/localSearch.js'
import type { VnodeWriteHook } from './vnodeHooks.js'
import { TreeStore } from './antiEntropy/treeStore.js'
import { AaeManager, type AaeOptions } from './antiEntropy/manager.js'

/** Anti-entropy settings (AAE in config.ts by default). */
export type AaeSettings = AaeOptions & { branches: number; segmentsPerBranch: number; rebuildRateKeysPerSec: number; rebuildBatch: number }

export interface SpineNodeDeps {
  name: string
  ring: Ring
  transport: Transport
  backend: Backend
  clock: Clock
  log: Logger
  bucketProps?: BucketPropsOverrides
  syncWrites?: boolean
  tombstoneReapDelayMs?: number
  /** This node's addresses, as told to peers and clients. */
  info: () => NodeInfo
  /** Ping peers on a timer (real nodes); without it the detector learns only from peers' requests. */
  heartbeat?: HeartbeatOptions
  downAfterMs?: number
  /** Hinted handoff settings (HANDOFF by default); transfers run after start(). */
  handoff?: Partial<HandoffOptions>
  /** Active anti-entropy settings (AAE by default); `enabled: false` keeps no trees and runs no exchanges. */
  aae?: Partial<AaeSettings>
  /** More vnode write hooks (the patient index is always kept). */
  vnodeHooks?: VnodeWriteHook[]
  /**
   * Dynamic membership: the cluster ring this node starts from (its `ring` must be toRing of it),
   * where to persist each newer one, and what to rewire when it changes. Without it the ring is static.
   */
  membership?: {
    ring: ClusterRing
    persist(cr: ClusterRing): Promise<void>
    onChange?(cr: ClusterRing): void
  }
}

export class SpineNode {
  readonly env: KvEnv
  readonly vnodes: VnodeHost
  readonly detector: FailureDetector
  private readonly heartbeat: Heartbeat | undefined
  readonly handoff: HandoffManager
  readonly ringManager: RingManager | undefined
  /** Patient records, versions and search over this node's coordinators and index. */
  readonly patients: PatientStore
  /** Anti-entropy: the trees of every vnode, and the exchanges. */
  readonly trees: TreeStore
  readonly aae: AaeManager
  /** Resolves once this node has left the ring (it handed everything off); its owner then stops it. */
  readonly exited: Promise<void>
  private exitedResolve!: () => void
  private exitTimer: TimerHandle | undefined
  private ring: Ring

  constructor(private readonly deps: SpineNodeDeps) {
    this.ring = deps.ring
    this.exited = new Promise<void>((r) => (this.exitedResolve = r))
    const maxN = Math.max(1, deps.ring.q)
    this.env = {
      self: deps.name,
      ring: () => this.ring,
      transport: deps.transport,
      clock: deps.clock,
      log: deps.log,
      props: new BucketPropsTable(deps.bucketProps ?? {}, maxN),
      syncWrites: deps.syncWrites ?? STORAGE.syncWrites,
      tombstoneReapDelayMs: deps.tombstoneReapDelayMs ?? KV.tombstoneReapDelayMs,
      stats: emptyStats(),
      // Without heartbeats an idle peer falls silent while healthy: silence is no evidence, so
      // every member counts as up and the coordinators ask the primaries, as before issue 4.
      isUp: (node) => !deps.heartbeat || this.detector.isUp(node),
      localRead: (partition, key) => {
        this.env.stats.vnodeGets++
        return this.vnodes.vnode(partition).getRaw(key)
      },
    }
    const aae: AaeSettings = { ...AAE, ...deps.aae }
    this.trees = new TreeStore(
      { backend: deps.backend, clock: deps.clock, log: deps.log, q: deps.ring.q, props: this.env.props },
      { keep: aae.enabled, shape: { branches: aae.branches, segmentsPerBranch: aae.segmentsPerBranch }, rebuildRateKeysPerSec: aae.rebuildRateKeysPerSec, rebuildBatch: aae.rebuildBatch },
    )
    this.aae = new AaeManager({ env: this.env, store: this.trees, clock: deps.clock, log: deps.log }, aae)
    this.vnodes = new VnodeHost(deps.name, deps.ring.q, deps.backend, deps.clock, deps.log, [patientIndexHook(), secondaryIndexHook(), this.trees.hook(), ...(deps.vnodeHooks ?? [])])
    // One vnode per owned partition from the start; fallbacks and handoff create others on demand.
    for (const p of partitionsOwnedBy(deps.ring, deps.name)) this.vnodes.vnode(p)
    this.patients = new PatientStore({ env: this.env, localSearch: (query, plan) => localSearch(deps.backend, this.ring.q, query, plan) })
    this.detector = new FailureDetector(deps.clock, deps.name, this.ring.members, deps.downAfterMs ?? FAILURE.downAfterMs)
    const peers = (): string[] => this.ring.members.filter((m) => m !== deps.name)
    this.heartbeat = deps.heartbeat ? new Heartbeat(deps.clock, deps.transport, this.detector, peers, deps.heartbeat) : undefined
    this.ringManager = deps.membership ? this.ringManagerFor(deps.membership) : undefined
    this.handoff = new HandoffManager(
      { self: deps.name, ring: () => this.ring, moves: this.ringManager?.moves(), clock: deps.clock, transport: deps.transport, host: this.vnodes, isUp: this.env.isUp, log: deps.log },
      { ...HANDOFF, ...deps.handoff },
    )
    // A member back from down may be owed hinted data: look now rather than at the next tick.
    this.detector.onUp = () => this.handoff.ownerUp()
    const aaeServer = { store: this.trees, manager: this.aae, maxKeysPerListing: aae.maxKeysPerListing, maxListingBytes: aae.maxListingBytes }
    deps.transport.serve(clusterHandler(this.env, this.vnodes, deps.info, (n) => this.detector.heard(n), this.handoff, this.ringManager, aaeServer))
  }

  start(): void {
    this.trees.init().catch((e: unknown) => this.deps.log.error({ err: String(e) }, 'anti-entropy trees failed to load'))
    this.aae.start()
    this.heartbeat?.start()
    this.handoff.start()
    this.ringManager?.start()
    if (this.ringManager) this.scheduleExitCheck()
  }

  stop(): void {
    this.aae.stop()
    this.trees.stop()
    this.heartbeat?.stop()
    this.handoff.stop()
    this.ringManager?.stop()
    if (this.exitTimer) this.deps.clock.clearTimer(this.exitTimer)
    this.exitTimer = undefined
  }

  /**
   * A leaving node, once exiting (it owns nothing), waits until its remaining copies are handed
   * off, tells the claimant it is gone, and resolves `exited` when the ring no longer lists it.
   */
  private scheduleExitCheck(): void {
    this.exitTimer = this.deps.clock.setTimer(MEMBERSHIP.gossipIntervalMs, () => {
      void this.checkExit().finally(() => {
        if (this.exitTimer) this.scheduleExitCheck()
      })
    })
  }

  private async checkExit(): Promise<void> {
    const rm = this.ringManager!
    const me = rm.current.members.find((m) => m.name === this.deps.name)
    if (!me) return this.exitedResolve()
    if (me.status !== 'exiting') return
    const held = (await this.vnodes.backend.partitions()).filter(isObjectPartition)
    if (held.length > 0) return
    await rm.command({ cmd: 'exited', node: this.deps.name }).catch((e: unknown) => this.deps.log.warn({ err: String(e) }, 'exit not acknowledged yet'))
  }

  private ringManagerFor(m: NonNullable<SpineNodeDeps['membership']>): RingManager {
    const deps = this.deps
    return new RingManager(
      {
        self: deps.name,
        clock: deps.clock,
        transport: deps.transport,
        log: deps.log,
        isUp: (n) => this.detector.isUp(n),
        persist: m.persist,
        onChange: (cr) => {
          // Routing, the detector's member list and the heartbeats' peers follow the new ring.
          this.ring = toRing(cr)
          this.detector.setMembers(this.ring.members)
          m.onChange?.(cr)
          // A commit or a flipped move may start (or end) transfers: look now, not at the next tick.
          void this.handoff.check()
        },
      },
      m.ring,
    )
  }

  /** Clean shutdown, once nothing writes any more: save the trees so the next start need not rebuild them. */
  saveTrees(): Promise<number> {
    return this.trees.save()
  }

  get name(): string {
    return this.deps.name
  }
}
