/**
 * Stored and wire form of objects and clocks: compact msgpack arrays (no field names), so a
 * 1 KB record costs little more than its value, and equal objects encode to equal bytes.
 */
import { Packr } from 'msgpackr'
import type { KvObject, Sibling } from './object.js'
import type { VClock, VEntry } from './vclock.js'

const packr = new Packr({ useRecords: false, mapsAsObjects: true })

const FORMAT = 1

type WireEntry = [string, number, number]
/** The eighth element, the index terms, is written only for values that have them: other objects keep their bytes. */
type WireSibling = [string, number, Uint8Array, string, number, Record<string, string>, boolean, (readonly string[])?]

function clockToWire(vc: VClock): WireEntry[] {
  return vc.map((e) => [e.actor, e.counter, e.ts])
}

function clockFromWire(w: unknown): VClock {
  if (!Array.isArray(w)) throw new TypeError('clock is not an array')
  return w.map((e: unknown): VEntry => {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || !Number.isInteger(e[1]) || typeof e[2] !== 'number') {
      throw new TypeError('malformed clock entry')
    }
    return { actor: e[0], counter: e[1] as number, ts: e[2] }
  })
}

function indexesFromWire(w: unknown): readonly string[] {
  if (!Array.isArray(w) || !w.every((t) => typeof t === 'string')) throw new TypeError('malformed sibling indexes')
  return w as string[]
}

function siblingFromWire(w: unknown): Sibling {
  if (!Array.isArray(w) || (w.length !== 7 && w.length !== 8)) throw new TypeError('malformed sibling')
  const [actor, counter, value, contentType, lastModified, meta, deleted, indexes] = w as WireSibling
  if (typeof actor !== 'string' || !Number.isInteger(counter) || !(value instanceof Uint8Array)) {
    throw new TypeError('malformed sibling')
  }
  if (typeof contentType !== 'string' || typeof lastModified !== 'number' || (meta != null && (typeof meta !== 'object' || Array.isArray(meta)))) {
    throw new TypeError('malformed sibling')
  }
  const s: Sibling = { dot: { actor, counter }, value, contentType, lastModified, meta: meta ?? {}, deleted: deleted === true }
  if (w.length === 8) s.indexes = indexesFromWire(indexes)
  return s
}

function siblingToWire(s: Sibling): WireSibling {
  const w: WireSibling = [s.dot.actor, s.dot.counter, s.value, s.contentType, s.lastModified, s.meta, s.deleted]
  if (s.indexes !== undefined) w.push(s.indexes)
  return w
}

export function encodeObject(obj: KvObject): Buffer {
  return packr.pack([FORMAT, clockToWire(obj.clock), obj.siblings.map(siblingToWire)])
}

/** msgpackr throws plain Errors on truncated or malformed bytes; report them as TypeError too. */
function unpack(buf: Uint8Array): unknown {
  try {
    return packr.unpack(buf)
  } catch (e) {
    throw new TypeError(`not msgpack: ${e instanceof Error ? e.message : String(e)}`)
  }
}

/** Throws TypeError on bytes that are not an encoded object; callers map it to a typed error. */
export function decodeObject(buf: Uint8Array): KvObject {
  const w: unknown = unpack(buf)
  if (!Array.isArray(w) || w[0] !== FORMAT || !Array.isArray(w[2])) throw new TypeError('not an encoded object')
  return { clock: clockFromWire(w[1]), siblings: (w[2] as unknown[]).map(siblingFromWire) }
}

/** The opaque causal context a client sends back with its next write. */
export function encodeContext(vc: VClock): Buffer {
  return packr.pack([FORMAT, clockToWire(vc)])
}

export function decodeContext(buf: Uint8Array): VClock {
  const w: unknown = unpack(buf)
  if (!Array.isArray(w) || w[0] !== FORMAT) throw new TypeError('not a causal context')
  return clockFromWire(w[1])
}
