/**
 * Fuzzing the frame decoder of the client and cluster ports: random bytes and mutated valid frames,
 * fed whole and in random pieces. Each input decodes or fails with FRAME_TOO_LARGE or
 * MALFORMED_FRAME; the decoder never holds more than one frame's bytes, and stays failed after a fault.
 */
import fc from 'fast-check'
import t from 'tap'
import { SpineError } from '../shared/errors.js'
import { decodesOrTyped, fuzz, hostileBytes } from '../../test/harness/fuzz.js'
import { FrameDecoder, HEADER_BYTES, decodeBody, encodeFrame } from './frame.js'

const MAX_FRAME = 4_096
const FRAME_CODES = new Set(['FRAME_TOO_LARGE', 'MALFORMED_FRAME'])

function isFrameError(e: unknown): boolean {
  return e instanceof SpineError && FRAME_CODES.has(e.code)
}

/** Messages as the ports carry them: [kind, id, body] with a request or reply body. */
const body = fc.oneof(
  fc.record({ op: fc.constantFrom('ping', 'get', 'put', 'vget', 'ring'), type: fc.constant('default'), bucket: fc.string({ maxLength: 8 }), key: fc.string({ maxLength: 8 }) }),
  fc.record({ op: fc.constant('put'), bucket: fc.string(), key: fc.string(), value: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)), opts: fc.record({ w: fc.constantFrom(1, 2, 'all'), timeoutMs: fc.nat() }) }),
  fc.record({ code: fc.constantFrom('NOT_FOUND', 'TIMEOUT'), message: fc.string(), data: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })) }),
  fc.jsonValue({ maxDepth: 3 }),
)
const message = fc.tuple(fc.constantFrom(0, 1, 2), fc.nat({ max: 0xffff_ffff }), body)
const validFrames = fc.array(message, { minLength: 1, maxLength: 4 }).map((ms) => Buffer.concat(ms.map((m) => encodeFrame(m))))

/** The stream cut into pieces at the given offsets, as TCP may deliver it. */
function pieces(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const c of at) {
    out.push(bytes.subarray(from, c))
    from = c
  }
  out.push(bytes.subarray(from))
  return out
}

t.test('decodeBody: hostile bytes decode or are MALFORMED_FRAME', async (t) => {
  fuzz(t, 1, hostileBytes(validFrames.map((f) => f.subarray(HEADER_BYTES))), (bytes) => {
    decodesOrTyped(() => decodeBody(bytes), isFrameError)
  })
})

t.test('FrameDecoder: a hostile stream in any pieces gives frames or a frame error, and buffers at most one frame', async (t) => {
  fuzz(t, 2, fc.tuple(hostileBytes(validFrames), fc.array(fc.nat(), { maxLength: 8 })), ([bytes, cuts]) => {
    const dec = new FrameDecoder(MAX_FRAME)
    let failed: unknown
    for (const piece of pieces(bytes, cuts)) {
      try {
        dec.push(piece)
      } catch (e) {
        if (!isFrameError(e)) throw e
        failed = e
        break
      }
      // Never more than a header and one body of at most MAX_FRAME waiting: a hostile length cannot make it hoard.
      if (dec.pendingBytes >= HEADER_BYTES + MAX_FRAME) throw new Error(`decoder holds ${dec.pendingBytes} bytes`)
    }
    if (failed !== undefined) {
      // Failed for good: the stream's boundaries are lost, so later bytes must not be read as frames.
      let again: unknown
      try {
        dec.push(Buffer.from(encodeFrame('x')))
      } catch (e) {
        again = e
      }
      if (again !== failed) throw new Error('a failed decoder decoded again')
      if (dec.pendingBytes !== 0) throw new Error('a failed decoder still holds bytes')
    }
  })
})

t.test('FrameDecoder: valid frames in any pieces decode to what was encoded', async (t) => {
  fuzz(t, 3, fc.tuple(fc.array(message, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 8 })), ([msgs, cuts]) => {
    const bytes = Buffer.concat(msgs.map((m) => encodeFrame(m)))
    const dec = new FrameDecoder(1 << 20)
    const out = pieces(bytes, cuts).flatMap((p) => dec.push(p))
    const want = msgs.map((m) => new FrameDecoder(1 << 20).push(encodeFrame(m))[0])
    if (JSON.stringify(out) !== JSON.stringify(want)) throw new Error('frames changed on the way through')
  })
})

t.test('a frame header claiming 4 GiB is refused before anything is buffered', async (t) => {
  const dec = new FrameDecoder(MAX_FRAME)
  t.throws(() => dec.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00])), { code: 'FRAME_TOO_LARGE' })
  t.equal(dec.pendingBytes, 0)
})
