/**
 * A search across the cluster: a coverage plan (core/coverage.ts) over the nodes the failure
 * detector holds up, one request per node listing its vnodes, each node's matches scored again
 * here into one ranking. Every node returns at most maxResults + 1 matches, so more than the cap
 * anywhere is TOO_MANY_MATCHES, never a silent truncation.
 */
import { SpineError, toSpineError } from '../shared/errors.js'
import { coveragePlan, type CoverageEntry } from '../core/coverage.js'
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

function byNode(plan: readonly CoverageEntry[]): Map<string, LocalPlanEntry[]> {
  const out = new Map<string, LocalPlanEntry[]>()
  for (const e of plan) out.set(e.node, [...(out.get(e.node) ?? []), { vnode: e.vnode, partitions: e.partitions }])
  return out
}

/** Failures that say the node, not the search, is the problem: plan again without it. */
const NODE_FAILURES: ReadonlySet<string> = new Set(['UNREACHABLE', 'CONNECTION_CLOSED', 'TIMEOUT', 'SHUTTING_DOWN'])

/**
 * Ask every node of a coverage plan. A node that cannot be reached (its failure detector has not
 * yet told this one it is down) is left out and the whole plan is made again from the other
 * replicas, at most once per member, so a search keeps working through the detection window.
 */
async function askAll(env: KvEnv, params: WireParams, local: (plan: LocalPlanEntry[]) => Promise<LocalSearchResult>): Promise<{ nodes: number; replies: WireSearchReply[] }> {
  const n = env.props.get(PATIENT_TYPE, PATIENT_BUCKET).n
  const failed = new Set<string>()
  for (;;) {
    const nodes = byNode(coveragePlan(env.ring(), n, (node) => env.isUp(node) && !failed.has(node), env.self))
    const outcomes = await Promise.allSettled(
      [...nodes].map(async ([node, plan]): Promise<WireSearchReply> => {
        if (node === env.self) return encodeLocalResult(await local(plan))
        return (await env.transport.request(node, { op: 'psearch', params, plan }, PATIENT_LIMITS.searchTimeoutMs)) as WireSearchReply
      }),
    )
    const names = [...nodes.keys()]
    let retry = false
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'fulfilled') continue
      const err = toSpineError(o.reason)
      const node = names[i]!
      if (!NODE_FAILURES.has(err.code) || node === env.self || failed.size + 1 >= env.ring().members.length) {
        throw new SpineError(err.code, `search on ${node}: ${err.message}`, { ...err.data, node })
      }
      failed.add(node)
      retry = true
    }
    if (!retry) return { nodes: nodes.size, replies: outcomes.map((o) => (o as PromiseFulfilledResult<WireSearchReply>).value) }
  }
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
