/**
 * A tictac tree (after leveled_tictac.erl in martinsumner/kv_index_tictactree): a two-level
 * Merkle tree whose leaves ("segments") hold the XOR of a 32-bit hash of (key, clock) for every
 * object whose key falls in that segment; each branch ("level 1") holds the XOR of its segments
 * and the root the XOR of the branches. XOR makes the tree incremental — a put or delete XORs the
 * old hash out and the new one in, O(1), no rebuild — and order-free, so two replicas holding the
 * same objects hold the same tree whatever order the writes came in.
 *
 * Pure: no clock, no I/O. The shape is `branches × segmentsPerBranch` (both powers of two), kept
 * in typed arrays: 4 bytes per segment plus 4 per branch.
 */
import type { KvObject } from './object.js'

export interface TreeShape {
  branches: number
  segmentsPerBranch: number
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0
}

export function checkShape(s: TreeShape): TreeShape {
  if (!isPow2(s.branches) || !isPow2(s.segmentsPerBranch) || s.branches * s.segmentsPerBranch > 2 ** 24) {
    throw new RangeError(`tree shape must be powers of two with at most 2^24 segments, got ${s.branches}x${s.segmentsPerBranch}`)
  }
  return s
}

// --- hashing: FNV-1a over bytes, finished with murmur3's fmix32 so every bit avalanches ---

const FNV_OFFSET = 0x811c9dc5

function fnvByte(h: number, b: number): number {
  return Math.imul(h ^ b, 0x01000193)
}

function fnvU32(h: number, v: number): number {
  h = fnvByte(h, v & 0xff)
  h = fnvByte(h, (v >>> 8) & 0xff)
  h = fnvByte(h, (v >>> 16) & 0xff)
  return fnvByte(h, (v >>> 24) & 0xff)
}

/** Integers up to 2^53 (counters, ms timestamps) as two 32-bit halves. */
function fnvInt(h: number, v: number): number {
  return fnvU32(fnvU32(h, v >>> 0), Math.floor(v / 2 ** 32) >>> 0)
}

function fnvString(h: number, s: string): number {
  h = fnvU32(h, s.length)
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    h = fnvByte(fnvByte(h, c & 0xff), c >>> 8)
  }
  return h
}

function fnvBytes(h: number, b: Uint8Array): number {
  h = fnvU32(h, b.length)
  for (let i = 0; i < b.length; i++) h = fnvByte(h, b[i]!)
  return h
}

function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** The key's own hash: where it sits in the tree (the same on every replica, whatever its value). */
export function keyHash(key: Uint8Array): number {
  // A different seed from objectHash so a key's segment says nothing about its object hash.
  return fmix32(fnvBytes(FNV_OFFSET ^ 0x5bd1e995, key))
}

/**
 * The hash of (key, clock) that a segment XORs in. Canonical: the clock's entries are sorted by
 * actor (vclock keeps them so) and hashed as (actor, counter), then the siblings' dots and
 * tombstone flags in dot order (object.ts keeps them sorted). Equal objects hash equal on every
 * replica. Values and timestamps are not hashed — a dot names exactly one value, and two copies
 * with the same counters are the same object to a vnode's merge (`sameObject`), so a difference
 * the merge would not act on must not make the trees differ forever.
 */
export function objectHash(key: Uint8Array, obj: KvObject): number {
  let h = fnvBytes(FNV_OFFSET, key)
  h = fnvU32(h, obj.clock.length)
  for (const e of obj.clock) h = fnvInt(fnvString(h, e.actor), e.counter)
  h = fnvU32(h, obj.siblings.length)
  for (const s of obj.siblings) h = fnvByte(fnvInt(fnvString(h, s.dot.actor), s.dot.counter), s.deleted ? 1 : 0)
  const out = fmix32(h)
  // 0 is "no object": a real object never hashes to it, so XOR-ing it in always changes the tree.
  return out === 0 ? 1 : out
}

export class TictacTree {
  readonly shape: TreeShape
  readonly segments: Uint32Array
  readonly level1: Uint32Array
  root = 0

  constructor(shape: TreeShape, segments?: Uint32Array) {
    this.shape = checkShape(shape)
    const total = shape.branches * shape.segmentsPerBranch
    if (segments && segments.length !== total) throw new RangeError(`expected ${total} segments, got ${segments.length}`)
    this.segments = segments ?? new Uint32Array(total)
    this.level1 = new Uint32Array(shape.branches)
    if (segments) this.recompute()
  }

  get totalSegments(): number {
    return this.segments.length
  }

  /** The segment of a key (by its keyHash). */
  segmentOf(kh: number): number {
    return kh & (this.segments.length - 1)
  }

  branchOf(segment: number): number {
    return Math.floor(segment / this.shape.segmentsPerBranch)
  }

  /** Replace `oldHash` by `newHash` in a segment (0 is "absent"). O(1). */
  update(segment: number, oldHash: number, newHash: number): void {
    const d = (oldHash ^ newHash) >>> 0
    if (d === 0) return
    this.segments[segment] = (this.segments[segment]! ^ d) >>> 0
    const b = this.branchOf(segment)
    this.level1[b] = (this.level1[b]! ^ d) >>> 0
    this.root = (this.root ^ d) >>> 0
  }

  /** The segments of one branch (a view, not a copy). */
  branch(b: number): Uint32Array {
    const spb = this.shape.segmentsPerBranch
    return this.segments.subarray(b * spb, (b + 1) * spb)
  }

  /** XOR another tree of the same shape into this one (tictac trees merge across vnodes). */
  merge(other: TictacTree): void {
    sameShape(this.shape, other.shape)
    for (let i = 0; i < this.segments.length; i++) this.segments[i] = (this.segments[i]! ^ other.segments[i]!) >>> 0
    this.recompute()
  }

  equals(other: TictacTree): boolean {
    return this.root === other.root && sameArray(this.segments, other.segments)
  }

  clone(): TictacTree {
    return new TictacTree(this.shape, Uint32Array.from(this.segments))
  }

  private recompute(): void {
    this.level1.fill(0)
    let root = 0
    for (let i = 0; i < this.segments.length; i++) {
      const b = this.branchOf(i)
      this.level1[b] = (this.level1[b]! ^ this.segments[i]!) >>> 0
    }
    for (const v of this.level1) root = (root ^ v) >>> 0
    this.root = root
  }
}

function sameShape(a: TreeShape, b: TreeShape): void {
  if (a.branches !== b.branches || a.segmentsPerBranch !== b.segmentsPerBranch) throw new RangeError('trees of different shapes')
}

function sameArray(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Indexes where two equal-length arrays differ, at most `limit` of them, in order. */
export function differing(a: Uint32Array, b: Uint32Array, limit = Infinity): number[] {
  if (a.length !== b.length) throw new RangeError(`comparing ${a.length} with ${b.length} entries`)
  const out: number[] = []
  for (let i = 0; i < a.length && out.length < limit; i++) if (a[i] !== b[i]) out.push(i)
  return out
}

/** Typed arrays to and from the wire: little-endian bytes, copied so the result owns its memory. */
export function u32ToBytes(a: Uint32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4)
  const dv = new DataView(out.buffer)
  for (let i = 0; i < a.length; i++) dv.setUint32(i * 4, a[i]!, true)
  return out
}

export function bytesToU32(b: Uint8Array): Uint32Array {
  if (b.length % 4 !== 0) throw new RangeError('not a whole number of 32-bit words')
  const out = new Uint32Array(b.length / 4)
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  for (let i = 0; i < out.length; i++) out[i] = dv.getUint32(i * 4, true)
  return out
}
