/**
 * A batch split into replica messages bounded by count and by bytes (KV.maxReplicaBatchItems,
 * KV.maxReplicaBatchBytes). An item larger than the byte bound travels alone: the object limit
 * keeps it under the frame limit (src/config.test.ts checks how the three relate).
 */
import { KV } from '../config.js'

export function chunksOf<T>(items: readonly T[], bytesOf: (item: T) => number, maxItems: number = KV.maxReplicaBatchItems, maxBytes: number = KV.maxReplicaBatchBytes): T[][] {
  const out: T[][] = []
  let chunk: T[] = []
  let bytes = 0
  for (const item of items) {
    const b = bytesOf(item)
    if (chunk.length > 0 && (chunk.length >= maxItems || bytes + b > maxBytes)) {
      out.push(chunk)
      chunk = []
      bytes = 0
    }
    chunk.push(item)
    bytes += b
  }
  if (chunk.length > 0) out.push(chunk)
  return out
}
