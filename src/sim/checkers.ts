/**
 * The verdict on one run. Safety: nothing acknowledged is lost, nothing is invented, nothing
 * superseded comes back, sibling counts stay within the limit, and every dot in the store was
 * minted once by its own vnode. Liveness: once healed and after bounded time for anti-entropy,
 * every primary of every key holds the same bytes before anything reads the key (no read repair
 * helps), and then a key read with R=all through every node reads fine.
 */
import { LIMITS } from '../config.js'
import { encodeBKey } from '../core/hash.js'
import { covered, type KvObject } from '../core/object.js'
import type { DotLedger } from './dots.js'
import type { FinalKey, StoredObject } from './finalState.js'
import type { History, Op } from './history.js'
import { elementsOf, valuesOf } from './workload.js'

export interface Failure {
  checker: string
  keys: string[]
  detail: string
  /** Operations that show the problem, for the printed history. */
  ops: number[]
}

export interface Evidence {
  history: History
  final: FinalKey[]
  stored: StoredObject[]
  ledger: DotLedger
  /** encoded-key hex → key name */
  keyNames: ReadonlyMap<string, string>
  /** INTERNAL errors from node handlers, unhandled rejections, simulator faults. */
  errors: string[]
  /** owners[p]: the node that owns partition p (a copy anywhere else is a hint not yet home). */
  owners?: readonly string[]
}

const isSetKey = (name: string): boolean => name.startsWith('sets/')
const wrote = (op: Op): boolean => op.kind !== 'get' && op.outcome !== 'failed'

function list(xs: readonly string[], max = 8): string {
  return xs.length <= max ? xs.join(',') : `${xs.slice(0, max).join(',')},… (${xs.length})`
}

/** Every acknowledged add is in every node's final read of its set. */
function lostElements(ev: Evidence, fk: FinalKey): Failure[] {
  const acked = ev.history.onKeys([fk.name]).filter((o) => o.kind === 'add' && o.outcome === 'ok')
  const out: Failure[] = []
  for (const read of fk.reads) {
    if (!read.obj && read.error) continue
    const present = new Set(elementsOf(read.obj))
    const lost = acked.filter((o) => !present.has(o.value!))
    if (lost.length === 0) continue
    out.push({ checker: 'safety:lost-element', keys: [fk.name], detail: `acknowledged ${list(lost.map((o) => o.value!))} missing from the R=all read via ${read.node}`, ops: lost.map((o) => o.id) })
    break
  }
  return out
}

/**
 * An acknowledged register write may be gone from the final read only if a write that was
 * (maybe) applied had read it: a context covers a dot only if its read saw the sibling or a
 * write that superseded it did. Judged by values, not dots, so a reused dot cannot excuse a loss.
 */
function lostWrites(ev: Evidence, fk: FinalKey): Failure[] {
  const ops = ev.history.onKeys([fk.name])
  const read = fk.reads.find((r) => r.obj !== undefined || !r.error)
  if (!read) return []
  const present = new Set(valuesOf(read.obj))
  const superseded = new Set(ops.filter((w) => wrote(w) && w.context && w.context.length > 0).flatMap((w) => w.seen ?? []))
  const lost = ops.filter((p) => p.kind === 'put' && p.outcome === 'ok' && !present.has(p.value!) && !superseded.has(p.value!))
  if (lost.length === 0) return []
  return [{ checker: 'safety:lost-write', keys: [fk.name], detail: `acknowledged ${list(lost.map((o) => o.value!))} missing via ${read.node}, and no write read them`, ops: lost.map((o) => o.id) }]
}

/**
 * A sibling an acknowledged write superseded (its context covered the dot) must not come back.
 * A dot minted twice is reported on its own (dot-reissued) and says nothing here.
 */
function resurrections(ev: Evidence, fk: FinalKey): Failure[] {
  const acked = ev.history.onKeys([fk.name]).filter((o) => o.kind !== 'get' && o.outcome === 'ok' && o.context)
  const hex = encodeBKey(fk.bk).toString('hex')
  for (const read of fk.reads) {
    for (const s of read.obj?.siblings ?? []) {
      if (ev.ledger.wasReissued(hex, s.dot.actor, s.dot.counter)) continue
      const by = acked.find((w) => covered(s.dot, w.context!))
      if (by) {
        const what = s.deleted ? 'tombstone' : Buffer.from(s.value).toString('utf8')
        return [{ checker: 'safety:resurrected', keys: [fk.name], detail: `${what} (dot ${s.dot.actor}:${s.dot.counter}) superseded by #${by.id} is back via ${read.node}`, ops: [by.id] }]
      }
    }
  }
  return []
}

