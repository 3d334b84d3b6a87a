/**
 * The checker of a fault run: pure functions over the history, the faults and the run's frame.
 *   lost        acknowledged adds missing from the final sets (with siblings merged as a union,
 *               this must be 0: an acknowledged write is never lost)
 *   stale       plain reads that miss an element whose add was acknowledged before the read began
 *               (allowed under sloppy quorum, counted so it can be watched)
 *   windows     spans of at least gapMs with no successful operation anywhere
 *   recoveries  per fault, from its heal to the first success on each node
 */
import { decodeSet } from './elements.js'
import type { FaultKind, FaultRecord, Op, OpResult, OpType } from './history.js'

export interface CheckInput {
  ops: readonly Op[]
  faults: readonly FaultRecord[]
  /** The workload's span and what it ran against. */
  start: number
  end: number
  nodes: readonly string[]
  keys: readonly string[]
  gapMs: number
}

export interface LostWrite { key: string; value: string; node: string; acknowledgedAt: number }
export interface StaleRead { id: string; key: string; node: string; invoke: number; missing: number; example: string; during: string | null }
export interface Window { start: number; end: number; ms: number; during: string[] }
export interface Recovery { fault: string; kind: FaultKind; healedAt: number; perNode: Record<string, number | null>; allNodesMs: number | null; firstAnyMs: number | null }

export type Counts = Record<OpResult, number>

export interface Verdict {
  valid: boolean
  ops: { total: number; byType: Record<OpType, Counts> }
  acknowledgedAdds: number
  lost: { count: number; samples: LostWrite[] }
  /** Adds that failed or timed out whose element is in the final set anyway (allowed: the write landed). */
  unacknowledgedPresent: number
  unacknowledgedAbsent: number
  /** Keys no final read succeeded on: nothing can be said about them, so the run is not valid. */
  keysUnchecked: string[]
  /** Every node's final read of every key saw the same set. */
  finalConverged: boolean
  finalElements: number
  stale: { count: number; ofReads: number; missingElements: number; samples: StaleRead[] }
  unavailability: { windows: Window[]; longestMs: number; totalMs: number }
  perNodeLongestGapMs: Record<string, number>
  recoveries: Recovery[]
  faultsByKind: Record<FaultKind, number>
}

const SAMPLES = 20

export function check(input: CheckInput): Verdict {
  const finals = finalSets(input)
  const lost = lostWrites(input.ops, finals.sets)
  const keysUnchecked = input.keys.filter((k) => !finals.sets.has(k))
  return {
    valid: lost.count === 0 && keysUnchecked.length === 0,
    ops: { total: input.ops.length, byType: countByType(input.ops) },
    acknowledgedAdds: input.ops.filter((o) => o.type === 'add' && o.result === 'ok').length,
    lost,
    ...unacknowledged(input.ops, finals.sets),
    keysUnchecked,
    finalConverged: finals.converged,
    finalElements: [...finals.sets.values()].reduce((n, s) => n + s.size, 0),
    stale: staleReads(input.ops, input.faults),
    unavailability: windowsOf(input),
    perNodeLongestGapMs: Object.fromEntries(input.nodes.map((n) => [n, longestGap(successTimes(input.ops, n), input.start, input.end)])),
    recoveries: recoveries(input),
    faultsByKind: faultsByKind(input.faults),
  }
}

function countByType(ops: readonly Op[]): Record<OpType, Counts> {
  const zero = (): Counts => ({ ok: 0, fail: 0, timeout: 0 })
  const out: Record<OpType, Counts> = { add: zero(), read: zero(), final: zero() }
  for (const o of ops) out[o.type][o.result]++
  return out
}

/** Per key, the union of every ok final read; converged when each node's read saw the same set. */
function finalSets(input: CheckInput): { sets: Map<string, Set<string>>; converged: boolean } {
  const sets = new Map<string, Set<string>>()
  const signatures = new Map<string, Set<string>>()
  for (const o of input.ops) {
    if (o.type !== 'final' || o.result !== 'ok') continue
    const seen = decodeSet(o.elements)
    const union = sets.get(o.key) ?? new Set<string>()
    for (const e of seen) union.add(e)
    sets.set(o.key, union)
    const sig = signatures.get(o.key) ?? new Set<string>()
    sig.add([...seen].sort().join(','))
    signatures.set(o.key, sig)
  }
  const converged = input.keys.every((k) => (signatures.get(k)?.size ?? 0) === 1)
  return { sets, converged }
}

function lostWrites(ops: readonly Op[], finals: Map<string, Set<string>>): Verdict['lost'] {
  const lost: LostWrite[] = []
  for (const o of ops) {
    if (o.type !== 'add' || o.result !== 'ok' || o.value === undefined) continue
    const final = finals.get(o.key)
    // A key with no final read is reported as unchecked, not as every add on it lost.
    if (final && !final.has(o.value)) lost.push({ key: o.key, value: o.value, node: o.node, acknowledgedAt: o.complete })
  }
  return { count: lost.length, samples: lost.slice(0, SAMPLES) }
}

