/**
 * Riak's Protocol Buffers port against three real node processes, in raw frames: ping, server
 * info, client ids, put/get with the vclock round trip, siblings as several RpbContent, conditional
 * puts, deletes and tombstone clocks, key and bucket listings streamed to `done`, bucket props,
 * Riak's quorum encodings, and bad input (each an ErrorResp, after which the node still answers).
 */
import t, { type Test } from 'tap'
import { MSG } from '../src/api/pb/codes.js'
import { decodePb } from '../src/api/pb/codec.js'
import { RIAKPB_ALL, RIAKPB_ONE, RIAKPB_QUORUM } from '../src/api/pb/quorum.js'
import type { RpbContent } from '../src/api/pb/content.js'
import type { RpbGetResp, RpbPutResp } from '../src/api/pb/kvOps.js'
import type { RpbBucketProps } from '../src/api/pb/bucketProps.js'
import { startCluster, type TestCluster } from './harness/devCluster.js'
import { errorOf, PbError, PbTestClient } from './harness/pbClient.js'

let cluster: TestCluster
const clients: PbTestClient[] = []
const pbPort = (i: number): number => cluster.basePort + 10 * i + 3
const b = (s: string): Buffer => Buffer.from(s, 'utf8')
const str = (u: Uint8Array | undefined): string => Buffer.from(u ?? []).toString('utf8')

async function open(i: number): Promise<PbTestClient> {
  const c = await PbTestClient.open(pbPort(i))
  clients.push(c)
  return c
}

function put(c: PbTestClient, bucket: string, key: string | undefined, value: string, extra: object = {}): Promise<RpbPutResp> {
  const req = { bucket: b(bucket), ...(key === undefined ? {} : { key: b(key) }), content: { value: b(value), content_type: b('text/plain') }, ...extra }
  return c.call<RpbPutResp>(MSG.PutReq, 'RpbPutReq', req, 'RpbPutResp').then((r) => r.msg)
}

function get(c: PbTestClient, bucket: string, key: string, extra: object = {}): Promise<RpbGetResp> {
  return c.call<RpbGetResp>(MSG.GetReq, 'RpbGetReq', { bucket: b(bucket), key: b(key), ...extra }, 'RpbGetResp').then((r) => r.msg)
}

async function rejects(t: Test, p: Promise<unknown>, pattern: RegExp, what: string): Promise<void> {
  try {
    await p
    t.fail(`${what}: expected an ErrorResp`)
  } catch (e) {
    t.ok(e instanceof PbError, `${what}: an ErrorResp`)
    t.match((e as Error).message, pattern, what)
  }
}

/** Every reply of a streamed listing up to the one with done. */
async function stream(c: PbTestClient, code: number, replyName: 'RpbListKeysResp' | 'RpbListBucketsResp', field: 'keys' | 'buckets'): Promise<{ items: string[]; replies: number }> {
  const items: string[] = []
  let replies = 0
  for (;;) {
    const f = await c.next()
    if (!f) throw new Error('closed mid-stream')
    if (f.code !== code) throw new Error(`unexpected code ${f.code}: ${f.code === 0 ? errorOf(f) : ''}`)
    replies++
    const msg = decodePb<{ keys?: Uint8Array[]; buckets?: Uint8Array[]; done?: boolean }>(replyName, f.body)
    items.push(...(msg[field] ?? []).map((k) => str(k)))
    if (msg.done) return { items, replies }
  }
}

t.before(async () => {
  cluster = await startCluster(3)
})

t.teardown(async () => {
  for (const c of clients) c.close()
  await cluster.stop()
})

t.test('ping, server info and client ids', async (t) => {
  const c = await open(1)
  const ping = await c.call(MSG.PingReq, undefined, undefined)
  t.equal(ping.code, MSG.PingResp)
  const info = await c.call<{ node?: Uint8Array; server_version?: Uint8Array }>(MSG.GetServerInfoReq, undefined, undefined, 'RpbGetServerInfoResp')
  t.equal(str(info.msg.node), 'n1')
  t.match(str(info.msg.server_version), /^spinekv \d+\.\d+\.\d+/)
  const id = await c.call<{ client_id: Uint8Array }>(MSG.GetClientIdReq, undefined, undefined, 'RpbGetClientIdResp')
  t.equal(id.msg.client_id.length, 4, 'a client id per connection')
  t.equal((await c.call(MSG.SetClientIdReq, 'RpbSetClientIdReq', { client_id: b('me') })).code, MSG.SetClientIdResp)
  t.equal(str((await c.call<{ client_id: Uint8Array }>(MSG.GetClientIdReq, undefined, undefined, 'RpbGetClientIdResp')).msg.client_id), 'me')
})

