/**
 * Simulated time. Nothing moves it but the Scheduler's loop: it pops the next event, runs it,
 * then lets every promise callback that event set off run to completion (setImmediate fires only
 * after the microtask queue is empty) before it looks at the next one. So a run is a pure
 * function of its events, and its events are a pure function of the seed.
 *
 * Time is kept in whole microseconds, so message delays below a millisecond add up exactly.
 */
import type { Clock, TimerHandle } from '../core/env.js'
import { EventQueue, type SimEvent } from './eventQueue.js'

/** Simulated wall clocks start here (2024-01-01), so timestamps look like real ones. */
export const SIM_EPOCH_MS = 1_704_067_200_000

/** A run that executes this many events without finishing is stuck in a loop. */
const MAX_EVENTS_PER_RUN = 20_000_000

export class SimRunaway extends Error {}

/** Let every microtask queued by the last event run; no real time or I/O can interleave. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class Scheduler {
  private now = 0
  private seq = 0
  private readonly queue = new EventQueue()
  eventsRun = 0

  /** Simulated microseconds since the start of the run. */
  get nowUs(): number {
    return this.now
  }

  at(delayUs: number, run: () => void): SimEvent {
    const ev: SimEvent = { at: this.now + Math.max(0, Math.round(delayUs)), seq: this.seq++, run, cancelled: false }
    this.queue.push(ev)
    return ev
  }

  /** Resolves after ms of simulated time (for clients and the nemesis, not for node code). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(ms * 1000, resolve))
  }

  /**
   * Run events until `stop` says so or the next event is later than untilUs; if nothing is left
   * to do before untilUs, the clock jumps there.
   */
  async run(untilUs: number, stop: () => boolean = () => false): Promise<void> {
    await drainMicrotasks()
    while (!stop()) {
      const ev = this.queue.peek()
      if (!ev || ev.at > untilUs) {
        this.now = Math.max(this.now, untilUs)
        return
      }
      this.queue.pop()
      this.now = ev.at
      if (++this.eventsRun > MAX_EVENTS_PER_RUN) throw new SimRunaway(`more than ${MAX_EVENTS_PER_RUN} events`)
      ev.run()
      await drainMicrotasks()
    }
  }

  runFor(ms: number, stop?: () => boolean): Promise<void> {
    return this.run(this.now + ms * 1000, stop)
  }
}

/**
 * One node incarnation's Clock. Its wall clock may be skewed (real machines disagree), timers
 * are durations and so are not. After stop() (the process crashed) no timer of it ever fires.
 */
export class NodeClock implements Clock {
  private readonly timers = new Map<number, SimEvent>()
  private nextId = 1
  private stopped = false

  constructor(
    private readonly sched: Scheduler,
    private readonly skewMs: () => number,
  ) {}

  now(): number {
    // Integer milliseconds, like Date.now(): lastModified travels as an integer.
    return SIM_EPOCH_MS + Math.floor(this.sched.nowUs / 1000) + this.skewMs()
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++
    if (this.stopped) return { id }
    // Like setTimeout, a delay below 1 ms is 1 ms.
    const ev = this.sched.at(Math.max(1, ms) * 1000, () => {
      this.timers.delete(id)
      fn()
    })
    this.timers.set(id, ev)
    return { id }
  }

  clearTimer(handle: TimerHandle): void {
    const ev = this.timers.get(handle.id)
    if (!ev) return
    ev.cancelled = true
    this.timers.delete(handle.id)
  }

  stop(): void {
    this.stopped = true
    for (const ev of this.timers.values()) ev.cancelled = true
    this.timers.clear()
  }
}
