/** The result of one `spinekv bench` invocation, as written to result.json and read by the report. */
import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os'
import type { CpuUse } from './cpuMeter.js'
import type { LoadResult } from './load.js'
import type { IntervalPoint, OpSummary } from './recorder.js'

export interface Machine {
  cores: number
  cpuModel: string
  memoryGiB: number
  freeMemoryGiB: number
  node: string
  platform: string
  hostname: string
  /** 1-minute load average when the run started: a busy machine explains a slow run. */
  loadAverage: number
}

export function machine(): Machine {
  const gib = (b: number): number => Math.round((b / 2 ** 30) * 10) / 10
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    hostname: hostname(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }
}

/** One measured run: spinekv or a baseline, the same operations. */
export interface RunResult {
  target: string
  description: string
  /** Seconds from the end of the warm-up to the last answer. */
  seconds: number
  /** Per operation kind, plus "all". */
  ops: Record<string, OpSummary>
  timeline: IntervalPoint[]
  /** Operations still unanswered when the drain timed out. */
  abandoned: number
  load?: LoadResult
  /** CPU over the measured window: node processes (on --local) and the harness. */
  cpu?: CpuUse
}

export interface BaselineSkip {
  baseline: string
  reason: string
}

export interface BenchResult {
  /** Bumped when a field changes meaning. */
  format: 1
  date: string
  command: string
  machine: Machine
  config: Record<string, unknown>
  runs: RunResult[]
  skipped: BaselineSkip[]
  /** spinekv ops/s ÷ each baseline's ops/s. */
  ratios: Record<string, number>
}
