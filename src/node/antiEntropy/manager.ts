/**
 * Schedules exchanges. Every `tickMs` of the injected clock the node walks, round robin, the
 * exchanges it could run — for each partition it owns, each preference list (hp, n) that
 * partition is in, each other primary of that list — and starts up to `exchangesPerTick` of them,
 * at most `concurrency` at once, skipping peers its failure detector holds down. Most exchanges
 * end after one root comparison, so a tick's budget walks many lists; one that finds differences
 * repairs at most `maxRepairsPerExchange` keys.
 *
 * Only primaries exchange (hinted copies go home by handoff). Each pair is visited from both
 * ends, so a node that is down during one side's turn is caught on the other's.
 *
 * A list found the same is skipped (no message at all) while this side's tree root is still the
 * one compared, for up to `recheckMs`: trees change only when their vnode's data does, and a side
 * whose data changed (a write, a repair, a restart — which forgets these memories) has a changed
 * root and exchanges itself. The recheck bounds the trust placed in the other side doing so.
 */
import { Ticker } from '../ticker.js'
import type { Clock } from '../../core/env.js'
import { partitionsOwnedBy, preflistFrom, type Ring } from '../../core/ring.js'
import type { KvEnv } from '../../kv/env.js'
import type { Logger } from '../../shared/log.js'
import { runExchange, type ExchangeLimits, type ExchangePlan, type ExchangeResult } from './exchange.js'
import type { TreeStore } from './treeStore.js'

export interface AaeOptions extends ExchangeLimits {
  enabled: boolean
  tickMs: number
  /** A list found the same is skipped while this side's tree is unchanged, for at most this long. */
  recheckMs: number
  exchangesPerTick: number
  concurrency: number
}

export interface AaeDeps {
  env: KvEnv
  store: TreeStore
  clock: Clock
  log: Logger
}

/** What `spinekv cluster aae-status` shows for one partition this node owns. */
export interface PartitionAaeStatus {
  partition: number
  tree: 'built' | 'rebuilding' | 'off'
  verifying: boolean
  exchanges: number
  lastExchangeAt: number | null
  lastPeer: string | null
  lastOutcome: string | null
  keysRepaired: number
  lastRepaired: number
}

export interface NodeAaeStatus {
  node: string
  enabled: boolean
  running: number
  exchanges: number
  keysRepaired: number
  repairsSkipped: number
  lostDetected: number
  treeBytes: number
  partitions: PartitionAaeStatus[]
}

function planKey(p: ExchangePlan): string {
  return `${p.p}/${p.hp}/${p.n}/${p.peer}/${p.peerP}`
}

/** Every exchange a node could run, in a fixed order (a pure function of the ring). */
export function exchangePlans(ring: Ring, self: string, ns: readonly number[]): ExchangePlan[] {
  const out: ExchangePlan[] = []
  for (const p of partitionsOwnedBy(ring, self)) {
    for (const n of [...new Set(ns)].sort((a, b) => a - b)) {
      const width = Math.min(n, ring.q)
      for (let k = 0; k < width; k++) {
        const hp = (p - k + ring.q) % ring.q
        for (const e of preflistFrom(ring, hp, n)) {
          if (e.partition !== p) out.push({ p, hp, n, peer: e.node, peerP: e.partition })
        }
      }
    }
  }
  return out
}

export class AaeManager {
  private readonly ticker: Ticker
  private cursor = 0
  private running = 0
  private budget = 0
  private exchanges = 0
  private keysRepaired = 0
  private repairsSkipped = 0
  /** Per plan: the local root last found the same as the peer's, and when. */
  private readonly lastSame = new Map<string, { root: number; at: number }>()
  private readonly perPartition = new Map<number, { exchanges: number; lastExchangeAt: number; lastPeer: string; lastOutcome: string; keysRepaired: number; lastRepaired: number }>()
  /** Every finished exchange, for tests and the simulator. */
  onExchange: ((r: ExchangeResult) => void) | undefined

  constructor(
    private readonly deps: AaeDeps,
    private opts: AaeOptions,
  ) {
    this.ticker = new Ticker(deps.clock, () => this.opts.tickMs, () => this.tick())
  }

  get enabled(): boolean {
    return this.opts.enabled
  }

