/**
 * Fuzzing the PB port's request handling: frames of every request code (and unknown codes) with
 * random and mutated protobuf bodies, handled by a real in-process node (handlePb, as PbServer
 * calls it). Each is answered or fails with a typed error, never INTERNAL, and every reply
 * encodes.
 */
import fc from 'fast-check'
import t from 'tap'
import { SpineError } from '../../shared/errors.js'
import { fuzzAsync, hostileBytes } from '../../../test/harness/fuzz.js'
import { inProcessCluster, type InProcessCluster } from '../../../test/harness/inProcess.js'
import { encodePb } from './codec.js'
import { MSG } from './codes.js'
import { handlePb, newSession, type PbDeps, type Send } from './handler.js'
import type { MessageName } from './riakMessages.js'

let cluster: InProcessCluster
let deps: PbDeps

t.before(async () => {
  cluster = await inProcessCluster(3)
  deps = { env: cluster.nodes[0]!.env, serverVersion: 'fuzz' }
})
t.teardown(() => cluster.stop())

const b = (s: string): Buffer => Buffer.from(s)
const bytes = fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a))

/** Valid requests: [code, body]. */
const valid: fc.Arbitrary<[number, Buffer]> = fc.oneof(
  fc.record({ bucket: fc.constantFrom(b('b'), b('c')), key: fc.constantFrom(b('k'), b('k2')), r: fc.constantFrom(1, 2, 4294967293), timeout: fc.constant(2_000) }).map((m) => [MSG.GetReq, Buffer.from(encodePb('RpbGetReq', m))] as [number, Buffer]),
  fc.record({ bucket: fc.constant(b('b')), key: fc.constant(b('k')), content: fc.record({ value: bytes, content_type: fc.constant(b('text/plain')), usermeta: fc.constant([{ key: b('a'), value: b('b') }]) }), w: fc.constant(2), return_body: fc.boolean(), timeout: fc.constant(2_000) }).map((m) => [MSG.PutReq, Buffer.from(encodePb('RpbPutReq', m))] as [number, Buffer]),
  fc.constant([MSG.DelReq, Buffer.from(encodePb('RpbDelReq', { bucket: b('c'), key: b('k'), timeout: 2_000 }))] as [number, Buffer]),
  fc.constant([MSG.ListKeysReq, Buffer.from(encodePb('RpbListKeysReq', { bucket: b('b'), timeout: 2_000 }))] as [number, Buffer]),
  fc.constant([MSG.ListBucketsReq, Buffer.from(encodePb('RpbListBucketsReq', { timeout: 2_000 }))] as [number, Buffer]),
  fc.constant([MSG.GetBucketReq, Buffer.from(encodePb('RpbGetBucketReq', { bucket: b('b') }))] as [number, Buffer]),
  fc.constant([MSG.SetBucketReq, Buffer.from(encodePb('RpbSetBucketReq', { bucket: b('b'), props: { allow_mult: true } }))] as [number, Buffer]),
  fc.constant([MSG.SetClientIdReq, Buffer.from(encodePb('RpbSetClientIdReq', { client_id: b('abcd') }))] as [number, Buffer]),
  fc.constantFrom<[number, Buffer]>([MSG.PingReq, Buffer.alloc(0)], [MSG.GetServerInfoReq, Buffer.alloc(0)], [MSG.GetClientIdReq, Buffer.alloc(0)]),
)

const CODES = Object.values(MSG) as number[]
const hostile: fc.Arbitrary<[number, Buffer]> = fc.oneof(
  fc.tuple(valid, hostileBytes(valid.map(([, body]) => body), 256)).map(([[code], body]) => [code, body] as [number, Buffer]),
  fc.tuple(fc.oneof(fc.constantFrom(...CODES), fc.integer({ min: 0, max: 255 })), hostileBytes(valid.map(([, body]) => body), 256)),
)

t.test('hostile PB requests: an answer or a typed error, never INTERNAL', async (t) => {
  const session = newSession()
  const send: Send = async (_code, name?: MessageName, value?: object) => {
    if (name !== undefined && value !== undefined) encodePb(name, value)
  }
  await fuzzAsync(t, 1, hostile, async ([code, body]) => {
    try {
      await handlePb(deps, session, { code, body }, send)
    } catch (e) {
      if (!(e instanceof SpineError)) throw new Error(`untyped ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`)
      if (e.code === 'INTERNAL') throw new Error(`INTERNAL: ${e.message}`)
    }
  }, 400)
})
