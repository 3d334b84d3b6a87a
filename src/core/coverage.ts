/**
 * A coverage plan: a set of vnodes that between them hold every key once, for queries that must see
 * every key (patient search reads each vnode's index). Riak's riak_core_coverage_plan: with N
 * replicas, vnode p holds the keys of the N partitions ending at p, so about Q/N vnodes cover the
 * ring; each is told which of its partitions to answer for, so no key is counted twice.
 * Pure: the ring and the failure detector's view in, the plan out.
 */
import { SpineError } from '../api/errors.js'
import { preflistFrom, type Ring } from './ring.js'

export interface CoverageEntry {
  readonly node: string
  /** The vnode (partition number) asked. */
  readonly vnode: number
  /** The hash partitions whose keys it answers for: a subset of the N ending at `vnode`. */
  readonly partitions: readonly number[]
}

/**
 * Walk the hash partitions in order; keep using the vnode chosen last while it holds the next one
 * (an up primary of its preference list), else take the up primary furthest along the ring, which
 * holds the most partitions still to come. Throws INSUFFICIENT_VNODES naming a partition none of
 * whose primaries is up.
 */
export function coveragePlan(ring: Ring, n: number, isUp: (node: string) => boolean): CoverageEntry[] {
  const chosen = new Map<number, { node: string; partitions: number[] }>()
  let last: number | undefined
  for (let h = 0; h < ring.q; h++) {
    const up = preflistFrom(ring, h, n).filter((e) => isUp(e.node))
    if (up.length === 0) {
      throw new SpineError('INSUFFICIENT_VNODES', `no primary of partition ${h} is up, so a search cannot see all of its keys`, { partition: h, n })
    }
    const reuse = last === undefined ? undefined : up.find((e) => e.partition === last)
    const pick = reuse ?? up[up.length - 1]!
    const entry = chosen.get(pick.partition) ?? { node: pick.node, partitions: [] }
    entry.partitions.push(h)
    chosen.set(pick.partition, entry)
    last = pick.partition
  }
  return [...chosen].map(([vnode, e]) => ({ node: e.node, vnode, partitions: e.partitions }))
}
