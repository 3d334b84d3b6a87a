/**
 * A virtual clock for the load-generator tests: time stands still while promises settle and jumps
 * to the next timer when nothing else can run, so a 10-second open loop runs in milliseconds and
 * the same way every time.
 */
import type { Clock } from '../../bench/harness/clock.js'

export class VirtualClock implements Clock {
  private t = 0
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = []
  private seq = 0

  now(): number {
    return this.t
  }

  sleepUntil(at: number): Promise<void> {
    if (at <= this.t) return Promise.resolve()
    return new Promise((resolve) => this.timers.push({ at, seq: this.seq++, resolve }))
  }

  sleep(ms: number): Promise<void> {
    return this.sleepUntil(this.t + ms)
  }

  /** Drive the clock until p settles. */
  async run<T>(p: Promise<T>): Promise<T> {
    let settled = false
    p.then(
      () => (settled = true),
      () => (settled = true),
    )
    while (!settled) {
      // A macrotask turn: every promise chain that can move without time passing has moved.
      await new Promise((r) => setImmediate(r))
      if (settled) break
      if (this.timers.length === 0) throw new Error('virtual clock: nothing left to wait for, but the promise has not settled')
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.timers.shift()!
      this.t = Math.max(this.t, next.at)
      next.resolve()
    }
    return p
  }
}