t.test('put on one node, get on another: value, metadata and the vclock round trip', async (t) => {
  const c1 = await open(1)
  const c2 = await open(2)
  const meta = [{ key: b('origin'), value: b('pds') }]
  const stored = await put(c1, 'people', 'alice', 'v1', {
    content: { value: b('v1'), content_type: b('text/plain'), charset: b('utf-8'), usermeta: meta },
    return_body: true,
    w: RIAKPB_QUORUM,
  })
  t.ok(stored.vclock && stored.vclock.length > 0, 'put answers a vclock')
  t.equal(stored.content?.length, 1, 'return_body answers the object')
  t.equal(stored.key, undefined, 'no key is returned when the client named one')
  const got = await get(c2, 'people', 'alice', { r: RIAKPB_ALL })
  t.equal(got.content?.length, 1)
  const s = got.content![0]!
  t.equal(str(s.value), 'v1')
  t.equal(str(s.content_type), 'text/plain')
  t.equal(str(s.charset), 'utf-8')
  t.same(s.usermeta?.map((p) => [str(p.key), str(p.value)]), [['origin', 'pds']])
  t.ok(str(s.vtag).length > 0, 'a vtag')
  t.ok((s.last_mod ?? 0) > 1_700_000_000, 'last_mod in seconds')
  t.same(Buffer.from(got.vclock!), Buffer.from(stored.vclock!), 'the same opaque vclock from either node')
  const head = await get(c2, 'people', 'alice', { head: true })
  t.equal(head.content?.[0]?.value.length, 0, 'head: everything but the value')
  const unchanged = await get(c2, 'people', 'alice', { if_modified: got.vclock })
  t.equal(unchanged.unchanged, true, 'if_modified with the current vclock: unchanged')
  t.equal(unchanged.content, undefined)
  const missing = await get(c1, 'people', 'nobody')
  t.same(missing, {}, 'not found: an empty RpbGetResp')
})

t.test('concurrent writes become siblings (multiple RpbContent); a put with the vclock resolves them', async (t) => {
  const c = await open(1)
  const first = await put(c, 'people', 'bob', 'one')
  await put(c, 'people', 'bob', 'two')
  const got = await get(c, 'people', 'bob')
  const values = (got.content ?? []).map((x: RpbContent) => str(x.value)).sort()
  t.same(values, ['one', 'two'], 'both writes kept')
  t.equal(new Set(got.content!.map((x) => str(x.vtag))).size, 2, 'each sibling has its own vtag')
  t.ok(first.vclock)
  const resolved = await put(c, 'people', 'bob', 'merged', { vclock: got.vclock, return_body: true })
  t.same(resolved.content?.map((x) => str(x.value)), ['merged'], 'the vclock resolves both siblings')
})

t.test('conditional puts and a server-generated key', async (t) => {
  const c = await open(3)
  const v1 = await put(c, 'cond', 'k', 'v1')
  await rejects(t, put(c, 'cond', 'k', 'again', { if_none_match: true }), /^match_found$/, 'if_none_match on a stored key')
  const v2 = await put(c, 'cond', 'k', 'v2', { vclock: v1.vclock })
  await rejects(t, put(c, 'cond', 'k', 'stale', { vclock: v1.vclock, if_not_modified: true }), /^modified$/, 'if_not_modified with a stale vclock')
  const ok = await put(c, 'cond', 'k', 'v3', { vclock: v2.vclock, if_not_modified: true, return_body: true })
  t.same(ok.content?.map((x) => str(x.value)), ['v3'], 'if_not_modified with the current vclock writes')
  t.ok(Buffer.from(v1.vclock!).length > 0)
  const created = await put(c, 'cond', undefined, 'fresh', { return_head: true })
  t.ok(created.key && created.key.length > 0, 'a generated key')
  t.equal(created.content?.[0]?.value.length, 0, 'return_head: metadata without the value')
  t.equal(str((await get(c, 'cond', str(created.key))).content?.[0]?.value), 'fresh', 'stored under the generated key')
})