  /** Exchanges on or off at run time (the trees are kept either way, if this node keeps them). */
  setEnabled(on: boolean): void {
    this.opts = { ...this.opts, enabled: on }
  }

  start(): void {
    this.ticker.start()
  }

  stop(): void {
    this.ticker.stop()
  }

  /** One tick: refill the budget and start exchanges (also callable directly). */
  tick(): void {
    this.budget = this.opts.exchangesPerTick
    this.fill()
  }

  private plans(): ExchangePlan[] {
    const { env, store } = this.deps
    const ring = env.ring()
    const ns = new Set<number>([env.props.get('default', '').n])
    for (const p of partitionsOwnedBy(ring, env.self)) for (const t of store.treeIds(p)) ns.add(t.n)
    return exchangePlans(ring, env.self, [...ns]).filter((pl) => pl.peer === env.self || env.isUp(pl.peer))
  }

  private fill(): void {
    if (!this.ticker.running || !this.opts.enabled || !this.deps.store.ready) return
    let plans: ExchangePlan[] | undefined
    let looked = 0
    while (this.running < this.opts.concurrency && this.budget > 0) {
      plans ??= this.plans()
      if (plans.length === 0 || looked >= plans.length) return
      const plan = plans[this.cursor % plans.length]!
      this.cursor = (this.cursor + 1) % plans.length
      looked++
      if (this.unchanged(plan)) continue
      this.budget--
      this.running++
      void runExchange(this.deps.env, this.deps.store, plan, this.opts)
        .then((r) => this.record(r))
        .finally(() => {
          this.running--
          this.fill()
        })
    }
  }

  private unchanged(plan: ExchangePlan): boolean {
    const seen = this.lastSame.get(planKey(plan))
    if (!seen || this.deps.clock.now() - seen.at >= this.opts.recheckMs) return false
    return this.deps.store.tree(plan.p, plan.hp, plan.n)?.root === seen.root
  }

  private record(r: ExchangeResult): void {
    if (r.outcome === 'same' && !r.inFlight) this.lastSame.set(planKey(r), { root: r.localRoot, at: r.endedAt })
    else this.lastSame.delete(planKey(r))
    this.exchanges++
    this.keysRepaired += r.repaired
    this.repairsSkipped += r.skipped
    const s = this.perPartition.get(r.p) ?? { exchanges: 0, lastExchangeAt: 0, lastPeer: '', lastOutcome: '', keysRepaired: 0, lastRepaired: 0 }
    s.exchanges++
    s.lastExchangeAt = r.endedAt
    s.lastPeer = `${r.peer}/${r.peerP}`
    s.lastOutcome = r.error ? `${r.outcome} (${r.error})` : r.outcome
    s.keysRepaired += r.repaired
    s.lastRepaired = r.repaired
    this.perPartition.set(r.p, s)
    if (r.repaired > 0 || r.outcome === 'failed') this.deps.log.info({ partition: r.p, hp: r.hp, n: r.n, peer: r.peer, outcome: r.outcome, segments: r.segments, keys: r.keysDiffering, repaired: r.repaired, err: r.error }, 'anti-entropy exchange')
    this.onExchange?.(r)
  }

  status(): NodeAaeStatus {
    const { env, store } = this.deps
    const partitions = partitionsOwnedBy(env.ring(), env.self).map((p): PartitionAaeStatus => {
      const t = store.state(p)
      const s = this.perPartition.get(p)
      return {
        partition: p,
        tree: store.off ? 'off' : t.state,
        verifying: t.verifying,
        exchanges: s?.exchanges ?? 0,
        lastExchangeAt: s ? s.lastExchangeAt : null,
        lastPeer: s?.lastPeer ?? null,
        lastOutcome: s?.lastOutcome ?? null,
        keysRepaired: s?.keysRepaired ?? 0,
        lastRepaired: s?.lastRepaired ?? 0,
      }
    })
    return {
      node: env.self,
      enabled: this.opts.enabled,
      running: this.running,
      exchanges: this.exchanges,
      keysRepaired: this.keysRepaired,
      repairsSkipped: this.repairsSkipped,
      lostDetected: store.lostDetected,
      treeBytes: store.memoryBytes(),
      partitions,
    }
  }

}
