/**
 * One coverage read across the cluster, as 2i queries and patient searches both make it: a
 * coverage plan for N over the nodes the failure detector holds up, one request per node naming
 * its vnodes and the hash partitions each answers for. A node that cannot be reached (the
 * detector has not yet marked it down) is left out and the whole plan made again from the other
 * replicas, at most once per member, so a coverage read keeps working through the detection window.
 */
import { coveragePlan, type CoverageEntry } from '../core/coverage.js'
import { SpineError, toSpineError } from '../shared/errors.js'
import type { KvEnv } from './env.js'

/** One node's share of a plan: a vnode and the partitions it answers for. */
export interface PlanShare {
  readonly vnode: number
  readonly partitions: readonly number[]
}

/** Failures that say the node, not the query, is the problem: plan again without it. */
const NODE_FAILURES: ReadonlySet<string> = new Set(['UNREACHABLE', 'CONNECTION_CLOSED', 'TIMEOUT', 'SHUTTING_DOWN'])

function byNode(plan: readonly CoverageEntry[]): Map<string, PlanShare[]> {
  const out = new Map<string, PlanShare[]>()
  for (const e of plan) out.set(e.node, [...(out.get(e.node) ?? []), { vnode: e.vnode, partitions: e.partitions }])
  return out
}

export interface CoverageRound<T> {
  /** Replica count of the data read: the plan covers every partition's N replicas once. */
  n: number
  /** Names the read in errors ("index query", "search"). */
  what: string
  /** One node's share; a rejection with a NODE_FAILURES code plans again without that node. */
  ask(node: string, plan: PlanShare[]): Promise<T>
  /** Called before each round; may throw to stop (an overall deadline). */
  beforeRound?(): void
}

/** Every node's reply, in plan order, and how many nodes the answering plan asked. */
export async function askCoverage<T>(env: KvEnv, r: CoverageRound<T>): Promise<{ nodes: number; replies: T[] }> {
  const failed = new Set<string>()
  for (;;) {
    r.beforeRound?.()
    const nodes = byNode(coveragePlan(env.ring(), r.n, (node) => env.isUp(node) && !failed.has(node), env.self))
    const outcomes = await Promise.allSettled([...nodes].map(([node, plan]) => r.ask(node, plan)))
    const names = [...nodes.keys()]
    let retry = false
    for (const [i, o] of outcomes.entries()) {
      if (o.status === 'fulfilled') continue
      const err = toSpineError(o.reason)
      const node = names[i]!
      if (!NODE_FAILURES.has(err.code) || node === env.self || failed.size + 1 >= env.ring().members.length) {
        throw new SpineError(err.code, `${r.what} on ${node}: ${err.message}`, { ...err.data, node })
      }
      failed.add(node)
      retry = true
    }
    if (!retry) return { nodes: nodes.size, replies: outcomes.map((o) => (o as PromiseFulfilledResult<T>).value) }
  }
}
