/**
 * Hands hinted data home. On a timer of the injected clock it lists the partitions this node
 * holds but does not own, recounts the hinted keys (HintedCount's truth), and starts a transfer
 * for each whose owner the failure detector holds up, at most `maxConcurrent` at once. A failed
 * transfer (owner gone again, ring mismatch) is dropped and picked up by a later check.
 */
import type { Clock, TimerHandle } from '../../core/env.js'
import type { Ring } from '../../core/ring.js'
import type { Transport } from '../../net/transport.js'
import type { Backend } from '../../storage/backend.js'
import { HANDOFF } from '../../config.js'
import type { Logger } from '../log.js'
import type { VnodeHost } from '../vnodeHost.js'
import { hintedPartitions, planTransfers } from './decisions.js'
import { HintedCount } from './hintedCount.js'
import { ringChecksum } from './ringChecksum.js'
import { Transfer, type TransferStatus } from './transfer.js'

export interface HandoffOptions {
  checkIntervalMs: number
  maxConcurrent: number
  batchSize: number
  batchTimeoutMs: number
  maxHintedKeys: number
}

export interface HandoffDeps {
  self: string
  ring: () => Ring
  clock: Clock
  transport: Transport
  host: VnodeHost
  isUp: (node: string) => boolean
  log: Logger
}

export class HandoffManager {
  readonly hinted: HintedCount
  private readonly running = new Map<number, { transfer: Transfer; startedAt: number }>()
  private waiting: number[] = []
  private blocked: number[] = []
  /** Keys per hinted partition at the last recount. */
  private counts = new Map<number, number>()
  private timer: TimerHandle | undefined
  private stopped = true
  private checking = false

  constructor(
    private readonly deps: HandoffDeps,
    private readonly opts: HandoffOptions = HANDOFF,
  ) {
    this.hinted = new HintedCount(opts.maxHintedKeys)
  }

  start(): void {
    this.stopped = false
    this.schedule()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) this.deps.clock.clearTimer(this.timer)
  }

  /** Whether a write to this partition is a hinted one (this node stands in for its owner). */
  isHinted(partition: number): boolean {
    return this.deps.ring().owners[partition] !== this.deps.self
  }

  /** One check, also callable directly (tests, an operator's nudge). */
  async check(): Promise<void> {
    if (this.checking) return
    this.checking = true
    try {
      const ring = this.deps.ring()
      await this.recount(hintedPartitions(await this.backend.partitions(), ring, this.deps.self))
      const hinted = [...this.counts.keys()]
      const plan = planTransfers(hinted, ring, this.deps.isUp, new Set(this.running.keys()), this.opts.maxConcurrent)
      this.waiting = plan.waiting
      this.blocked = hinted.filter((p) => !plan.start.includes(p) && !plan.waiting.includes(p) && !this.running.has(p))
      for (const p of plan.start) this.launch(p, ring)
    } catch (e) {
      this.deps.log.warn({ err: String(e) }, 'handoff check failed')
    } finally {
      this.checking = false
    }
  }

  transfers(): TransferStatus[] {
    const ring = this.deps.ring()
    const from = this.deps.self
    const now = this.deps.clock.now()
    const running = [...this.running.values()].map(({ transfer, startedAt }): TransferStatus => ({
      kind: 'hinted',
      partition: transfer.partition,
      from,
      to: transfer.to,
      state: 'running',
      itemsSent: transfer.itemsSent,
      itemsTotal: Math.max(this.counts.get(transfer.partition) ?? 0, transfer.itemsSent),
      rate: now > startedAt ? Math.round((transfer.itemsSent * 1000) / (now - startedAt)) : 0,
      startedAt,
    }))
    const idle = (state: 'waiting' | 'blocked') => (p: number): TransferStatus => ({
      kind: 'hinted', partition: p, from, to: ring.owners[p]!, state, itemsSent: 0, itemsTotal: this.counts.get(p) ?? 0, rate: 0, startedAt: null,
    })
    const notRunning = (p: number) => !this.running.has(p)
    return [...running, ...this.waiting.filter(notRunning).map(idle('waiting')), ...this.blocked.filter(notRunning).map(idle('blocked'))]
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

  private launch(p: number, ring: Ring): void {
    const to = ring.owners[p]!
    const transfer = new Transfer(p, to, {
      transport: this.deps.transport,
      backend: this.backend,
      vnode: this.deps.host.vnode(p),
      ringChecksum: ringChecksum(ring),
      batchSize: this.opts.batchSize,
      batchTimeoutMs: this.opts.batchTimeoutMs,
    })
    this.running.set(p, { transfer, startedAt: this.deps.clock.now() })
    this.waiting = this.waiting.filter((w) => w !== p)
    transfer.run().then(
      () => this.deps.log.info({ partition: p, to, items: transfer.itemsSent }, 'handoff finished'),
      (e: unknown) => this.deps.log.warn({ partition: p, to, err: String(e) }, 'handoff stopped; retried at the next check'),
    ).finally(() => {
      this.running.delete(p)
      // Recount and start the next waiting partition now rather than at the next tick.
      if (!this.stopped) void this.check()
    })
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = this.deps.clock.setTimer(this.opts.checkIntervalMs, () => {
      void this.check().finally(() => this.schedule())
    })
  }
}
