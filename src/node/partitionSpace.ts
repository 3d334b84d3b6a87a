/**
 * How a node's one database is divided. Partitions 0..Q-1 hold objects; each vnode's secondary
 * index lives in its own partition number, INDEX_PARTITION_BASE + p, so folds over a partition
 * (handoff, anti-entropy) see only objects, and the index needs no handoff of its own: the
 * receiving vnode rebuilds its entries as it merges the objects. The last number is the node's
 * metadata (dot counters, vnode epochs, recent reaps).
 */
import { META_PARTITION } from './dotCounter.js'

/** Above any ring size this store allows (RING.maxPartitions is far smaller). */
export const INDEX_PARTITION_BASE = 0x8000_0000

export function indexPartitionOf(partition: number): number {
  return INDEX_PARTITION_BASE + partition
}

/** A partition holding objects (not an index, not metadata): what handoff moves and a leaving node must empty. */
export function isObjectPartition(p: number): boolean {
  return p >= 0 && p < INDEX_PARTITION_BASE && p !== META_PARTITION
}
