/**
 * Hostile frames for the live fuzz run (bench/fuzz/run.ts), from one seeded stream: valid
 * requests of the client and cluster ports, the same with their msgpack body mutated (header fixed
 * up, so the node's parsers see them), whole frames mutated (header included), random bodies,
 * raw random bytes, and lengths over the limit. Templates are read-only operations, or writes to
 * a bucket of their own, so no mutation a run can make rewrites the objects it checks.
 */
import type { SeededRandom } from '../../src/core/seededRandom.js'
import { decodeBody, encodeFrame, HEADER_BYTES } from '../../src/net/frame.js'

export type Port = 'client' | 'cluster'

/** One frame to send, and whether the node must close the connection on reading it (its framing is broken). */
export interface FuzzFrame {
  bytes: Buffer
  kind: FrameKind
  /** True when the node cannot read past this frame: nothing after it on the connection would be read. */
  breaksStream: boolean
}

export type FrameKind = 'valid' | 'bodyMutated' | 'frameMutated' | 'randomBody' | 'rawBytes' | 'oversized' | 'fieldReplaced'

/** What the templates may name: the checked objects' bucket is read, never written. */
export interface FrameContext {
  knownBucket: string
  knownKeys: readonly string[]
  /** The only bucket a template writes to. */
  scratchBucket: string
  partitions: number
  maxFrameBytes: number
}

const KIND_REQUEST = 0

function bytes(rng: SeededRandom, max: number): Buffer {
  const n = rng.int(max + 1)
  const b = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) b[i] = rng.int(256)
  return b
}

function pick<T>(rng: SeededRandom, xs: readonly T[]): T {
  return xs[rng.int(xs.length)]!
}

/** Values a field may be replaced with: every msgpack kind, and the awkward ones. */
function oddValue(rng: SeededRandom): unknown {
  return pick(rng, [
    () => null,
    () => true,
    () => -1,
    () => 2 ** 53 + 1,
    () => Number.NaN,
    () => 1.5,
    () => 'x'.repeat(rng.int(2_000)),
    () => '',
    () => bytes(rng, 64),
    () => [],
    () => new Array(rng.int(50)).fill(0),
    () => ({}),
    () => ({ toString: 1, valueOf: 2 }),
    () => ({ __proto__: null }),
    () => new Date(rng.int(2 ** 31) * 1000),
    () => BigInt(2) ** 63n,
  ])()
}

function clientTemplate(rng: SeededRandom, c: FrameContext): Record<string, unknown> {
  const known = { type: 'default', bucket: c.knownBucket, key: pick(rng, c.knownKeys) }
  const scratch = { type: 'default', bucket: c.scratchBucket, key: `k${rng.int(1_000)}` }
  return pick(rng, [
    () => ({ op: 'ping' }),
    () => ({ op: 'get', ...known, opts: { r: pick(rng, [1, 2, 'quorum', 'all']), timeoutMs: 2_000 } }),
    () => ({ op: 'get', ...known, opts: { pr: 1, notfoundOk: false } }),
    () => ({ op: 'replicas', ...known }),
    () => ({ op: 'put', ...scratch, value: bytes(rng, 256), contentType: 'application/octet-stream', meta: { a: 'b' }, opts: { w: 2 } }),
    () => ({ op: 'putMany', items: [{ ...scratch, value: bytes(rng, 64), contentType: 'text/plain', context: null }], opts: {} }),
    () => ({ op: 'ring' }),
    () => ({ op: 'status' }),
    () => ({ op: 'stats' }),
    () => ({ op: 'aaeStatus' }),
  ])()
}

function clusterTemplate(rng: SeededRandom, c: FrameContext): Record<string, unknown> {
  const p = rng.int(c.partitions)
  return pick(rng, [
    () => ({ op: 'ping' }),
    () => ({ op: 'info' }),
    () => ({ op: 'hstatus' }),
    () => ({ op: 'ringGet' }),
    () => ({ op: 'aaeStatus' }),
    () => ({ op: 'vget', p, k: bytes(rng, 32) }),
    () => ({ op: 'aaeRoot', p, hp: p, n: 3 }),
    () => ({ op: 'aaeSegs', p, hp: p, n: 3, b: [rng.int(64)] }),
    () => ({ op: 'vlist', p, type: 'default', bucket: c.scratchBucket, parts: null, after: null, limit: 10 }),
    () => ({ op: 'psearch', params: { family: ['Smith'], birthdate: ['1970-01-01'] }, plan: [{ vnode: p, partitions: [p] }] }),
  ])()
}

