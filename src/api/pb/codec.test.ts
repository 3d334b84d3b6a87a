/** The message descriptor against Riak's wire bytes, quorum encodings, and RpbContent both ways. */
import t from 'tap'
import { SpineError } from '../../shared/errors.js'
import { decodePb, encodePb } from './codec.js'
import { contentIn, contentOut, type RpbContent } from './content.js'
import { quorumFromPb, quorumToPb } from './quorum.js'
import type { RpbGetReq } from './kvOps.js'
import { checkUnchanged, propsToPb } from './bucketProps.js'
import { BUCKET_DEFAULTS } from '../../config.js'

t.test('RpbGetReq: field numbers and wire types as riak_kv.proto has them', async (t) => {
  // bucket=1 "b", key=2 "k", r=3 varint 4294967293 (quorum), head=8 true, type=13 "T"
  const bytes = Buffer.from([0x0a, 1, 0x62, 0x12, 1, 0x6b, 0x18, 0xfd, 0xff, 0xff, 0xff, 0x0f, 0x40, 1, 0x6a, 1, 0x54])
  const req = decodePb<RpbGetReq>('RpbGetReq', bytes)
  t.equal(Buffer.from(req.bucket).toString(), 'b')
  t.equal(Buffer.from(req.key).toString(), 'k')
  t.equal(req.r, 4294967293)
  t.equal(req.head, true)
  t.equal(Buffer.from(req.type!).toString(), 'T')
  t.notOk('pr' in req, 'an absent option is absent, not 0')
  t.same(Buffer.from(encodePb('RpbGetReq', req)), bytes, 'and encodes back to the same bytes')
})

t.test('proto2 presence: an explicit false or 0 is sent and read back, an absent field stays absent', async (t) => {
  const bytes = Buffer.from(encodePb('RpbGetReq', { bucket: Buffer.from('b'), key: Buffer.from('k'), notfound_ok: false, pr: 0 }))
  t.same([...bytes], [0x0a, 1, 0x62, 0x12, 1, 0x6b, 0x20, 0, 0x30, 0], 'pr=4 and notfound_ok=6 on the wire')
  const req = decodePb<RpbGetReq>('RpbGetReq', bytes)
  t.equal(req.notfound_ok, false)
  t.equal(req.pr, 0)
  t.notOk('r' in req)
  const props = decodePb<{ allow_mult?: boolean }>('RpbBucketProps', encodePb('RpbBucketProps', { allow_mult: false }))
  t.equal(props.allow_mult, false)
})

t.test('a body that does not decode is INVALID_ARGUMENT naming the message', async (t) => {
  const cases = [Buffer.from([0xff, 0xff]), Buffer.from([0x0a, 5, 0x62]), Buffer.from([0x0a, 1, 0x62])]
  for (const body of cases) {
    try {
      decodePb('RpbGetReq', body)
      t.fail('decoded')
    } catch (e) {
      t.ok(e instanceof SpineError && e.code === 'INVALID_ARGUMENT' && /RpbGetReq/.test(e.message), e instanceof Error ? e.message : String(e))
    }
  }
})

t.test("quorum values use Riak's encodings", async (t) => {
  t.equal(quorumFromPb(4294967294), 'one')
  t.equal(quorumFromPb(4294967293), 'quorum')
  t.equal(quorumFromPb(4294967292), 'all')
  t.equal(quorumFromPb(4294967291), 'default')
  t.equal(quorumFromPb(2), 2)
  t.equal(quorumFromPb(undefined), undefined)
  for (const q of ['one', 'quorum', 'all', 'default', 0, 3] as const) t.equal(quorumFromPb(quorumToPb(q)), q)
})

t.test('RpbContent: metadata and indexes in and out; what spinekv cannot keep is refused', async (t) => {
  const c = contentIn({ value: Buffer.from('v'), content_type: Buffer.from('text/plain'), charset: Buffer.from('utf-8'), usermeta: [{ key: Buffer.from('a'), value: Buffer.from('1') }] })
  t.same(c, { value: Buffer.from('v'), contentType: 'text/plain; charset=utf-8', meta: { a: '1' }, deleted: false })
  const out = contentOut({ ...c, lastModified: 1_700_000_000_123, dot: { actor: 'n1/0', counter: 4 } }, false)
  t.equal(Buffer.from(out.content_type!).toString(), 'text/plain')
  t.equal(Buffer.from(out.charset!).toString(), 'utf-8')
  t.equal(out.last_mod, 1_700_000_000)
  t.equal(out.last_mod_usecs, 123_000)
  t.equal(out.deleted, undefined)
  t.ok(out.vtag && out.vtag.length > 0)
  t.equal(contentOut({ ...c, deleted: true, lastModified: 0, dot: { actor: 'a', counter: 1 } }, true).deleted, true, 'a tombstone is marked deleted')
  t.equal(Buffer.from(contentIn({ value: Buffer.from('x') }).contentType).toString(), 'application/octet-stream', 'no content type: bytes')
  const refused: Array<[string, RpbContent]> = [
    ['an index field neither _bin nor _int', { value: Buffer.from('v'), indexes: [{ key: Buffer.from('i'), value: Buffer.from('x') }] }],
    ['an _int index value that is not a number', { value: Buffer.from('v'), indexes: [{ key: Buffer.from('n_int'), value: Buffer.from('x') }] }],
    ['links', { value: Buffer.from('v'), links: [{ bucket: Buffer.from('b') }] }],
    ['content_encoding', { value: Buffer.from('v'), content_encoding: Buffer.from('gzip') }],
    ['non-UTF-8 metadata', { value: Buffer.from('v'), usermeta: [{ key: Buffer.from([0xff]), value: Buffer.from('x') }] }],
  ]
  const indexed = contentIn({ value: Buffer.from('v'), indexes: [{ key: Buffer.from('N_INT'), value: Buffer.from('007') }, { key: Buffer.from('a_bin'), value: Buffer.from('x') }, { key: Buffer.from('a_bin'), value: Buffer.from('x') }] })
  t.same(indexed.indexes, [['a_bin', 'x'], ['n_int', '7']], 'indexes in: lower-cased, canonical, sorted, once each')
  const back = contentOut({ ...indexed, lastModified: 0, dot: { actor: 'a', counter: 1 } }, false)
  t.same(back.indexes?.map((p) => [Buffer.from(p.key).toString(), Buffer.from(p.value!).toString()]), [['a_bin', 'x'], ['n_int', '7']], 'and out')
  for (const [what, bad] of refused) {
    t.throws(() => contentIn(bad), { code: 'INVALID_ARGUMENT' }, what)
  }
})

t.test('bucket props: Riak encodings out; a set that changes nothing passes, one that does is refused', async (t) => {
  const props = propsToPb(BUCKET_DEFAULTS)
  t.equal(props.n_val, 3)
  t.equal(props.r, 4294967293)
  t.equal(props.pr, 0)
  t.doesNotThrow(() => checkUnchanged('x', BUCKET_DEFAULTS, { n_val: 3, allow_mult: true, r: 4294967293, precommit: [] }))
  t.throws(() => checkUnchanged('x', BUCKET_DEFAULTS, { allow_mult: false }), { code: 'INVALID_ARGUMENT', message: /allow_mult/ })
  t.throws(() => checkUnchanged('x', BUCKET_DEFAULTS, { backend: Buffer.from('leveldb') }), { message: /backend.*not supported/ })
})
