/** How a run is told: one line per failure, a seed's shape on replay, and the summary line. */
import type { Failure } from './checkers.js'
import { formatOp, type Op } from './history.js'
import type { SeedResult } from './runSeed.js'

/** Operations named by the failure first, then the last few on its keys. */
const NAMED_OPS = 6
const RECENT_OPS = 6

export function shortHistory(r: SeedResult, f: Failure): Op[] {
  const onKeys = r.history.onKeys(f.keys)
  const named = r.history.ops.filter((o) => f.ops.slice(0, NAMED_OPS).includes(o.id))
  const picked = new Map([...named, ...onKeys.slice(-RECENT_OPS)].map((o) => [o.id, o]))
  return [...picked.values()].sort((a, b) => a.id - b.id)
}

/** The command-line options that replay this run exactly. */
export function replayArgs(r: SeedResult): string {
  const o = r.options
  const extra = [o.plant ? `--plant ${o.plant}` : '', o.powerLoss ? '--power-loss' : '', o.skipReplica ? '--skip-replica' : '', `--delete-mode ${o.deleteMode ?? 'reap'}`]
  return [`--seed ${r.seed} --faults ${o.faults} --ops ${o.ops}`, ...extra].filter((x) => x !== '').join(' ')
}

/** One line for a failing seed: its first failure in full, the others by checker and keys. */
export function failureLine(r: SeedResult): string {
  const [f, ...more] = r.failures
  if (!f) return `ok seed=${r.seed}`
  const keys = f.keys.length > 0 ? f.keys.join(',') : '-'
  const ops = shortHistory(r, f).map((o) => formatOp(o)).join('; ')
  const also = more.length === 0 ? '' : ` :: also ${more.map((m) => `${m.checker}(${m.keys.join(',') || '-'})`).join(' ')}`
  return `FAIL seed=${r.seed} checker=${f.checker} keys=${keys} :: ${f.detail} :: history: ${ops || '(none)'}${also} :: replay: ${replayArgs(r)}`
}

/** Every failure of a seed with the full history of its keys, for --verbose. */
export function failureDetail(r: SeedResult): string[] {
  return r.failures.flatMap((f) => [`  ${f.checker} keys=${f.keys.join(',') || '-'}: ${f.detail}`, ...fullHistory(r, f.keys)])
}

export function seedLine(r: SeedResult): string {
  const count = (o: string): number => r.history.ops.filter((op) => op.outcome === o).length
  const p = r.params
  return (
    `seed ${r.seed}: ${p.nodes.length} nodes, Q=${p.q}, N=${p.n}, ${p.workload.clients} clients, ` +
    `${r.ops} ops (ok ${count('ok')}, failed ${count('failed')}, unknown ${count('unknown')}), ` +
    `${r.faults} faults, ${r.messages} messages (${r.dropped} lost), ${r.events} events, simulated ${(r.simulatedMs / 1000).toFixed(1)} s, history ${r.hash}`
  )
}

/** Every operation on the keys, interleaved with the nemesis's actions, for --verbose. */
export function fullHistory(r: SeedResult, keys: readonly string[]): string[] {
  const ops = r.history.onKeys(keys).map((o) => ({ at: o.startMs, line: `    ${formatOp(o, Infinity)}` }))
  const faults = r.history.faults.map((f) => ({ at: f.atMs, line: `    -- ${(f.atMs / 1000).toFixed(3)}s ${f.what}` }))
  return [...ops, ...faults].sort((a, b) => a.at - b.at).map((x) => x.line)
}

export function summaryLine(seeds: number, failed: number, ops: number, simulatedMs: number, wallMs: number): string {
  return `sim: ${seeds} seeds, ${failed} failed, ops ${ops}, simulated ${(simulatedMs / 1000).toFixed(1)} s, wall ${(wallMs / 1000).toFixed(1)} s`
}
