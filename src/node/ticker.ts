/**
 * A periodic task on the injected clock: run, then arm the next run once this one has finished
 * (so a slow run never overlaps the next), until stopped. Background managers (handoff, ring
 * gossip, anti-entropy) share it so that start/stop and the re-arming rule are written once; the
 * simulator sees the same timers in the same order as before.
 */
import type { Clock, TimerHandle } from '../core/env.js'

export class Ticker {
  private timer: TimerHandle | undefined
  private stopped = true

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: () => number,
    private readonly run: () => void | Promise<unknown>,
  ) {}

  get running(): boolean {
    return !this.stopped
  }

  start(): void {
    this.stopped = false
    this.arm()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) this.clock.clearTimer(this.timer)
    this.timer = undefined
  }

  private arm(): void {
    if (this.stopped) return
    this.timer = this.clock.setTimer(this.intervalMs(), () => {
      const r = this.run()
      // A synchronous run re-arms at once, an asynchronous one when it settles. A run that fails
      // has logged its own failure (each manager does); the ticker keeps going, and no rejection escapes.
      if (r instanceof Promise) r.then(() => this.arm(), () => this.arm())
      else this.arm()
    })
  }
}
