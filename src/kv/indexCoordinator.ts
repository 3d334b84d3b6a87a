/**
 * A 2i query across the cluster (Riak's riak_kv_index_fsm): a coverage plan for the bucket's N over
 * the nodes the failure detector holds up, one `v2i` request per node naming its vnodes and the
 * hash partitions each answers for, and the nodes' sorted shares merged into one page
 * (indexQuery.ts mergeShares). Each key is read from one replica, as in Riak: an index query is a
 * coverage read, not a quorum read. A node that cannot be reached (the detector has not yet marked
 * it down) is left out and the plan made again from the other replicas, once per member.
 */
import { SpineError } from '../shared/errors.js'
import { askCoverage } from './coverageRound.js'
import type { KvEnv } from './env.js'
import { mergeShares, queryToWire, shareLimit, type IndexPage, type IndexQuery, type Position } from './indexQuery.js'
import { checkTimeout } from './request.js'

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
  const { replies } = await askCoverage(env, {
    n,
    what: 'index query',
    beforeRound: () => {
      if (deadline - env.clock.now() < 1) throw new SpineError('TIMEOUT', `index query did not finish within ${timeoutMs ?? 'the default'} ms`, { timeoutMs })
    },
    ask: async (node, plan) => shareOf(await env.transport.request(node, { op: 'v2i', q: wire, plan, limit }, Math.max(1, deadline - env.clock.now())), node, limit),
  })
  return mergeShares(query, replies)
}
