/**
 * Counts and latencies of a run, per operation kind: whole-run HDR histograms of latency (from the
 * intended start: see openLoop.ts) and of queueing delay, errors by code, and a timeline of
 * fixed-width intervals (count, errors, percentiles of each interval) for the report's charts.
 * Operations that started before the measurement began (the warm-up) are not recorded.
 */
import { BENCH } from '../../src/config.js'
import { LatencyHistogram, type Percentiles } from './histogram.js'

export interface IntervalOp {
  count: number
  errors: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
}

export interface IntervalPoint {
  /** Seconds from the start of the measurement to the end of this interval. */
  t: number
  /** The interval's width in seconds (the last one of a run may be short). */
  dt: number
  ops: Record<string, IntervalOp>
}

class OpStats {
  readonly latency = new LatencyHistogram()
  readonly queue = new LatencyHistogram()
  readonly interval = new LatencyHistogram()
  count = 0
  intervalCount = 0
  intervalErrors = 0
  readonly errors = new Map<string, number>()
  get errorCount(): number {
    let n = 0
    for (const v of this.errors.values()) n += v
    return n
  }
}

export interface OpSummary {
  /** Successful operations. */
  count: number
  opsPerSec: number
  errors: Record<string, number>
  errorCount: number
  latency: Percentiles
  /** Time between an operation's intended start and its sending (open loop only; 0 in a closed loop). */
  queue: Percentiles
}

export class Recorder {
  private readonly stats = new Map<string, OpStats>()
  private readonly timeline: IntervalPoint[] = []
  private intervalEnd: number
  private lastEnd: number

  /** Everything observed since the last progress line: for the live ops/s. */
  private windowOps = 0
  private windowErrors = 0

  constructor(
    opNames: readonly string[],
    /** Clock time (ms) the measurement starts: operations intended before it are the warm-up. */
    readonly measureFrom: number,
    private readonly intervalMs: number = BENCH.intervalMs,
  ) {
    for (const n of opNames) this.stats.set(n, new OpStats())
    this.intervalEnd = measureFrom + intervalMs
    this.lastEnd = measureFrom
  }

  /** One finished operation: when it was meant to start, was sent and ended; errorCode when it failed. */
  record(op: string, intended: number, sent: number, end: number, errorCode?: string): void {
    if (intended < this.measureFrom) return
    this.roll(end)
    let s = this.stats.get(op)
    if (!s) this.stats.set(op, (s = new OpStats()))
    this.lastEnd = Math.max(this.lastEnd, end)
    if (errorCode !== undefined) {
      s.errors.set(errorCode, (s.errors.get(errorCode) ?? 0) + 1)
      s.intervalErrors++
      this.windowErrors++
      return
    }
    s.count++
    s.intervalCount++
    this.windowOps++
    s.latency.recordMs(end - intended)
    s.queue.recordMs(sent - intended)
    s.interval.recordMs(end - intended)
  }

  /** Close every interval that ended at or before t (empty ones too, so the timeline has no gaps). */
  roll(t: number): void {
    while (t >= this.intervalEnd) {
      this.close(this.intervalEnd)
      this.intervalEnd += this.intervalMs
    }
  }

  private close(end: number): void {
    const begin = this.intervalEnd - this.intervalMs
    const point: IntervalPoint = { t: round3((end - this.measureFrom) / 1000), dt: round3((end - begin) / 1000), ops: {} }
    for (const [name, s] of this.stats) {
      const p = s.interval.percentiles()
      point.ops[name] = { count: s.intervalCount, errors: s.intervalErrors, p50Ms: p.p50Ms, p95Ms: p.p95Ms, p99Ms: p.p99Ms, p999Ms: p.p999Ms, maxMs: p.maxMs }
      s.interval.reset()
      s.intervalCount = 0
      s.intervalErrors = 0
    }
    this.timeline.push(point)
  }

  /** For the progress line: operations and errors since the last call, and p99 so far (all kinds). */
  takeWindow(): { ops: number; errors: number; p99Ms: number } {
    const all = new LatencyHistogram()
    for (const s of this.stats.values()) all.add(s.latency)
    const w = { ops: this.windowOps, errors: this.windowErrors, p99Ms: all.percentileMs(99) }
    this.windowOps = 0
    this.windowErrors = 0
    return w
  }

  totalErrors(): number {
    let n = 0
    for (const s of this.stats.values()) n += s.errorCount
    return n
  }

  /** Per-kind summary over elapsedS seconds of measurement, plus an "all" row. */
  summary(elapsedS: number): Record<string, OpSummary> {
    const out: Record<string, OpSummary> = {}
    const allLat = new LatencyHistogram()
    const allQueue = new LatencyHistogram()
    const allErrors: Record<string, number> = {}
    let allCount = 0
    for (const [name, s] of this.stats) {
      const errors = Object.fromEntries([...s.errors].sort((a, b) => b[1] - a[1]))
      out[name] = { count: s.count, opsPerSec: s.count / elapsedS, errors, errorCount: s.errorCount, latency: s.latency.percentiles(), queue: s.queue.percentiles() }
      allLat.add(s.latency)
      allQueue.add(s.queue)
      allCount += s.count
      for (const [code, n] of s.errors) allErrors[code] = (allErrors[code] ?? 0) + n
    }
    const allErrorCount = Object.values(allErrors).reduce((a, b) => a + b, 0)
    out.all = { count: allCount, opsPerSec: allCount / elapsedS, errors: allErrors, errorCount: allErrorCount, latency: allLat.percentiles(), queue: allQueue.percentiles() }
    return out
  }

  /** The timeline, with the last partial interval closed at the end of the run. */
  points(): IntervalPoint[] {
    const begin = this.intervalEnd - this.intervalMs
    if (this.lastEnd > begin) {
      this.close(this.lastEnd)
      this.intervalEnd = this.lastEnd + this.intervalMs
    }
    return this.timeline
  }

  /** Seconds from the start of the measurement to the last answer. */
  measuredSeconds(): number {
    return (this.lastEnd - this.measureFrom) / 1000
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000
}
