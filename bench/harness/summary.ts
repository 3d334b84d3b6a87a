/** The summary table printed at the end of a run: one block per target, one row per operation kind. */
import type { CpuUse } from './cpuMeter.js'
import { table } from '../../src/cli/format.js'
import type { BenchResult, RunResult } from './result.js'

export function ms(x: number): string {
  return Number.isNaN(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
}

export function int(x: number): string {
  return Math.round(x).toLocaleString('en-GB')
}

export function errorsText(errors: Record<string, number>): string {
  const parts = Object.entries(errors).map(([c, n]) => `${c} ${n}`)
  return parts.length ? parts.join(', ') : '0'
}

export function runTable(r: RunResult): string {
  const rows = Object.entries(r.ops).map(([name, s]) => [
    name,
    int(s.count),
    int(s.opsPerSec),
    errorsText(s.errors),
    ms(s.latency.p50Ms),
    ms(s.latency.p95Ms),
    ms(s.latency.p99Ms),
    ms(s.latency.p999Ms),
    ms(s.latency.maxMs),
  ])
  return table(['op', 'count', 'ops/s', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'p99.9 ms', 'max ms'], rows)
}

function cpuLine(c: CpuUse): string {
  const nodes = c.nodesS > 0 ? `nodes ${c.nodesS.toFixed(1)} s = ${c.nodesUsPerOp.toFixed(1)} µs/op, ` : ''
  const missing = c.unreadable ? ` (${c.unreadable} node processes unreadable)` : ''
  return `CPU over the window: ${nodes}harness ${c.harnessS.toFixed(1)} s = ${c.harnessUsPerOp.toFixed(1)} µs/op${missing}`
}

export function summaryText(res: BenchResult): string {
  const out: string[] = []
  const c = res.config
  out.push(`workload ${String(c.workload)}, ${c.rate ? `open loop at ${String(c.rate)} ops/s` : 'closed loop'}, concurrency ${String(c.concurrency)}, keys ${String(c.keys)}, ${String(c.records)} records, seed ${String(c.seed)}`)
  out.push(`machine: ${res.machine.cores} cores, ${res.machine.memoryGiB} GiB, Node ${res.machine.node}, load ${res.machine.loadAverage}, ${res.date}`)
  for (const r of res.runs) {
    out.push('')
    const load = r.load ? `; loaded ${int(r.load.stored)} in ${r.load.seconds.toFixed(1)} s = ${int(r.load.recordsPerSec)}/s` : ''
    out.push(`${r.target}: ${r.description} — ${r.seconds.toFixed(1)} s measured${load}${r.abandoned ? `; ${r.abandoned} operations unanswered at the end` : ''}`)
    out.push(runTable(r))
    if (r.cpu) out.push(cpuLine(r.cpu))
  }
  if (res.skipped.length || Object.keys(res.ratios).length) out.push('')
  for (const s of res.skipped) out.push(`baseline ${s.baseline} skipped: ${s.reason}`)
  for (const [b, ratio] of Object.entries(res.ratios)) out.push(`spinekv ÷ ${b}: ${ratio.toFixed(3)} (ops/s)`)
  return out.join('\n')
}
