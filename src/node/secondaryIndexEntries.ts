/**
 * How a Riak secondary index (2i) entry is keyed in the node's index partition (partitionSpace.ts),
 * beside the patient search entries. One entry per (bucket, field, term, key, vnode), no value: the
 * key says everything, and the byte order of keys is the order Riak returns results in, so a query
 * is one ordered range read that can stop after max_results.
 *
 * Entry key: 0x00, then type, bucket, field and (for _bin) the term, each as an escaped string,
 * (for _int) the term as a sortable integer, then the object's key as an escaped string, then the
 * vnode as 4 big-endian bytes. Patient entries begin with their term's first letter, never 0x00,
 * and their scans start at a letter, so the two never meet.
 *
 * Escaped string: the UTF-8 bytes with each 0x00 written 0x00 0x01, ended by 0x00 0x00. Byte order of
 * the escaped forms is the byte order of the strings (a prefix sorts first), whatever they hold.
 * Sortable integer: a sign byte (0x00 negative, 0x01 zero, 0x02 positive), the digit count (for a
 * negative number 255 minus it), then the decimal digits (for a negative number, each 9 minus it).
 * Canonical _int values (contentExtras.ts) have at most 65 digits, so the count fits a byte.
 */

const MARK = 0x00

/** Is the field one whose terms are whole numbers? */
export function isIntField(field: string): boolean {
  return field.endsWith('_int')
}

function escaped(s: string): Buffer {
  const raw = Buffer.from(s, 'utf8')
  let zeros = 0
  for (const b of raw) if (b === 0) zeros++
  const out = Buffer.allocUnsafe(raw.length + zeros + 2)
  let o = 0
  for (const b of raw) {
    out[o++] = b
    if (b === 0) out[o++] = 1
  }
  out[o++] = 0
  out[o++] = 0
  return out
}

/** The string at `off` and the offset just past it. */
function readEscaped(b: Buffer, off: number): [string, number] {
  const bytes: number[] = []
  for (let i = off; i + 1 < b.length; i++) {
    if (b[i] !== 0) {
      bytes.push(b[i]!)
      continue
    }
    if (b[i + 1] === 0) return [Buffer.from(bytes).toString('utf8'), i + 2]
    bytes.push(0)
    i++
  }
  throw new RangeError('truncated index entry')
}

/** A canonical integer's sortable bytes. */
export function sortableInt(canonical: string): Buffer {
  if (canonical === '0') return Buffer.of(1)
  const negative = canonical.startsWith('-')
  const digits = negative ? canonical.slice(1) : canonical
  const out = Buffer.allocUnsafe(2 + digits.length)
  out[0] = negative ? 0 : 2
  out[1] = negative ? 255 - digits.length : digits.length
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48
    out[2 + i] = 48 + (negative ? 9 - d : d)
  }
  return out
}

function readSortableInt(b: Buffer, off: number): [string, number] {
  const sign = b[off]
  if (sign === 1) return ['0', off + 1]
  if (sign !== 0 && sign !== 2) throw new RangeError('bad integer in index entry')
  const negative = sign === 0
  const count = negative ? 255 - b[off + 1]! : b[off + 1]!
  let digits = ''
  for (let i = 0; i < count; i++) {
    const d = b[off + 2 + i]! - 48
    digits += String(negative ? 9 - d : d)
  }
  return [negative ? `-${digits}` : digits, off + 2 + count]
}

/** The entries of one bucket's field, up to (not including) the term. */
export function fieldPrefix(type: string, bucket: string, field: string): Buffer {
  return Buffer.concat([Buffer.of(MARK), escaped(type), escaped(bucket), escaped(field)])
}

export function termBytes(field: string, term: string): Buffer {
  return isIntField(field) ? sortableInt(term) : escaped(term)
}

export function entryKey(type: string, bucket: string, field: string, term: string, key: string, vnode: number): Buffer {
  const v = Buffer.allocUnsafe(4)
  v.writeUInt32BE(vnode, 0)
  return Buffer.concat([fieldPrefix(type, bucket, field), termBytes(field, term), escaped(key), v])
}

export interface ParsedEntry {
  readonly term: string
  readonly key: string
  readonly vnode: number
}

/** An entry read from a scan of `field`'s prefix (prefixLength bytes of it). */
export function parseEntry(entry: Uint8Array, field: string, prefixLength: number): ParsedEntry {
  const b = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength)
  const [term, afterTerm] = isIntField(field) ? readSortableInt(b, prefixLength) : readEscaped(b, prefixLength)
  const [key, afterKey] = readEscaped(b, afterTerm)
  if (afterKey + 4 !== b.length) throw new RangeError('index entry has trailing bytes')
  return { term, key, vnode: b.readUInt32BE(afterKey) }
}

/**
 * The fold bounds of terms from `start` to `end` (both included), resuming strictly after the
 * position (term, key) when given: every vnode's entry of that pair, and all before it, are passed.
 */
export function scanRange(type: string, bucket: string, field: string, start: string, end: string, after?: readonly [string, string]): { after: Buffer; before: Buffer } {
  const prefix = fieldPrefix(type, bucket, field)
  // An entry is prefix + term + key + vnode: every entry of `end` sorts below prefix + term(end) + 0xFF
  // (an escaped key's bytes never begin 0xFF: UTF-8 has no such byte), and every greater term above it.
  const before = Buffer.concat([prefix, termBytes(field, end), Buffer.of(0xff)])
  // Entries of `start` begin prefix + term(start); the bare prefix + term sorts before all of them.
  const from = Buffer.concat([prefix, termBytes(field, start)])
  if (!after) return { after: from, before }
  // Past every vnode's entry of (term, key): vnodes are below RING.maxPartitions, never 0xFFFFFFFF.
  const resume = Buffer.concat([prefix, termBytes(field, after[0]), escaped(after[1]), Buffer.of(0xff, 0xff, 0xff, 0xff)])
  return { after: Buffer.compare(resume, from) > 0 ? resume : from, before }
}