/** The hello a cluster connection must start with (any name: the port has no authentication yet). */
export function helloFrame(rng: SeededRandom): Buffer {
  return encodeFrame([KIND_REQUEST, 1, { hello: `fuzz-${rng.int(1_000)}` }])
}

/**
 * One to four mutations: a bit flipped, a byte set to a msgpack type marker, cut, extended,
 * bytes inserted or deleted. inPlace keeps the length (flip and set only): most msgpack survives
 * that as some other value, so the parsers behind the decoder get it rather than the decoder.
 */
function mutate(rng: SeededRandom, input: Buffer, inPlace = false): Buffer {
  let b: Buffer = Buffer.from(input)
  const count = 1 + rng.int(4)
  for (let i = 0; i < count; i++) {
    const at = b.length === 0 ? 0 : rng.int(b.length)
    switch (rng.int(inPlace ? 2 : 6)) {
      case 0:
        if (b.length > 0) b[at] = b[at]! ^ (1 << rng.int(8))
        break
      case 1:
        if (b.length > 0) b[at] = pick(rng, [0x00, 0x7f, 0x80, 0xc1, 0xd4, 0xdc, 0xdd, 0xde, 0xdf, 0xff])
        break
      case 2:
        b = b.subarray(0, at)
        break
      case 3:
        b = Buffer.concat([b, bytes(rng, 32)])
        break
      case 4:
        b = Buffer.concat([b.subarray(0, at), bytes(rng, 8), b.subarray(at)])
        break
      default:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rng.int(8))])
    }
  }
  return b
}

function framed(body: Buffer): Buffer {
  const h = Buffer.allocUnsafe(HEADER_BYTES)
  h.writeUInt32BE(body.length, 0)
  return Buffer.concat([h, body])
}

/** A body the node's decoder refuses (or an empty one) ends the connection. */
function bodyBreaks(body: Buffer): boolean {
  try {
    decodeBody(body)
    return false
  } catch {
    return true
  }
}

/** One field replaced by an odd value (or one added), at the top or, half the time, a level down (opts.w, items[0]...). */
function replaceField(rng: SeededRandom, req: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(req)
  const out = { ...req }
  if (keys.length === 0 || rng.chance(0.2)) {
    out[`f${rng.int(10)}`] = oddValue(rng)
    return out
  }
  const k = pick(rng, keys)
  const inner = out[k]
  if (rng.chance(0.5) && typeof inner === 'object' && inner !== null && !(inner instanceof Uint8Array)) {
    out[k] = Array.isArray(inner) ? inner.map((x) => (typeof x === 'object' && x !== null && !(x instanceof Uint8Array) ? replaceField(rng, x as Record<string, unknown>) : oddValue(rng))) : replaceField(rng, inner as Record<string, unknown>)
  } else out[k] = oddValue(rng)
  return out
}

/** The next hostile frame for a connection to `port`. */
export function nextFrame(rng: SeededRandom, port: Port, c: FrameContext): FuzzFrame {
  const template = (): Buffer => encodeFrame([KIND_REQUEST, 2 + rng.int(1_000_000), port === 'client' ? clientTemplate(rng, c) : clusterTemplate(rng, c)])
  const r = rng.int(100)
  if (r < 15) return { bytes: template(), kind: 'valid', breaksStream: false }
  if (r < 45) {
    const body = mutate(rng, template().subarray(HEADER_BYTES), rng.chance(0.7))
    return { bytes: framed(body), kind: 'bodyMutated', breaksStream: bodyBreaks(body) }
  }
  if (r < 75) {
    const id = 2 + rng.int(1_000_000)
    const req = port === 'client' ? clientTemplate(rng, c) : clusterTemplate(rng, c)
    return { bytes: encodeFrame([KIND_REQUEST, id, replaceField(rng, req)]), kind: 'fieldReplaced', breaksStream: false }
  }
  if (r < 85) {
    // Header included: the length may now disagree with the bytes that follow.
    return { bytes: mutate(rng, template()), kind: 'frameMutated', breaksStream: true }
  }
  if (r < 92) {
    const body = bytes(rng, 256)
    return { bytes: framed(body), kind: 'randomBody', breaksStream: bodyBreaks(body) }
  }
  if (r < 97) return { bytes: bytes(rng, 512), kind: 'rawBytes', breaksStream: true }
  const h = Buffer.allocUnsafe(HEADER_BYTES)
  h.writeUInt32BE(c.maxFrameBytes + 1 + rng.int(2 ** 31), 0)
  return { bytes: Buffer.concat([h, bytes(rng, 64)]), kind: 'oversized', breaksStream: true }
}
