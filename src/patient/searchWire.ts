/**
 * What a search's share looks like between nodes: the plan entry a node is asked to scan, its local
 * result, and that result as it travels. Both sides of the wire (the node scanning its index and the
 * coordinator gathering shares) depend on this module, and neither on the other.
 */
import type { PatientError, Result } from './errors.js'
import type { Patient } from './record.js'
import type { ScoredPatient } from './score.js'

export interface LocalPlanEntry {
  readonly vnode: number
  readonly partitions: readonly number[]
}

export interface LocalSearchResult {
  /** Matches best first, or TOO_MANY_MATCHES (more than the query's maxResults on this node alone). */
  readonly result: Result<ScoredPatient[]>
  /** Index entries read and records scored: what the search cost here. */
  readonly entries: number
  readonly candidates: number
}

/** The query as sent to each node: the parameters as given, parsed again there. */
export type WireParams = Record<string, string[]>

/** One node's answer as it travels. */
export interface WireSearchReply {
  readonly errors?: PatientError[]
  /** The record (as read and merged on that node) and its score against the query. */
  readonly matches?: { readonly p: Patient; readonly s: number }[]
  readonly entries: number
  readonly candidates: number
}

export function encodeLocalResult(r: LocalSearchResult): WireSearchReply {
  if (!r.result.ok) return { errors: [...r.result.errors], entries: r.entries, candidates: r.candidates }
  return { matches: r.result.value.map((m) => ({ p: m.patient, s: m.score })), entries: r.entries, candidates: r.candidates }
}

