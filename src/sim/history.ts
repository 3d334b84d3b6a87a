/**
 * What the clients did and what they were told, Jepsen style: one record per operation with its
 * outcome. `ok` means acknowledged; `failed` means it certainly did not happen; `unknown` means it
 * may have (a timeout, a quorum shortfall after the coordinator stored it, a crash mid-request).
 * The checkers judge the store against this record, and its hash proves a replay is exact.
 */
import { createHash } from 'node:crypto'
import type { Dot } from '../core/object.js'
import type { VClock } from '../core/vclock.js'

export type OpKind = 'add' | 'put' | 'get' | 'delete'
export type Outcome = 'ok' | 'failed' | 'unknown'

export interface Op {
  id: number
  client: number
  /** The node the client sent the operation to. */
  node: string
  kind: OpKind
  key: string
  /** The element added (add) or the value written (put). */
  value?: string
  startMs: number
  endMs?: number
  outcome?: Outcome
  error?: string
  /** Values the operation read: a get's answer, or the read half of a read-modify-write. */
  seen?: string[]
  /** The causal context the write carried. */
  context?: VClock
  /** The dot an acknowledged write was given. */
  dot?: Dot
}

export class History {
  readonly ops: Op[] = []
  /** Nemesis actions, interleaved by time with the operations when a failure is printed. */
  readonly faults: Array<{ atMs: number; what: string }> = []

  begin(op: Omit<Op, 'id'>): Op {
    const rec: Op = { id: this.ops.length + 1, ...op }
    this.ops.push(rec)
    return rec
  }

  fault(atMs: number, what: string): void {
    this.faults.push({ atMs, what })
  }

  onKeys(keys: readonly string[]): Op[] {
    return this.ops.filter((o) => keys.includes(o.key))
  }

  /** Same seed, same hash: every operation, outcome, dot and fault, in order. */
  hash(): string {
    return createHash('sha256').update(JSON.stringify({ ops: this.ops, faults: this.faults })).digest('hex').slice(0, 16)
  }
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? '?' : (ms / 1000).toFixed(3)
}

/** One operation on one line; of what it read, only the last few values (sets grow long). */
export function formatOp(op: Op, maxSeen = 4): string {
  const what = op.value === undefined ? '' : ` ${op.value}`
  const seen = op.seen === undefined ? '' : ` saw[${op.seen.length > maxSeen ? `${op.seen.length}: …,` : ''}${op.seen.slice(-maxSeen).join(',')}]`
  const err = op.error === undefined ? '' : ` ${op.error}`
  return `#${op.id} c${op.client}@${op.node} ${op.kind} ${op.key}${what} ${op.outcome ?? 'pending'}${err}${seen} ${fmtMs(op.startMs)}-${fmtMs(op.endMs)}s`
}
