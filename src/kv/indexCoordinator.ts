/**
 * A 2i query across the cluster (Riak's riak_kv_index_fsm): a coverage plan for the bucket's N over
 * the nodes the failure detector holds up, one `v2i` request per node naming its vnodes and the
 * hash partitions each answers for, and the nodes' sorted shares merged into one page
 * (indexQuery.ts mergeShares). Each key is read from one replica, as in Riak: an index query is a
 * coverage read, not a quorum read. A node that cannot be reached (the detector has not yet marked
 * it down) is left out and the plan made again from the other replicas, once per member.
 */
import { coveragePlan, type CoverageEntry } from '../core/coverage.js'
import { SpineError, toSpineError } from '../shared/errors.js'
import type { KvEnv } from './env.js'
import { mergeShares, queryToWire, shareLimit, type IndexPage, type IndexQuery, type Position } from './indexQuery.js'
import { checkTimeout } from './request.js'

function byNode(plan: readonly CoverageEntry[]): Map<string, Array<{ vnode: number; partitions: readonly number[] }>> {
  const out = new Map<string, Array<{ vnode: number; partitions: readonly number[] }>>()
  for (const e of plan) out.set(e.node, [...(out.get(e.node) ?? []), { vnode: e.vnode, partitions: e.partitions }])
  return out
}

/** Failures that say the node, not the query, is the problem. */
const NODE_FAILURES: ReadonlySet<string> = new Set(['UNREACHABLE', 'CONNECTION_CLOSED', 'TIMEOUT', 'SHUTTING_DOWN'])

function shareOf(reply: unknown, node: string, limit: number): Position[] {
  const r = (reply as { r?: unknown } | null)?.r
  if (!Array.isArray(r) || r.length > limit || !r.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')) {
    throw new SpineError('INTERNAL', `node ${node} answered an index query in an unknown shape`, { node })
  }
  return r as Position[]
}

export async function queryIndex(env: KvEnv, query: IndexQuery, timeoutMs?: number): Promise<IndexPage> {
  const deadline = env.clock.now() + checkTimeout(timeoutMs)
  const { n } = env.props.get(query.type, query.bucket)
  const limit = shareLimit(query)
  const wire = queryToWire(query)
  const failed = new Set<string>()
  for (;;) {
    const remaining = deadline - env.clock.now()
    if (remaining < 1) throw new SpineError('TIMEOUT', `index query did not finish within ${timeoutMs ?? 'the default'} ms`, { timeoutMs })
    const nodes = byNode(coveragePlan(env.ring(), n, (node) => env.isUp(node) && !failed.has(node), env.self))
    const outcomes = await Promise.allSettled(
      [...nodes].map(async ([node, plan]) => shareOf(await env.transport.request(node, { op: 'v2i', q: wire, plan, limit }, remaining), node, limit)),
    )
    const names = [...nodes.keys()]
    let retry = false
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'fulfilled') continue
      const err = toSpineError(o.reason)
      const node = names[i]!
      if (!NODE_FAILURES.has(err.code) || node === env.self || failed.size + 1 >= env.ring().members.length) {
        throw new SpineError(err.code, `index query on ${node}: ${err.message}`, { ...err.data, node })
      }
      failed.add(node)
      retry = true
    }
    if (!retry) return mergeShares(query, outcomes.map((o) => (o as PromiseFulfilledResult<Position[]>).value))
  }
}
