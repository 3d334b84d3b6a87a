/**
 * A batch split into replica messages bounded by count and by bytes (KV.maxReplicaBatchItems,
 * KV.maxReplicaBatchBytes). An item larger than the byte bound travels alone: the object limit
 * keeps it under the frame limit (src/config.test.ts checks how the three relate).
 */
import { KV } from '../config.js'
import { cutByBytes } from '../core/cutByBytes.js'

export function chunksOf<T>(items: readonly T[], bytesOf: (item: T) => number, maxItems: number = KV.maxReplicaBatchItems, maxBytes: number = KV.maxReplicaBatchBytes): T[][] {
  return cutByBytes(items, bytesOf, maxItems, maxBytes)
}
