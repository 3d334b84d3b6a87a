/**
 * What the cluster benchmarks share: running the spinekv CLI (to start, change and stop a
 * throwaway dev cluster), free ports for it, a wall clock comparable with the nodes', and the
 * latency summary of a window of recorded operations.
 */
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
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

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer()
    s.once('error', () => res(false))
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)))
  })
}

/** A base port whose node ports (base+10i .. base+10i+2, i = 1..nodes) are all free right now. */
export async function freeBasePort(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 100 * Math.floor(Math.random() * 400)
    const ports = Array.from({ length: nodes }, (_, k) => [0, 1, 2].map((d) => base + 10 * (k + 1) + d)).flat()
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base
  }
  throw new Error('no free port range found')
}

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
