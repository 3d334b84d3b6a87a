/**
 * How a node's one database is divided. Partitions 0..Q-1 hold objects. The secondary indexes of
 * every vnode on the node (patient search, and Riak 2i behind a leading 0x00: secondaryIndexEntries.ts)
 * live in one partition, INDEX_PARTITION, their entries naming their vnode,
 * so folds over a partition (handoff, anti-entropy) see only objects, the index needs no handoff
 * of its own (the receiving vnode writes entries as it merges the objects), and a search scans one
 * range per node rather than one per vnode. The last number is the node's metadata (dot counters,
 * vnode epochs, recent reaps).
 */
import { META_PARTITION } from './dotCounter.js'

/** Just below the metadata partition; far above any ring size (RING.maxPartitions). */
export const INDEX_PARTITION = META_PARTITION - 1

/** A partition holding objects (not the index, not metadata): what handoff moves and a leaving node must empty. */
export function isObjectPartition(p: number): boolean {
  return p >= 0 && p < INDEX_PARTITION
}
