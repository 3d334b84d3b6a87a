/**
 * Hands hinted data home. On a timer of the injected clock it lists the partitions this node
 * holds but does not own, recounts the hinted keys (HintedCount's truth), and starts a transfer
 * for each whose owner the failure detector holds up, at most `maxConcurrent` at once. A failed
 * transfer (owner gone again, ring mismatch, a batch refused) is dropped, logged with its reason,
 * listed as `retrying` with that reason, and started again `retryDelayMs` later, doubling with each
 * failure in a row up to `maxRetryDelayMs` (or as soon as a member that was down is heard again):
 * never relaunched in a loop that shows `running` forever.
 */
import { toSpineError } from '../../shared/errors.js'
import { Ticker } from '../ticker.js'
import type { Clock } from '../../core/env.js'
import type { PendingMove } from '../../core/clusterRing.js'
import type { Ring } from '../../core/ring.js'
import type { Transport } from '../../net/transport.js'
import type { Backend } from '../../storage/backend.js'
import { HANDOFF, VNODE } from '../../config.js'
import type { Logger } from '../../shared/log.js'
import type { VnodeHost } from '../vnodeHost.js'
import { hintedPartitions, planTransfers } from './decisions.js'
import { HintedCount } from './hintedCount.js'
import { ringChecksum } from './ringChecksum.js'
import { Transfer, type TransferStatus } from './transfer.js'

export interface HandoffOptions {
  checkIntervalMs: number
  /** Check as soon as the detector hears a member that was down (false: only on the timer). */
  checkOnUp: boolean
  maxConcurrent: number
  batchSize: number
  batchBytes: number
  batchTimeoutMs: number
  retryDelayMs: number
  maxRetryDelayMs: number
  maxHintedKeys: number
}

/** The last failure of a partition's transfer, kept until one succeeds. */
interface Failure {
  error: string
  count: number
  retryAt: number
}

/** Committed ownership moves, from the cluster ring (absent: static membership, none). */
export interface Moves {
  /** moves this node must make (it is the old owner) */
  outgoing(): PendingMove[]
  /** whether this node is the new owner of a pending move of the partition (its data is not hinted) */
  incoming(partition: number): boolean
  /** tell the claimant a move's data has all been sent */
  done(move: PendingMove): Promise<void>
}

export interface HandoffDeps {
  self: string
  ring: () => Ring
  moves?: Moves
  clock: Clock
  transport: Transport
  host: VnodeHost
  isUp: (node: string) => boolean
  log: Logger
}

export class HandoffManager {
  readonly hinted: HintedCount
  private readonly running = new Map<number, { transfer: Transfer; startedAt: number; kind: 'hinted' | 'ownership' }>()
  /** Partitions being moved away: every write this node takes for them is copied to the new owner. */
  private readonly moving = new Map<number, string>()
  private waiting: number[] = []
  private blocked: number[] = []
  private retrying: number[] = []
  private readonly failures = new Map<number, Failure>()
  /** Keys per hinted partition at the last recount. */
  private counts = new Map<number, number>()
  private readonly ticker: Ticker
  private checking = false
  private again = false

  constructor(
    private readonly deps: HandoffDeps,
    private readonly opts: HandoffOptions = HANDOFF,
  ) {
    this.hinted = new HintedCount(opts.maxHintedKeys)
    this.ticker = new Ticker(deps.clock, () => this.opts.checkIntervalMs, () => this.check())
  }

  start(): void {
    this.ticker.start()
  }

  stop(): void {
    this.ticker.stop()
  }

  /** Whether a write to this partition is a hinted one (this node stands in for its owner). */
  isHinted(partition: number): boolean {
    return this.deps.ring().owners[partition] !== this.deps.self && !this.deps.moves?.incoming(partition)
  }

  /** The new owner a write to this partition must also reach while a move runs, if any. */
  copyTo(partition: number): string | undefined {
    return this.moving.get(partition)
  }

  /** The detector heard a member that was down: it may be owed hinted data. */
  ownerUp(): void {
    // A member back up may be the one a failed transfer could not reach: try those again now.
    const now = this.deps.clock.now()
    for (const f of this.failures.values()) f.retryAt = Math.min(f.retryAt, now)
    if (this.opts.checkOnUp && this.ticker.running) void this.check()
  }

