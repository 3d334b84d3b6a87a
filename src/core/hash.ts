/**
 * Where a key lives: SHA-1 of (bucketType, bucket, key) like Riak's chash, so keys spread
 * uniformly and every node computes the same place without asking anyone.
 */
import { hash } from 'node:crypto'

export interface BKey {
  type: string
  bucket: string
  key: string
}

/**
 * Length-prefixed fields so ("a","bc") and ("ab","c") never collide; also the storage key,
 * which keeps every replica of an object under the same bytes.
 */
export function encodeBKey(bk: BKey): Buffer {
  const parts = [bk.type, bk.bucket, bk.key].map((s) => Buffer.from(s, 'utf8'))
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 2 + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.writeUInt16BE(p.length, off)
    p.copy(out, off + 2)
    off += 2 + p.length
  }
  return out
}

export function decodeBKey(buf: Uint8Array): BKey {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  const fields: string[] = []
  let off = 0
  for (let i = 0; i < 3; i++) {
    if (off + 2 > b.length) throw new RangeError('truncated bucket/key encoding')
    const len = b.readUInt16BE(off)
    if (off + 2 + len > b.length) throw new RangeError('truncated bucket/key encoding')
    fields.push(b.toString('utf8', off + 2, off + 2 + len))
    off += 2 + len
  }
  return { type: fields[0]!, bucket: fields[1]!, key: fields[2]! }
}

/**
 * The partition a key hashes to. Q is a power of two, so the partition is the top log2(Q) bits
 * of the 160-bit digest: equal-sized ranges of the hash space, as in Riak.
 */
export function partitionOf(bk: BKey, q: number): number {
  return partitionOfEncoded(encodeBKey(bk), q)
}

/** partitionOf for a key already encoded by encodeBKey (a storage key), without decoding it. */
export function partitionOfEncoded(encoded: Uint8Array, q: number): number {
  // The one-shot hash: half the cost of a Hash object, and every write hashes its key more than once.
  const digest = hash('sha1', encoded, 'buffer')
  // 32 top bits are enough for any Q up to 2^32.
  const top = digest.readUInt32BE(0)
  return Math.floor((top / 2 ** 32) * q)
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0
}
