/**
 * Sloppy quorum's preference list (Riak's annotated preflist): the key's primaries that are up,
 * and for each primary that is down a fallback — the next up node along the ring after the
 * primaries that is not already in the list. A fallback stands in for the primary's partition
 * (it keeps the data as hinted, and hands it home when the primary is back), so its entry
 * carries the primary's partition with `primary: false`. PR and PW count primaries only.
 *
 * When every up node is already in the list (3 nodes, N=3, one down), an up node stands in a
 * second time, for another partition, as Riak does: the write still reaches N vnodes and goes
 * home by handoff, though on fewer machines — which `node_confirms` lets a writer refuse. Each
 * node stands in at most once per list.
 */
import { preflistFrom, type PrefEntry, type Ring } from './ring.js'

export function annotatedPreflist(ring: Ring, first: number, n: number, isUp: (node: string) => boolean): PrefEntry[] {
  const primaries = preflistFrom(ring, first, n)
  const taken = new Set(primaries.filter((e) => isUp(e.node)).map((e) => e.node))
  const order = fallbackOrder(ring, first, n).filter(isUp)
  const candidates = [...order.filter((node) => !taken.has(node)), ...order.filter((node) => taken.has(node))]
  const out: PrefEntry[] = []
  for (const e of primaries) {
    if (isUp(e.node)) {
      out.push(e)
      continue
    }
    const stand = candidates.shift()
    if (stand !== undefined) out.push({ partition: e.partition, node: stand, primary: false })
  }
  return out
}

/**
 * Who else may stand in when a fallback refuses (its hinted store is full): the up nodes in the
 * same ring order, less those already standing in for this list.
 */
export function spareFallbacks(ring: Ring, first: number, n: number, isUp: (node: string) => boolean, pl: readonly PrefEntry[]): string[] {
  const standing = new Set(pl.filter((e) => !e.primary).map((e) => e.node))
  return fallbackOrder(ring, first, n).filter((node) => isUp(node) && !standing.has(node))
}

/** Distinct owners of the partitions after the primaries, in ring order: who may stand in. */
function fallbackOrder(ring: Ring, first: number, n: number): string[] {
  const seen = new Set<string>()
  for (let k = n; k < ring.q + n; k++) seen.add(ring.owners[(first + k) % ring.q]!)
  return [...seen]
}
