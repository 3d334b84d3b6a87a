/**
 * The ring as an immutable value: Q partitions, their owners, and the members. Everything a
 * coordinator asks of it (where a key lives, who its replicas are) is a pure function, so the
 * simulator and every node get the same answer from the same ring.
 */
import { claim } from './claim.js'
import { isPowerOfTwo, partitionOf, type BKey } from './hash.js'
import { RING } from '../config.js'

export interface Ring {
  readonly q: number
  readonly members: readonly string[]
  /** owners[p] is the node that owns partition p */
  readonly owners: readonly string[]
}

export interface PrefEntry {
  partition: number
  node: string
  /** Always true until fallbacks exist (sloppy quorum marks the others false). */
  primary: boolean
}

export function createRing(members: readonly string[], q: number = RING.defaultPartitions, n = 3): Ring {
  if (!isPowerOfTwo(q) || q < RING.minPartitions || q > RING.maxPartitions) {
    throw new RangeError(`ring size must be a power of two in ${RING.minPartitions}..${RING.maxPartitions}, got ${q}`)
  }
  const owners = claim(members, q, n)
  return { q, members: [...new Set(members)].sort(), owners }
}

/** N consecutive partitions from the key's own, with their owners: the primaries. */
export function preflist(ring: Ring, bk: BKey, n: number): PrefEntry[] {
  return preflistFrom(ring, partitionOf(bk, ring.q), n)
}

export function preflistFrom(ring: Ring, first: number, n: number): PrefEntry[] {
  const count = Math.min(n, ring.q)
  return Array.from({ length: count }, (_, k) => {
    const partition = (first + k) % ring.q
    return { partition, node: ring.owners[partition]!, primary: true }
  })
}

export function partitionsOwnedBy(ring: Ring, node: string): number[] {
  const out: number[] = []
  ring.owners.forEach((o, p) => {
    if (o === node) out.push(p)
  })
  return out
}

/** How many partitions each member owns (members owning none appear with 0). */
export function ownerCounts(ring: Ring): Map<string, number> {
  const counts = new Map<string, number>(ring.members.map((m) => [m, 0]))
  for (const o of ring.owners) counts.set(o, (counts.get(o) ?? 0) + 1)
  return counts
}
