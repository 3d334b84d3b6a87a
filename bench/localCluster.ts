/**
 * What the cluster benchmarks share: running the spinekv CLI (to start, change and stop a
 * throwaway dev cluster), free ports for it, a wall clock comparable with the nodes', the
 * latency summary of a window of recorded operations, reading the nodes' logs, options, and
 * printing the report.
 */
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as hdr from 'hdr-histogram-js'

const CLI = resolve(fileURLToPath(new URL('.', import.meta.url)), '../src/cli/main.js')
const execFileP = promisify(execFile)

/** Epoch milliseconds with sub-millisecond resolution (comparable with the nodes' Date.now()). */
export const now = (): number => performance.timeOrigin + performance.now()
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
export const log = (msg: string): void => void process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${msg}\n`)

/** Run `spinekv ARGS`; its stdout, or an error carrying its stderr. */
export async function cli(cliArgs: string[], timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await execFileP(process.execPath, [CLI, ...cliArgs], { timeout: timeoutMs })
    return stdout
  } catch (e) {
    const err = e as { code?: number; stderr?: string; message: string }
    throw new Error(`spinekv ${cliArgs.join(' ')} failed (${err.code ?? '?'}): ${(err.stderr ?? err.message).trim()}`)
  }
}

/** Free ports for a throwaway cluster: the same choice the tests make (below the ephemeral range). */
export { freeBasePort } from '../src/cli/freePorts.js'

export function errCode(e: unknown): string {
  const c = (e as { code?: unknown })?.code
  return typeof c === 'string' ? c : (e as Error)?.message?.slice(0, 60) ?? String(e)
}

export function bump(m: Map<string, number>, k: string, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by)
}

export interface Latency {
  ops: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

/** Percentiles (HDR histogram) of the operations that completed at times in [from, to). */
export function latency(at: readonly number[], latUs: readonly number[], from: number, to: number): Latency {
  const hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 })
  let ops = 0
  for (let i = 0; i < at.length; i++) {
    const t = at[i]!
    if (t >= from && t < to) {
      hist.recordValue(Math.min(120_000_000, latUs[i]!))
      ops++
    }
  }
  const out = {
    ops,
    p50Ms: ops ? hist.getValueAtPercentile(50) / 1000 : NaN,
    p99Ms: ops ? hist.getValueAtPercentile(99) / 1000 : NaN,
    maxMs: ops ? hist.maxValue / 1000 : NaN,
  }
  hist.destroy()
  return out
}

/** A command-line option that must be a non-negative integer. */
export function nonNegativeInt(name: string, value: unknown): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer (got ${String(value)})`)
  return n
}

/** A figure with d decimals, or '-' when there is none. */
export const fmt = (n: number | null | undefined, d = 1): string => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d))

/** The report: one aligned `name  value` line per row, then the machine-readable result as one JSON line. */
export function printReport(rows: ReadonlyArray<readonly [string, string]>, result: unknown): void {
  const w = Math.max(...rows.map(([k]) => k.length))
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n')
  process.stdout.write(JSON.stringify(result) + '\n')
}

/** Run a benchmark's main and exit: 0, or 1 with the stack on stderr. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${name} bench failed: ${(e as Error)?.stack ?? String(e)}\n`)
      process.exit(1)
    },
  )
}

/** One line of a node's log: its node, the raw line, and the pino record (undefined if not JSON). */
export interface NodeLogLine {
  node: string
  line: string
  rec: { level?: number; msg?: string; time?: number; items?: number; err?: string; kind?: string } | undefined
}

/** Every non-empty line of every node log (`<node>.log`) in a dev cluster's directory. */
export function* nodeLogLines(dir: string): Generator<NodeLogLine> {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    const node = f.replace(/\.log$/, '')
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue
      let rec: NodeLogLine['rec']
      try {
        rec = JSON.parse(line) as NodeLogLine['rec']
      } catch {
        rec = undefined
      }
      yield { node, line, rec }
    }
  }
}

/** On the first SIGINT or SIGTERM: say so, run cleanup (stop the cluster), exit 130. */
export function cleanupOnSignal(cleanup: () => Promise<void>): void {
  let signalled = false
  const onSignal = (sig: string): void => {
    if (signalled) return
    signalled = true
    log(`${sig}: stopping the cluster`)
    void cleanup().finally(() => process.exit(130))
  }
  process.on('SIGINT', () => onSignal('SIGINT'))
  process.on('SIGTERM', () => onSignal('SIGTERM'))
}

/** The machine a figure was measured on, as every report states it. */
export function machineInfo(): { cpus: number; memGB: number; node: string; date: string; loadAvgStart: number[] } {
  return {
    cpus: os.cpus().length,
    memGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    date: new Date().toISOString(),
    loadAvgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  }
}
