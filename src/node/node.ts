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
import { FAILURE, KV, STORAGE } from '../config.js'
import { FailureDetector } from './failureDetector.js'
import { Heartbeat, type HeartbeatOptions } from './heartbeat.js'
import { clusterHandler } from './clusterHandler.js'
import type { Logger } from './log.js'
import type { NodeInfo } from './messages.js'
import { VnodeHost } from './vnodeHost.js'

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
}

export class SpineNode {
  readonly env: KvEnv
  readonly vnodes: VnodeHost
  readonly detector: FailureDetector
  private readonly heartbeat: Heartbeat | undefined
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
    }
    this.vnodes = new VnodeHost(deps.name, deps.ring.q, deps.backend, deps.clock, deps.log)
    // One vnode per owned partition from the start; fallbacks and handoff create others on demand.
    for (const p of partitionsOwnedBy(deps.ring, deps.name)) this.vnodes.vnode(p)
    this.detector = new FailureDetector(deps.clock, deps.name, this.ring.members, deps.downAfterMs ?? FAILURE.downAfterMs)
    const peers = (): string[] => this.ring.members.filter((m) => m !== deps.name)
    this.heartbeat = deps.heartbeat ? new Heartbeat(deps.clock, deps.transport, this.detector, peers, deps.heartbeat) : undefined
    deps.transport.serve(clusterHandler(this.env, this.vnodes, deps.info, (n) => this.detector.heard(n)))
  }

  start(): void {
    this.heartbeat?.start()
  }

  stop(): void {
    this.heartbeat?.stop()
  }

  get name(): string {
    return this.deps.name
  }
}
