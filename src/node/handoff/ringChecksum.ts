/**
 * A short fingerprint of the ring (size and owners): a handoff is refused between nodes whose
 * rings differ, because the receiver would file the data under a partition it may not own.
 * FNV-1a over the owners; a checksum, not a security measure.
 */
import type { Ring } from '../../core/ring.js'

export function ringChecksum(ring: Ring): string {
  let h = 0x811c9dc5
  for (const ch of `${ring.q}|${ring.owners.join(',')}`) {
    h ^= ch.charCodeAt(0)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}