  /** One check, also callable directly (tests, an operator's nudge). */
  async check(): Promise<void> {
    if (this.checking) {
      this.again = true // asked during a check (an owner came back): run once more after it
      return
    }
    this.checking = true
    this.again = false
    try {
      const held = await this.backend.partitions()
      await this.recount(hintedPartitions(held, this.deps.ring(), this.deps.self).filter((p) => !this.deps.moves?.incoming(p)))
      // The ring may have changed during the awaits (a move flipped to this node): decide on the
      // ring as it is now, never on a snapshot from before them.
      const ring = this.deps.ring()
      const hinted = [...this.counts.keys()].filter((p) => this.isHinted(p))
      for (const p of [...this.failures.keys()]) if (!hinted.includes(p) && !this.isMoving(p)) this.failures.delete(p)
      this.startMoves(ring)
      const backingOff = (p: number) => this.backingOff(p) && this.deps.isUp(ring.owners[p]!)
      const plan = planTransfers(hinted.filter((p) => !backingOff(p)), ring, this.deps.isUp, new Set(this.running.keys()), this.opts.maxConcurrent)
      this.waiting = plan.waiting
      this.retrying = hinted.filter((p) => backingOff(p) && !this.running.has(p))
      this.blocked = hinted.filter((p) => !plan.start.includes(p) && !plan.waiting.includes(p) && !this.retrying.includes(p) && !this.running.has(p))
      for (const p of plan.start) this.launch(p, ring)
      // The same tick forgets reaped tombstones older than the reap memory's window.
      for (const p of this.deps.host.active()) await this.deps.host.vnode(p).sweepReaps(VNODE.reapSweepLimit)
    } catch (e) {
      this.deps.log.warn({ err: String(e) }, 'handoff check failed')
    } finally {
      this.checking = false
    }
    if (this.again && this.ticker.running) await this.check()
  }

  transfers(): TransferStatus[] {
    const ring = this.deps.ring()
    const from = this.deps.self
    const now = this.deps.clock.now()
    const failure = (p: number) => {
      const f = this.failures.get(p)
      return { lastError: f?.error ?? null, failures: f?.count ?? 0 }
    }
    const running = [...this.running.values()].map(({ transfer, startedAt, kind }): TransferStatus => ({
      kind,
      partition: transfer.partition,
      from,
      to: transfer.to,
      state: 'running',
      itemsSent: transfer.itemsSent,
      // Ownership moves are not counted ahead (a fold of the whole partition): 0 means unknown.
      itemsTotal: kind === 'ownership' ? 0 : Math.max(this.counts.get(transfer.partition) ?? 0, transfer.itemsSent),
      bytesSent: transfer.bytesSent,
      rate: now > startedAt ? Math.round((transfer.itemsSent * 1000) / (now - startedAt)) : 0,
      startedAt,
      ...failure(transfer.partition),
      retryAt: null,
    }))
    const idle = (state: 'waiting' | 'blocked' | 'retrying') => (p: number): TransferStatus => ({
      kind: 'hinted', partition: p, from, to: ring.owners[p]!, state, itemsSent: 0, itemsTotal: this.counts.get(p) ?? 0, bytesSent: 0, rate: 0, startedAt: null,
      ...failure(p),
      retryAt: state === 'retrying' ? (this.failures.get(p)?.retryAt ?? null) : null,
    })
    const notRunning = (p: number) => !this.running.has(p)
    const moves = (this.deps.moves?.outgoing() ?? [])
      .filter((m) => notRunning(m.partition))
      .map((m): TransferStatus => {
        const state = !this.deps.isUp(m.to) ? 'blocked' : this.backingOff(m.partition) ? 'retrying' : 'waiting'
        return {
          kind: 'ownership', partition: m.partition, from, to: m.to, state, itemsSent: 0, itemsTotal: 0, bytesSent: 0, rate: 0, startedAt: null,
          ...failure(m.partition),
          retryAt: state === 'retrying' ? (this.failures.get(m.partition)?.retryAt ?? null) : null,
        }
      })
    const idleOf = (list: number[], state: 'waiting' | 'blocked' | 'retrying') => list.filter(notRunning).map(idle(state))
    return [...running, ...idleOf(this.waiting, 'waiting'), ...idleOf(this.retrying, 'retrying'), ...idleOf(this.blocked, 'blocked'), ...moves]
  }

