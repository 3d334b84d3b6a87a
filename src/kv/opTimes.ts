/**
 * How long this node's coordinated gets and puts took (Riak's node_get_fsm_time and
 * node_put_fsm_time): the most recent STATS.maxTimeSamples latencies of each, in microseconds,
 * summarised over the last STATS.windowMs. Kept beside a node's KvStats (keyed by that object),
 * so every port's operations are counted without another field on KvEnv.
 */
import { STATS } from '../config.js'
import type { KvStats } from './env.js'

export interface TimeSummary {
  count: number
  mean: number
  median: number
  p95: number
  p99: number
  p100: number
}

export class OpTimes {
  private readonly at: Float64Array
  private readonly us: Float64Array
  private next = 0
  private filled = 0

  constructor(readonly capacity: number = STATS.maxTimeSamples) {
    this.at = new Float64Array(capacity)
    this.us = new Float64Array(capacity)
  }

  record(nowMs: number, micros: number): void {
    this.at[this.next] = nowMs
    this.us[this.next] = micros
    this.next = (this.next + 1) % this.capacity
    this.filled = Math.min(this.filled + 1, this.capacity)
  }

  /** Over the samples at most windowMs old; all zero when there are none (as Riak reports an idle node). */
  summary(nowMs: number, windowMs: number = STATS.windowMs): TimeSummary {
    const xs: number[] = []
    for (let i = 0; i < this.filled; i++) if (nowMs - this.at[i]! <= windowMs) xs.push(this.us[i]!)
    if (xs.length === 0) return { count: 0, mean: 0, median: 0, p95: 0, p99: 0, p100: 0 }
    xs.sort((a, b) => a - b)
    const rank = (q: number): number => xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    return { count: xs.length, mean: Math.round(mean), median: rank(0.5), p95: rank(0.95), p99: rank(0.99), p100: xs[xs.length - 1]! }
  }
}

const times = new WeakMap<KvStats, { get: OpTimes; put: OpTimes }>()

export function opTimes(stats: KvStats): { get: OpTimes; put: OpTimes } {
  let t = times.get(stats)
  if (!t) {
    t = { get: new OpTimes(), put: new OpTimes() }
    times.set(stats, t)
  }
  return t
}

/**
 * Times op and records it when it succeeds. The elapsed time is from performance.now() (µs
 * resolution; the injected clock has ms), the sample's age from the injected clock.
 */
export async function timed<T>(stats: KvStats, which: 'get' | 'put', nowMs: () => number, op: () => Promise<T>): Promise<T> {
  const started = performance.now()
  const result = await op()
  opTimes(stats)[which].record(nowMs(), Math.round((performance.now() - started) * 1000))
  return result
}
