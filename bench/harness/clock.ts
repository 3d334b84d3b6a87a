/**
 * Time for the load generators, behind an interface so the scheduler tests run on a virtual clock
 * (deterministic, instant) while real runs use the monotonic performance clock.
 */
export interface Clock {
  /** Milliseconds, fractional, monotonic. */
  now(): number
  /** Resolves once now() has reached t (at once when it has). */
  sleepUntil(t: number): Promise<void>
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleepUntil(t: number): Promise<void> {
    const ms = t - performance.now()
    // setTimeout(0) still yields to I/O, which the completions of the requests in flight need.
    return new Promise((r) => setTimeout(r, Math.max(0, ms)))
  },
}
