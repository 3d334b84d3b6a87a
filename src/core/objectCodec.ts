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
type WireSibling = [string, number, Uint8Array, string, number, Record<string, string>, boolean, WireExtras?]

/** Index entries and links, an 8th element only when a sibling has some: objects without them encode as before. */
interface WireExtras {
  i?: Array<[string, string]>
  l?: Array<[string, string, string]>
  t?: readonly string[]
}

function stringTuples<T extends string[]>(v: unknown, width: number): T[] {
  if (!Array.isArray(v) || !v.every((e) => Array.isArray(e) && e.length === width && e.every((x) => typeof x === 'string'))) {
    throw new TypeError('malformed sibling extras')
  }
  return v as T[]
}

function termsFromWire(v: unknown): readonly string[] {
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) throw new TypeError('malformed sibling terms')
  return v as string[]
}

function extrasFromWire(w: unknown): Pick<Sibling, 'indexes' | 'links' | 'terms'> {
  if (w === undefined || w === null) return {}
  if (typeof w !== 'object' || Array.isArray(w)) throw new TypeError('malformed sibling extras')
  const x = w as Record<string, unknown>
  const out: Pick<Sibling, 'indexes' | 'links' | 'terms'> = {}
  if (x.t !== undefined) out.terms = termsFromWire(x.t)
  if (x.i !== undefined) out.indexes = stringTuples<[string, string]>(x.i, 2)
  if (x.l !== undefined) out.links = stringTuples<[string, string, string]>(x.l, 3)
  return out
}

function extrasToWire(s: Sibling): WireExtras | undefined {
  const hasI = (s.indexes?.length ?? 0) > 0
  const hasL = (s.links?.length ?? 0) > 0
  // Terms are written even when empty (a redacted record has none): an empty list still spares a parse.
  if (!hasI && !hasL && s.terms === undefined) return undefined
  const x: WireExtras = {}
  if (s.terms !== undefined) x.t = s.terms
  if (hasI) x.i = s.indexes
  if (hasL) x.l = s.links
  return x
}

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

function siblingFromWire(w: unknown): Sibling {
  if (!Array.isArray(w) || (w.length !== 7 && w.length !== 8)) throw new TypeError('malformed sibling')
  const [actor, counter, value, contentType, lastModified, meta, deleted, extras] = w as WireSibling
  if (typeof actor !== 'string' || !Number.isInteger(counter) || !(value instanceof Uint8Array)) {
    throw new TypeError('malformed sibling')
  }
  if (typeof contentType !== 'string' || typeof lastModified !== 'number' || (meta != null && (typeof meta !== 'object' || Array.isArray(meta)))) {
    throw new TypeError('malformed sibling')
  }
  return { dot: { actor, counter }, value, contentType, lastModified, meta: meta ?? {}, deleted: deleted === true, ...extrasFromWire(extras) }
}

export function encodeObject(obj: KvObject): Buffer {
  const sibs: WireSibling[] = obj.siblings.map((s) => {
    const w: WireSibling = [s.dot.actor, s.dot.counter, s.value, s.contentType, s.lastModified, s.meta, s.deleted]
    const extras = extrasToWire(s)
    if (extras) w.push(extras)
    return w
  })
  return packr.pack([FORMAT, clockToWire(obj.clock), sibs])
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