  /** Whether the partition's last transfer failed and its retry time has not come. */
  private backingOff(p: number): boolean {
    const f = this.failures.get(p)
    return f !== undefined && f.retryAt > this.deps.clock.now()
  }

  private isMoving(p: number): boolean {
    return (this.deps.moves?.outgoing() ?? []).some((m) => m.partition === p)
  }

  /** What this node holds for others: `spinekv cluster status` sums it over the members. */
  status(): { hintedKeys: number; hintedPartitions: number; transfers: TransferStatus[] } {
    return { hintedKeys: this.hinted.value, hintedPartitions: this.counts.size, transfers: this.transfers() }
  }

  private get backend(): Backend {
    return this.deps.host.backend
  }

  private async recount(hinted: number[]): Promise<void> {
    const counts = new Map<number, number>()
    for (const p of hinted) {
      let keys = 0
      for await (const _ of this.backend.fold(p)) keys++
      if (keys > 0) counts.set(p, keys)
    }
    this.counts = counts
    this.hinted.recounted([...counts.values()].reduce((a, b) => a + b, 0))
  }

  /**
   * Committed moves away from this node, in the same slots as hinted transfers. A move that is
   * no longer pending (the claimant flipped it) stops copying writes: what is left here is now
   * hinted data and goes the hinted way.
   */
  private startMoves(ring: Ring): void {
    const outgoing = this.deps.moves?.outgoing() ?? []
    for (const p of [...this.moving.keys()]) if (!outgoing.some((m) => m.partition === p) && !this.running.has(p)) this.moving.delete(p)
    for (const m of outgoing) {
      if (this.running.size >= this.opts.maxConcurrent) return
      if (this.running.has(m.partition) || !this.deps.isUp(m.to) || this.backingOff(m.partition)) continue
      this.moving.set(m.partition, m.to)
      this.launch(m.partition, ring, m.to, () => this.deps.moves!.done(m))
    }
  }

  private failed(p: number, to: string, kind: 'hinted' | 'ownership', transfer: Transfer, e: unknown): void {
    const err = toSpineError(e)
    const count = (this.failures.get(p)?.count ?? 0) + 1
    const delay = Math.min(this.opts.maxRetryDelayMs, this.opts.retryDelayMs * 2 ** Math.min(count - 1, 30))
    const retryAt = this.deps.clock.now() + delay
    this.failures.set(p, { error: `${err.code}: ${err.message}`, count, retryAt })
    // Listed as retrying at once, not only from the next check's lists.
    if (!this.retrying.includes(p) && kind === 'hinted') this.retrying = [...this.retrying, p]
    this.deps.log.warn(
      { partition: p, to, kind, code: err.code, err: err.message, data: err.data, failures: count, items: transfer.itemsSent, retryInMs: delay },
      'handoff stopped; retried later',
    )
  }

  private launch(p: number, ring: Ring, moveTo?: string, done?: () => Promise<void>): void {
    const to = moveTo ?? ring.owners[p]!
    const transfer = new Transfer(p, to, {
      transport: this.deps.transport,
      backend: this.backend,
      vnode: this.deps.host.vnode(p),
      ringChecksum: ringChecksum(ring),
      batchSize: this.opts.batchSize,
      batchBytes: this.opts.batchBytes,
      batchTimeoutMs: this.opts.batchTimeoutMs,
      keep: moveTo !== undefined,
      // A hinted copy is deleted only while this node still does not own the partition.
      stillValid: moveTo === undefined ? () => this.isHinted(p) : undefined,
    })
    const kind = moveTo === undefined ? 'hinted' : 'ownership'
    this.running.set(p, { transfer, startedAt: this.deps.clock.now(), kind })
    this.waiting = this.waiting.filter((w) => w !== p)
    transfer
      .run()
      .then(async () => {
        await done?.()
        this.failures.delete(p)
        this.deps.log.info({ partition: p, to, kind, items: transfer.itemsSent, bytes: transfer.bytesSent }, 'handoff finished')
      })
      .catch((e: unknown) => this.failed(p, to, kind, transfer, e))
      .finally(() => {
      this.running.delete(p)
      // Recount and start the next waiting partition now rather than at the next tick.
      if (this.ticker.running) void this.check()
    })
  }

}
