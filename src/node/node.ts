/**
 * One node's logic, wired over injected seams: a Transport, a Backend, a Clock and a Logger.
 * The real process (nodeProcess.ts) gives it TCP and LevelDB; the simulator gives it a
 * simulated network and memory. Nothing here opens a socket or reads the wall clock.
 */
import type { Clock } from '../core/env.js'
import { partitionsOwnedBy, type Ring } from '../core/ring.js'
import type { Transport } from '../net/transport.js'
import type { Backend } from '../storage/backend.js'
import { BucketPropsTable, type BucketPropsOverrides } from '../kv/bucketProps.js'
import { emptyStats, type KvEnv } from '../kv/env.js'
import { FAILURE, HANDOFF, KV, STORAGE } from '../config.js'
import { FailureDetector } from './failureDetector.js'
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js'
import { clusterHandler } from './clusterHandler.js'
import type { Logger } from './log.js'
import type { NodeInfo } from './messages.js'
import { VnodeHost } from './vnodeHost.js'
import { HandoffManager, type HandoffOptions } from './handoff/manager.js'

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
}

export class SpineNode {
  readonly env: KvEnv
  readonly vnodes: VnodeHost
  readonly detector: FailureDetector
  private readonly heartbeat: Heartbeat | undefined
  readonly handoff: HandoffManager
  private ring: Ring

  constructor(private readonly deps: SpineNodeDeps) {
    this.ring = deps.ring
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
    }
    this.vnodes = new VnodeHost(deps.name, deps.ring.q, deps.backend, deps.clock, deps.log)
    // One vnode per owned partition from the start; fallbacks and handoff create others on demand.
    for (const p of partitionsOwnedBy(deps.ring, deps.name)) this.vnodes.vnode(p)
    this.detector = new FailureDetector(deps.clock, deps.name, this.ring.members, deps.downAfterMs ?? FAILURE.downAfterMs)
    const peers = (): string[] => this.ring.members.filter((m) => m !== deps.name)
    this.heartbeat = deps.heartbeat ? new Heartbeat(deps.clock, deps.transport, this.detector, peers, deps.heartbeat) : undefined
    this.handoff = new HandoffManager(
      { self: deps.name, ring: () => this.ring, clock: deps.clock, transport: deps.transport, host: this.vnodes, isUp: this.env.isUp, log: deps.log },
      { ...HANDOFF, ...deps.handoff },
    )
    deps.transport.serve(clusterHandler(this.env, this.vnodes, deps.info, (n) => this.detector.heard(n), this.handoff))
  }

  start(): void {
    this.heartbeat?.start()
    this.handoff.start()
  }

  stop(): void {
    this.heartbeat?.stop()
    this.handoff.stop()
  }

  get name(): string {
    return this.deps.name
  }
}
