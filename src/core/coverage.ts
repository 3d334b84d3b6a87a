/**
 * A coverage plan: a set of vnodes that between them hold every key once, for queries that must see
 * every key (patient search reads each vnode's index). As in Riak's riak_core_coverage_plan, vnode p
 * holds the keys of the N partitions ending at p, and each vnode asked is told which of its
 * partitions to answer for, so no key is counted twice.
 *
 * Unlike Riak's, the plan asks as few nodes as it can, not as few vnodes: a node keeps one index
 * for all its vnodes, so its share of a search costs one message and one scan per range however
 * many of its vnodes the plan names, and the cost of a search is the number of nodes asked (on 5
 * nodes, Q=64, N=3, Riak's walk asked all 5 where 2 hold every key).
 * Pure: the ring and the failure detector's view in, the plan out.
 */
import { RING } from '../config.js'
import { SpineError } from '../shared/errors.js'
import { preflistFrom, type PrefEntry, type Ring } from './ring.js'

export interface CoverageEntry {
  readonly node: string
  /** The vnode (partition number) asked. */
  readonly vnode: number
  /** The hash partitions whose keys it answers for: a subset of the N ending at `vnode`. */
  readonly partitions: readonly number[]
}

/**
 * The fewest up nodes that hold every partition (preferring sets with `prefer`, the node asking,
 * whose share needs no message), each partition answered by the first of them in that order that
 * holds it, on its vnode furthest along. Throws INSUFFICIENT_VNODES naming a partition none of
 * whose primaries is up.
 */
export function coveragePlan(ring: Ring, n: number, isUp: (node: string) => boolean, prefer?: string): readonly CoverageEntry[] {
  const nodes = [...new Set(ring.owners)].filter(isUp).sort((a, b) => (a === prefer ? -1 : b === prefer ? 1 : 0))
  // A search makes the same plan until the ring or the view changes: made once, not per search.
  const memo = plans.get(ring) ?? new Map<string, readonly CoverageEntry[]>()
  plans.set(ring, memo)
  const key = `${n}|${nodes.join(',')}`
  const known = memo.get(key)
  if (known) return known
  const plan = makePlan(ring, nodes, upHolders(ring, n, isUp))
  if (memo.size >= RING.maxCachedCoveragePlans) memo.clear()
  memo.set(key, plan)
  return plan
}

const plans = new WeakMap<Ring, Map<string, readonly CoverageEntry[]>>()

function makePlan(ring: Ring, nodes: readonly string[], holders: readonly PrefEntry[][]): CoverageEntry[] {
  const chosen = fewestCovering(nodes, holders, ring.q) ?? greedyCover(nodes, holders, ring.q)
  const byVnode = new Map<number, { node: string; partitions: number[] }>()
  holders.forEach((up, h) => {
    const node = chosen.find((c) => up.some((e) => e.node === c))!
    const vnode = up.filter((e) => e.node === node).pop()!.partition
    const entry = byVnode.get(vnode) ?? { node, partitions: [] }
    entry.partitions.push(h)
    byVnode.set(vnode, entry)
  })
  return [...byVnode].sort(([a], [b]) => a - b).map(([vnode, e]) => ({ node: e.node, vnode, partitions: e.partitions }))
}

/** Per hash partition (index h), the up primaries that hold it. */
function upHolders(ring: Ring, n: number, isUp: (node: string) => boolean): PrefEntry[][] {
  return Array.from({ length: ring.q }, (_, h) => {
    const up = preflistFrom(ring, h, n).filter((e) => isUp(e.node))
    if (up.length === 0) {
      throw new SpineError('INSUFFICIENT_VNODES', `no primary of partition ${h} is up, so a search cannot see all of its keys`, { partition: h, n })
    }
    return up
  })
}

/** Each node's partitions as a bit set. */
function coverSets(nodes: readonly string[], holders: readonly PrefEntry[][], q: number): Uint32Array[] {
  const sets = nodes.map(() => new Uint32Array(Math.ceil(q / 32)))
  holders.forEach((up, h) => {
    for (const e of up) sets[nodes.indexOf(e.node)]![h >>> 5]! |= 1 << (h & 31)
  })
  return sets
}

/**
 * The smallest set of nodes covering every partition, trying sets by size and, within a size, in
 * order (so `prefer`, first, is in the first found if any such set has it); undefined once
 * RING.coverageSearchSets sets were tried without finding one.
 */
function fewestCovering(nodes: readonly string[], holders: readonly PrefEntry[][], q: number): string[] | undefined {
  const sets = coverSets(nodes, holders, q)
  const full = new Uint32Array(sets[0]?.length ?? 0)
  for (let h = 0; h < q; h++) full[h >>> 5]! |= 1 << (h & 31)
  let budget = RING.coverageSearchSets
  for (let k = 1; k <= nodes.length; k++) {
    const pick = Array.from({ length: k }, (_, i) => i)
    for (;;) {
      if (budget-- <= 0) return undefined
      if (covers(sets, pick, full)) return pick.map((i) => nodes[i]!)
      if (!nextCombination(pick, nodes.length)) break
    }
  }
  return undefined
}

function covers(sets: readonly Uint32Array[], pick: readonly number[], full: Uint32Array): boolean {
  for (let w = 0; w < full.length; w++) {
    let u = 0
    for (const i of pick) u |= sets[i]![w]!
    if ((u | 0) !== (full[w]! | 0)) return false
  }
  return true
}

/** Advance `pick` (ascending indexes below m) to the next k-combination in lexicographic order; false after the last. */
function nextCombination(pick: number[], m: number): boolean {
  const k = pick.length
  let i = k - 1
  while (i >= 0 && pick[i] === m - k + i) i--
  if (i < 0) return false
  pick[i]!++
  for (let j = i + 1; j < k; j++) pick[j] = pick[j - 1]! + 1
  return true
}

/** Large clusters: repeatedly the node holding the most partitions not yet covered (ties: the earlier, so `prefer`). */
function greedyCover(nodes: readonly string[], holders: readonly PrefEntry[][], q: number): string[] {
  const uncovered = new Set(Array.from({ length: q }, (_, h) => h))
  const chosen: string[] = []
  while (uncovered.size > 0) {
    let best = nodes[0]!
    let bestCount = -1
    for (const node of nodes) {
      let c = 0
      for (const h of uncovered) if (holders[h]!.some((e) => e.node === node)) c++
      if (c > bestCount) [best, bestCount] = [node, c]
    }
    chosen.push(best)
    for (const h of [...uncovered]) if (holders[h]!.some((e) => e.node === best)) uncovered.delete(h)
  }
  return chosen
}
