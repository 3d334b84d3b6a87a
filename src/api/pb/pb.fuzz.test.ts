/**
 * Fuzzing Riak's PB port decoders: the length-and-code framing (PbFrameDecoder), every message
 * body (decodePb), and what a put or a key takes from a decoded message (contentIn, bkeyOf). Random
 * bytes and mutated valid encodings; each decodes or fails with a typed error, and the framing
 * never buffers more than one frame.
 */
import fc from 'fast-check'
import t from 'tap'
import { SpineError } from '../../shared/errors.js'
import { decodesOrTyped, fuzz, hostileBytes } from '../../../test/harness/fuzz.js'
import { decodePb, encodePb } from './codec.js'
import { contentIn, type RpbContent } from './content.js'
import { PbFrameDecoder, LENGTH_BYTES, encodePbFrame } from './frame.js'
import { bkeyOf, type RpbPutReq } from './kvOps.js'
import { ROOT, type MessageName } from './riakMessages.js'

const MAX_FRAME = 4_096
const NAMES = Object.keys(ROOT.nested ?? {}) as MessageName[]
const bytes = (max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a))

const rpbContent: fc.Arbitrary<RpbContent> = fc.record(
  {
    value: bytes(32),
    content_type: fc.constantFrom('application/json', 'text/plain; charset=utf-8', '').map((s) => Buffer.from(s)),
    charset: fc.constantFrom('utf-8', '').map((s) => Buffer.from(s)),
    usermeta: fc.array(fc.record({ key: bytes(6), value: bytes(6) }), { maxLength: 2 }),
    deleted: fc.boolean(),
  },
  { requiredKeys: ['value'] },
)

/** Valid bodies of the requests a client sends. */
const validBody: fc.Arbitrary<[MessageName, Buffer]> = fc.oneof(
  fc.record({ bucket: bytes(8), key: bytes(8), r: fc.nat(), pr: fc.nat(), head: fc.boolean(), type: bytes(4), timeout: fc.nat() }, { requiredKeys: ['bucket', 'key'] }).map((m) => ['RpbGetReq', Buffer.from(encodePb('RpbGetReq', m))] as [MessageName, Buffer]),
  fc.record({ bucket: bytes(8), key: bytes(8), vclock: bytes(16), content: rpbContent, w: fc.nat(), return_body: fc.boolean() }, { requiredKeys: ['bucket', 'content'] }).map((m) => ['RpbPutReq', Buffer.from(encodePb('RpbPutReq', m))] as [MessageName, Buffer]),
  fc.record({ bucket: bytes(8), key: bytes(8), rw: fc.nat(), vclock: bytes(8) }, { requiredKeys: ['bucket', 'key'] }).map((m) => ['RpbDelReq', Buffer.from(encodePb('RpbDelReq', m))] as [MessageName, Buffer]),
  fc.record({ bucket: bytes(8), props: fc.record({ n_val: fc.nat(), allow_mult: fc.boolean() }) }).map((m) => ['RpbSetBucketReq', Buffer.from(encodePb('RpbSetBucketReq', m))] as [MessageName, Buffer]),
  fc.record({ bucket: bytes(8), timeout: fc.nat() }, { requiredKeys: ['bucket'] }).map((m) => ['RpbListKeysReq', Buffer.from(encodePb('RpbListKeysReq', m))] as [MessageName, Buffer]),
)

const isPbDecodeError = (e: unknown): boolean => e instanceof SpineError && e.code === 'INVALID_ARGUMENT'

t.test('decodePb: hostile bodies decode as any message, or are INVALID_ARGUMENT', async (t) => {
  fuzz(t, 1, fc.tuple(fc.constantFrom(...NAMES), hostileBytes(validBody.map(([, b]) => b))), ([name, body]) => {
    decodesOrTyped(() => decodePb(name, body), isPbDecodeError)
  }, 2_000)
})

t.test('a put from hostile bytes: its content and key are stored or refused with a typed error', async (t) => {
  fuzz(t, 2, hostileBytes(validBody.filter(([n]) => n === 'RpbPutReq').map(([, b]) => b)), (body) => {
    const req = decodesOrTyped(() => decodePb<RpbPutReq>('RpbPutReq', body))
    if (req === undefined) return
    decodesOrTyped(() => contentIn(req.content))
    if (req.key !== undefined) decodesOrTyped(() => bkeyOf(req.type, req.bucket, req.key!))
  }, 1_000)
})

const validFrames = fc.array(validBody, { minLength: 1, maxLength: 3 }).map((bs) => Buffer.concat(bs.map(([name, b]) => encodePbFrame(name === 'RpbGetReq' ? 9 : 11, b))))

t.test('PbFrameDecoder: a hostile stream in any pieces gives frames or a frame error, and buffers at most one frame', async (t) => {
  fuzz(t, 3, fc.tuple(hostileBytes(validFrames), fc.array(fc.nat(), { maxLength: 6 })), ([stream, cuts]) => {
    const dec = new PbFrameDecoder(MAX_FRAME)
    const at = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b)
    let from = 0
    for (const c of [...at, stream.length]) {
      const piece = stream.subarray(from, c)
      from = c
      const frames = decodesOrTyped(() => dec.push(piece), (e) => e instanceof SpineError && (e.code === 'MALFORMED_FRAME' || e.code === 'FRAME_TOO_LARGE'))
      if (frames === undefined) {
        t.throws(() => dec.push(Buffer.from(encodePbFrame(1))), SpineError, 'failed for good')
        return
      }
      for (const f of frames) if (f.body.length + 1 > MAX_FRAME) throw new Error('a frame over the limit came out')
      if (dec.bufferedBytes >= LENGTH_BYTES + MAX_FRAME) throw new Error(`decoder holds ${dec.bufferedBytes} bytes`)
    }
  })
})
