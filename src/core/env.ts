/**
 * The injected sources of time and chance. Core and node code take these instead of calling
 * the wall clock, real timers or Math.random, so the simulator can replay any run from a seed.
 */

export interface TimerHandle {
  readonly id: number
}

export interface Clock {
  /** Milliseconds since the epoch (real or simulated). */
  now(): number
  setTimer(ms: number, fn: () => void): TimerHandle
  clearTimer(handle: TimerHandle): void
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
}
