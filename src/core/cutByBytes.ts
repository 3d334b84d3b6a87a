/**
 * Items in order, cut into parts of at most maxItems and (an item above maxBytes alone) maxBytes:
 * how every batched message is sized to fit a frame (replica writes, client putMany parts).
 */
export function cutByBytes<T>(items: readonly T[], bytesOf: (item: T) => number, maxItems: number, maxBytes: number): T[][] {
  const out: T[][] = []
  let part: T[] = []
  let bytes = 0
  for (const item of items) {
    const b = bytesOf(item)
    if (part.length > 0 && (part.length >= maxItems || bytes + b > maxBytes)) {
      out.push(part)
      part = []
      bytes = 0
    }
    part.push(item)
    bytes += b
  }
  if (part.length > 0) out.push(part)
  return out
}
