/**
 * Riak's one-minute counters (node_gets, vnode_puts, read_repairs...): the node's running totals
 * are sampled every STATS.sampleMs, and a field is its total now less its total at the oldest
 * sample within STATS.windowMs (since start, for a node younger than that).
 */
import type { Clock, TimerHandle } from '../../../core/env.js'
import type { KvStats } from '../../../kv/env.js'
import { STATS } from '../../../config.js'

interface Sample {
  at: number
  totals: KvStats
}

export class CounterWindow {
  private samples: Sample[] = []
  private timer: TimerHandle | undefined

  constructor(
    private readonly clock: Clock,
    private readonly stats: KvStats,
    private readonly windowMs: number = STATS.windowMs,
    private readonly sampleMs: number = STATS.sampleMs,
  ) {
    this.sample()
  }

  start(): void {
    if (this.timer !== undefined) return
    const tick = (): void => {
      this.sample()
      this.timer = this.clock.setTimer(this.sampleMs, tick)
    }
    this.timer = this.clock.setTimer(this.sampleMs, tick)
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer)
    this.timer = undefined
  }

  private sample(): void {
    const now = this.clock.now()
    this.samples.push({ at: now, totals: { ...this.stats } })
    // Keep one sample at or before the window's start, so a minute is a whole minute.
    while (this.samples.length > 1 && this.samples[1]!.at <= now - this.windowMs) this.samples.shift()
  }

  /** The increase of each counter over the window. */
  recent(): KvStats {
    const base = this.samples[0]!.totals
    const out = { ...this.stats }
    for (const k of Object.keys(out) as Array<keyof KvStats>) out[k] = this.stats[k] - base[k]
    return out
  }
}