/** Every value anyone read was written by an operation that may have happened. */
function phantoms(ev: Evidence, fk: FinalKey): Failure[] {
  const ops = ev.history.onKeys([fk.name])
  const written = new Set(ops.filter(wrote).map((o) => o.value))
  const seen = new Set<string>()
  for (const o of ops) for (const v of o.seen ?? []) seen.add(v)
  for (const r of fk.reads) for (const v of isSetKey(fk.name) ? elementsOf(r.obj) : valuesOf(r.obj)) seen.add(v)
  const invented = [...seen].filter((v) => !written.has(v)).sort()
  if (invented.length === 0) return []
  return [{ checker: 'safety:phantom', keys: [fk.name], detail: `read ${list(invented)}, which no applied write wrote`, ops: [] }]
}

function siblingLimit(ev: Evidence): Failure[] {
  const over = ev.stored.filter((s) => s.obj.siblings.length > LIMITS.maxSiblings)
  if (over.length === 0) return []
  const keys = [...new Set(over.map((s) => ev.keyNames.get(s.key) ?? s.key))]
  return [{ checker: 'safety:sibling-limit', keys, detail: `${over.length} stored copies hold more than ${LIMITS.maxSiblings} siblings (max ${Math.max(...over.map((s) => s.obj.siblings.length))})`, ops: [] }]
}

/** Dots and clock entries in the store must come from the ledger of minted dots. */
function dotProvenance(ev: Evidence): Failure[] {
  const out: Failure[] = []
  const name = (hex: string): string => ev.keyNames.get(hex) ?? hex
  for (const r of ev.ledger.reissued) {
    out.push({ checker: 'safety:dot-reissued', keys: [name(r.key)], detail: `vnode ${r.actor} minted dot ${r.counter} twice`, ops: [] })
  }
  for (const s of ev.stored) {
    const bad = badDots(ev.ledger, s.key, s.obj)
    if (bad) out.push({ checker: 'safety:dot-provenance', keys: [name(s.key)], detail: `${s.node}/${s.partition} holds ${bad}`, ops: [] })
  }
  return out.slice(0, 3)
}

function badDots(ledger: DotLedger, key: string, obj: KvObject): string | undefined {
  for (const s of obj.siblings) {
    if (!ledger.wasMinted(key, s.dot.actor, s.dot.counter)) return `sibling dot ${s.dot.actor}:${s.dot.counter} that was never minted`
  }
  for (const e of obj.clock) {
    if (e.counter > ledger.highestMinted(key, e.actor)) return `clock entry ${e.actor}:${e.counter} beyond any minted dot`
  }
  return undefined
}

/** Once faults heal, every fallback hands its hints home and ends empty. */
function hintsHome(ev: Evidence): Failure[] {
  const owners = ev.owners
  if (!owners) return []
  const left = ev.stored.filter((s) => owners[s.partition] !== s.node)
  if (left.length === 0) return []
  const keys = [...new Set(left.map((s) => ev.keyNames.get(s.key) ?? s.key))]
  const where = [...new Set(left.map((s) => `${s.node}/${s.partition}`))]
  return [{ checker: 'liveness:hints-left', keys, detail: `${left.length} hinted object(s) still on fallbacks after healing: ${list(where, 5)}`, ops: [] }]
}

function runErrors(ev: Evidence): Failure[] {
  const hung = ev.history.ops.filter((o) => o.error === 'HANG' || o.error?.startsWith('EXCEPTION'))
  const out: Failure[] = []
  if (hung.length > 0) {
    out.push({ checker: 'liveness:hung-or-threw', keys: [...new Set(hung.map((o) => o.key))], detail: `${hung.length} operation(s) hung past their timeout or threw`, ops: hung.map((o) => o.id) })
  }
  if (ev.errors.length > 0) out.push({ checker: 'safety:internal-error', keys: [], detail: list(ev.errors, 3), ops: [] })
  return out
}

function finalReadsOk(fk: FinalKey): Failure[] {
  const failed = fk.reads.filter((r) => r.error)
  if (failed.length === 0) return []
  return [{ checker: 'liveness:final-read', keys: [fk.name], detail: `R=all read after healing failed via ${failed.map((r) => `${r.node} (${r.error})`).join(', ')}`, ops: [] }]
}

function converged(fk: FinalKey): Failure[] {
  const copies = new Set(fk.replicas.map((r) => r.bytes ?? 'absent'))
  if (copies.size <= 1) return []
  const desc = fk.replicas.map((r) => `${r.node}/${r.partition}:${r.bytes === undefined ? 'absent' : r.bytes.slice(-12)}`)
  return [{ checker: 'liveness:not-converged', keys: [fk.name], detail: `replicas differ after healing and anti-entropy, before any final read: ${desc.join(' ')}`, ops: [] }]
}

export function checkRun(ev: Evidence): Failure[] {
  const perKey = ev.final.flatMap((fk) => [
    ...(isSetKey(fk.name) ? lostElements(ev, fk) : lostWrites(ev, fk)),
    ...resurrections(ev, fk),
    ...phantoms(ev, fk),
    ...finalReadsOk(fk),
    ...converged(fk),
  ])
  return [...perKey, ...siblingLimit(ev), ...dotProvenance(ev), ...hintsHome(ev), ...runErrors(ev)]
}