t.test('delete, then the tombstone clock only with deletedvclock', async (t) => {
  const c = await open(2)
  const stored = await put(c, 'del', 'gone', 'soon')
  const del = await c.call(MSG.DelReq, 'RpbDelReq', { bucket: b('del'), key: b('gone'), vclock: stored.vclock, w: RIAKPB_ALL })
  t.equal(del.code, MSG.DelResp)
  t.same(await get(c, 'del', 'gone'), {}, 'deleted: not found')
  const tomb = await get(c, 'del', 'gone', { deletedvclock: true })
  t.ok(tomb.vclock && tomb.vclock.length > 0, 'deletedvclock: the tombstone clock')
  t.equal(tomb.content, undefined)
  const again = await c.call(MSG.DelReq, 'RpbDelReq', { bucket: b('del'), key: b('never-was'), rw: RIAKPB_ONE })
  t.equal(again.code, MSG.DelResp, 'deleting a missing key succeeds, as in Riak')
})

t.test('list keys streams pages and ends with done; list buckets names each bucket once', async (t) => {
  const c = await open(1)
  const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`)
  for (const k of keys) await put(c, 'listed', k, 'x')
  await put(c, 'listed-tomb', 'only', 'x')
  await c.call(MSG.DelReq, 'RpbDelReq', { bucket: b('listed-tomb'), key: b('only'), w: RIAKPB_ALL })
  c.send(MSG.ListKeysReq, 'RpbListKeysReq', { bucket: b('listed') })
  const listed = await stream(c, MSG.ListKeysResp, 'RpbListKeysResp', 'keys')
  t.same(listed.items.sort(), [...keys].sort(), 'every key once')
  t.ok(listed.replies >= 2, 'keys arrive in at least one reply and a final done')
  c.send(MSG.ListKeysReq, 'RpbListKeysReq', { bucket: b('listed'), type: b('other') })
  t.same((await stream(c, MSG.ListKeysResp, 'RpbListKeysResp', 'keys')).items, [], 'another bucket type has none of them')
  c.send(MSG.ListBucketsReq, 'RpbListBucketsReq', { stream: true })
  const buckets = (await stream(c, MSG.ListBucketsResp, 'RpbListBucketsResp', 'buckets')).items
  t.ok(buckets.includes('listed') && buckets.includes('people'), 'buckets with live keys are listed')
  t.notOk(buckets.includes('listed-tomb'), 'a bucket holding only tombstones is not')
  t.equal(new Set(buckets).size, buckets.length, 'each once')
  const whole = await c.call<{ buckets?: Uint8Array[] }>(MSG.ListBucketsReq, 'RpbListBucketsReq', {}, 'RpbListBucketsResp')
  t.same(whole.msg.buckets?.map((x) => str(x)).sort(), [...buckets].sort(), 'not streamed: one reply with them all')
  t.equal((await c.call(MSG.PingReq, undefined, undefined)).code, MSG.PingResp, 'the connection goes on after a stream')
})

t.test('bucket properties: get answers the resolved props; set only when nothing would change', async (t) => {
  const c = await open(2)
  const props = (await c.call<{ props: RpbBucketProps }>(MSG.GetBucketReq, 'RpbGetBucketReq', { bucket: b('people') }, 'RpbGetBucketResp')).msg.props
  t.equal(props.n_val, 3)
  t.equal(props.allow_mult, true)
  t.equal(props.r, RIAKPB_QUORUM, 'quorum in Riak\'s encoding')
  t.equal(props.notfound_ok, true)
  t.equal((await c.call(MSG.SetBucketReq, 'RpbSetBucketReq', { bucket: b('people'), props: { n_val: 3, allow_mult: true } })).code, MSG.SetBucketResp)
  await rejects(t, c.call(MSG.SetBucketReq, 'RpbSetBucketReq', { bucket: b('people'), props: { n_val: 5 } }), /n_val cannot be changed.*--bucket-props/, 'a change is refused')
  t.equal((await c.call(MSG.ResetBucketReq, 'RpbResetBucketReq', { bucket: b('people') })).code, MSG.ResetBucketResp)
  const typed = (await c.call<{ props: RpbBucketProps }>(MSG.GetBucketTypeReq, 'RpbGetBucketTypeReq', { type: b('default') }, 'RpbGetBucketResp')).msg.props
  t.equal(typed.n_val, 3)
  t.equal((await c.call(MSG.SetBucketTypeReq, 'RpbSetBucketTypeReq', { type: b('default'), props: { allow_mult: true } })).code, MSG.SetBucketResp)
})

t.test('quorum values: Riak\'s encodings, and an impossible one is an ErrorResp', async (t) => {
  const c = await open(3)
  await put(c, 'q', 'k', 'v', { w: RIAKPB_ALL, dw: RIAKPB_ONE, pw: 1 })
  t.equal(str((await get(c, 'q', 'k', { r: RIAKPB_ALL, pr: RIAKPB_ONE })).content?.[0]?.value), 'v')
  t.equal(str((await get(c, 'q', 'k', { r: 2 })).content?.[0]?.value), 'v', 'a plain number')
  await rejects(t, get(c, 'q', 'k', { r: 5 }), /INVALID_QUORUM/, 'r=5 with n=3')
})

t.test('bad input: an ErrorResp, and the node goes on answering', async (t) => {
  const c = await open(1)
  await rejects(t, c.call(MSG.IndexReq, undefined, undefined), /does not decode as RpbIndexReq.*missing required/, 'an IndexReq without its required fields')
  await rejects(t, c.call(80, undefined, undefined), /DtFetchReq.*not supported/, 'CRDT fetch')
  await rejects(t, c.call(23, undefined, undefined), /MapReduce.*not supported/, 'MapReduce')
  await rejects(t, c.call(99, undefined, undefined), /unknown or non-request message code 99/, 'an unknown code')
  await rejects(t, c.call(MSG.GetReq, undefined, undefined), /does not decode as RpbGetReq.*missing required/, 'a GetReq without its required fields')
  c.sendRaw(Buffer.from([0, 0, 0, 4, MSG.GetReq, 0xff, 0xff, 0xff]))
  t.match(errorOf(await c.next()), /does not decode as RpbGetReq/, 'garbage protobuf')
  await rejects(t, put(c, 'bad', 'k', 'v', { content: { value: b('v'), indexes: [{ key: b('f'), value: b('x') }] } }), /must end in _bin or _int/, 'a put with an index field that is neither _bin nor _int')
  await rejects(t, put(c, 'bad', 'k', 'v', { vclock: b('not a clock') }), /INVALID_CONTEXT/, 'a vclock this store did not make')
  await rejects(t, get(c, 'bad', ''), /KEY_TOO_LONG/, 'an empty key')
  t.equal((await c.call(MSG.PingReq, undefined, undefined)).code, MSG.PingResp, 'the same connection still answers')

  // Pipelined requests are answered in order.
  c.send(MSG.PingReq)
  c.send(MSG.GetServerInfoReq)
  c.send(MSG.PingReq)
  t.same([(await c.next())?.code, (await c.next())?.code, (await c.next())?.code], [MSG.PingResp, MSG.GetServerInfoResp, MSG.PingResp], 'pipelined replies in order')

  const big = await open(1)
  big.sendRaw(Buffer.from([0x7f, 0xff, 0xff, 0xff, MSG.PutReq]))
  t.match(errorOf(await big.next()), /FRAME_TOO_LARGE/, 'a frame over the limit is refused')
  t.equal(await big.next(), undefined, 'and the connection closed')
  const empty = await open(2)
  empty.sendRaw(Buffer.from([0, 0, 0, 0]))
  t.match(errorOf(await empty.next()), /MALFORMED_FRAME/, 'a zero length frame')
  t.equal(await empty.next(), undefined, 'and the connection closed')

  for (const i of [1, 2, 3]) {
    const again = await open(i)
    t.equal((await again.call(MSG.PingReq, undefined, undefined)).code, MSG.PingResp, `node ${i} still answers`)
  }
})