function unacknowledged(ops: readonly Op[], finals: Map<string, Set<string>>): { unacknowledgedPresent: number; unacknowledgedAbsent: number } {
  let present = 0
  let absent = 0
  for (const o of ops) {
    if (o.type !== 'add' || o.result === 'ok' || o.value === undefined) continue
    if (finals.get(o.key)?.has(o.value)) present++
    else absent++
  }
  return { unacknowledgedPresent: present, unacknowledgedAbsent: absent }
}

function staleReads(ops: readonly Op[], faults: readonly FaultRecord[]): Verdict['stale'] {
  const acks = new Map<string, Op[]>()
  for (const o of ops) {
    if (o.type !== 'add' || o.result !== 'ok') continue
    const list = acks.get(o.key) ?? []
    list.push(o)
    acks.set(o.key, list)
  }
  for (const list of acks.values()) list.sort((a, b) => a.complete - b.complete)
  const samples: StaleRead[] = []
  let count = 0
  let ofReads = 0
  let missingElements = 0
  for (const r of ops) {
    if (r.type !== 'read' || r.result !== 'ok') continue
    ofReads++
    const seen = decodeSet(r.elements)
    const before = acks.get(r.key) ?? []
    let missing = 0
    let example = ''
    for (const a of before) {
      if (a.complete >= r.invoke) break
      if (!seen.has(a.value!)) {
        missing++
        example ||= a.value!
      }
    }
    if (missing === 0) continue
    count++
    missingElements += missing
    if (samples.length < SAMPLES) samples.push({ id: r.id, key: r.key, node: r.node, invoke: r.invoke, missing, example, during: faultAt(faults, r.invoke)?.what ?? null })
  }
  return { count, ofReads, missingElements, samples }
}

function faultAt(faults: readonly FaultRecord[], t: number): FaultRecord | undefined {
  return faults.find((f) => f.start <= t && t <= f.end)
}

/** Completion times of successful workload operations (final reads excluded), on one node or all, sorted. */
function successTimes(ops: readonly Op[], node?: string): number[] {
  return ops
    .filter((o) => o.type !== 'final' && o.result === 'ok' && (node === undefined || o.node === node))
    .map((o) => o.complete)
    .sort((a, b) => a - b)
}

function gaps(times: readonly number[], start: number, end: number): Array<[number, number]> {
  const points = [start, ...times.filter((t) => t >= start && t <= end), end]
  const out: Array<[number, number]> = []
  for (let i = 1; i < points.length; i++) out.push([points[i - 1]!, points[i]!])
  return out
}

function longestGap(times: readonly number[], start: number, end: number): number {
  return Math.max(0, ...gaps(times, start, end).map(([a, b]) => b - a))
}

function windowsOf(input: CheckInput): Verdict['unavailability'] {
  const windows = gaps(successTimes(input.ops), input.start, input.end)
    .filter(([a, b]) => b - a >= input.gapMs)
    .map(([a, b]) => ({ start: a, end: b, ms: b - a, during: input.faults.filter((f) => f.start <= b && f.end >= a).map((f) => f.what) }))
  return { windows, longestMs: Math.max(0, ...windows.map((w) => w.ms)), totalMs: windows.reduce((n, w) => n + w.ms, 0) }
}

/**
 * From each heal to the first operation on each node that was sent after it and succeeded. A
 * node that does not succeed before the next fault begins (or the run ends) is null: it did not
 * recover in the time it was given.
 */
function recoveries(input: CheckInput): Recovery[] {
  const sorted = [...input.faults].sort((a, b) => a.start - b.start)
  return sorted.map((f, i) => {
    const limit = sorted[i + 1]?.start ?? input.end
    const perNode: Record<string, number | null> = {}
    for (const n of input.nodes) {
      const first = input.ops
        .filter((o) => o.node === n && o.type !== 'final' && o.result === 'ok' && o.invoke >= f.end && o.complete <= limit)
        .reduce((m, o) => Math.min(m, o.complete), Infinity)
      perNode[n] = first === Infinity ? null : first - f.end
    }
    const values = Object.values(perNode)
    const known = values.filter((v): v is number => v !== null)
    return {
      fault: f.what,
      kind: f.kind,
      healedAt: f.end,
      perNode,
      allNodesMs: known.length === values.length && known.length > 0 ? Math.max(...known) : null,
      firstAnyMs: known.length ? Math.min(...known) : null,
    }
  })
}

function faultsByKind(faults: readonly FaultRecord[]): Record<FaultKind, number> {
  const out: Record<FaultKind, number> = { kill: 0, partition: 0, split: 0, cut: 0, loss: 0 }
  for (const f of faults) out[f.kind]++
  return out
}
