/**
 * A search across the cluster: a coverage plan (core/coverage.ts) over the nodes the failure
 * detector holds up, one request per node listing its vnodes, each node's matches scored again
 * here into one ranking. Every node returns at most maxResults + 1 matches, so more than the cap
 * anywhere is TOO_MANY_MATCHES, never a silent truncation.
 */
import { askCoverage } from '../kv/coverageRound.js'
import type { KvEnv } from '../kv/env.js'
import { PATIENT_LIMITS } from './limits.js'
import { encodeLocalResult, type LocalPlanEntry, type LocalSearchResult, type WireParams, type WireSearchReply } from './searchWire.js'
import type { Patient } from './record.js'
import { MatchCollector, type ScoredPatient } from './score.js'
import type { PatientSearchQuery } from './searchQuery.js'
import { PATIENT_BUCKET, PATIENT_TYPE } from './storeIndex.js'
import type { PatientError, Result } from './errors.js'

export interface SearchOutcome {
  readonly result: Result<ScoredPatient[]>
  /** Nodes asked, index entries read and records scored, across the cluster. */
  readonly nodes: number
  readonly entries: number
  readonly candidates: number
}


/** Every node of a coverage plan, asked for its share (a search keeps working through the detection window: askCoverage). */
function askAll(env: KvEnv, params: WireParams, local: (plan: LocalPlanEntry[]) => Promise<LocalSearchResult>): Promise<{ nodes: number; replies: WireSearchReply[] }> {
  return askCoverage(env, {
    n: env.props.get(PATIENT_TYPE, PATIENT_BUCKET).n,
    what: 'search',
    ask: async (node, plan): Promise<WireSearchReply> => {
      if (node === env.self) return encodeLocalResult(await local(plan))
      return (await env.transport.request(node, { op: 'psearch', params, plan }, PATIENT_LIMITS.searchTimeoutMs)) as WireSearchReply
    },
  })
}

export async function coordinateSearch(
  env: KvEnv,
  query: PatientSearchQuery,
  params: WireParams,
  local: (plan: LocalPlanEntry[]) => Promise<LocalSearchResult>,
): Promise<SearchOutcome> {
  const { nodes, replies } = await askAll(env, params, local)
  const collector = new MatchCollector(query)
  let failed: Result<ScoredPatient[]> | undefined
  for (const reply of replies) {
    const [first, ...rest] = reply.errors ?? []
    if (first) failed ??= { ok: false, errors: [first, ...rest] }
    for (const m of reply.matches ?? []) collector.offerScored(m.p, m.s)
  }
  const sum = (f: (r: WireSearchReply) => number): number => replies.reduce((a, r) => a + f(r), 0)
  return { result: failed ?? collector.result(), nodes, entries: sum((r) => r.entries), candidates: sum((r) => r.candidates) }
}
