/**
 * Latency histograms: HDR histograms (hdr-histogram-js) of microseconds, so p99.9 and max stay exact
 * to 3 significant digits whatever the spread, in fixed memory. The plain JS build, not WebAssembly:
 * a run keeps a few per operation and the JS one needs no destroy() to free its memory.
 */
import * as hdr from 'hdr-histogram-js'
import { BENCH } from '../../src/config.js'

/** Milliseconds at the percentiles the summary and the report show. */
export interface Percentiles {
  count: number
  meanMs: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
}

export class LatencyHistogram {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: BENCH.maxLatencyUs,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  })

  /** One latency in milliseconds (fractional); below 1 µs counts as 1 µs, above the cap as the cap. */
  recordMs(ms: number): void {
    this.h.recordValue(Math.min(BENCH.maxLatencyUs, Math.max(1, Math.round(ms * 1000))))
  }

  get count(): number {
    return this.h.totalCount
  }

  /** The latency (ms) at percentile p (0-100); NaN when nothing was recorded. */
  percentileMs(p: number): number {
    return this.count ? this.h.getValueAtPercentile(p) / 1000 : NaN
  }

  get maxMs(): number {
    return this.count ? this.h.maxValue / 1000 : NaN
  }

  percentiles(): Percentiles {
    return {
      count: this.count,
      meanMs: this.count ? this.h.mean / 1000 : NaN,
      p50Ms: this.percentileMs(50),
      p95Ms: this.percentileMs(95),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      maxMs: this.maxMs,
    }
  }

  add(other: LatencyHistogram): void {
    this.h.add(other.h)
  }

  reset(): void {
    this.h.reset()
  }
}
