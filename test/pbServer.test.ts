/**
 * The PB listener over an in-process cluster (three SpineNodes on loopback, memory backends):
 * limits and stream behaviour that the multi-process test does not reach — the connection limit,
 * a deep pipeline, a listing of several pages, a listing that meets an unreachable node, a client
 * that leaves mid-stream, and bucket props set by configuration.
 */
import t from 'tap'
import { MSG } from '../src/api/pb/codes.js'
import { decodePb } from '../src/api/pb/codec.js'
import { PbServer } from '../src/api/pb/server.js'
import { RIAKPB_ALL } from '../src/api/pb/quorum.js'
import { KV } from '../src/config.js'
import { silentLogger } from '../src/shared/log.js'
import { inProcessCluster, type InProcessCluster } from './harness/inProcess.js'
import { errorOf, PbTestClient } from './harness/pbClient.js'

let cluster: InProcessCluster
let server: PbServer
const clients: PbTestClient[] = []
const b = (s: string): Buffer => Buffer.from(s)

async function open(): Promise<PbTestClient> {
  const c = await PbTestClient.open(server.port)
  clients.push(c)
  return c
}

t.before(async () => {
  cluster = await inProcessCluster(3, { 'default/fixed': { allowMult: false }, 'default/single': { n: 1 } })
  server = new PbServer({ env: cluster.nodes[0]!.env, serverVersion: 'test', host: '127.0.0.1', port: 0, log: silentLogger(), maxConnections: 3 })
  await server.listen()
})

t.teardown(async () => {
  for (const c of clients) c.close()
  await server.close()
  await cluster.stop()
})

t.test('a deep pipeline is answered in full and in order', async (t) => {
  const c = await open()
  const frames: Buffer[] = []
  for (let i = 0; i < 300; i++) frames.push(Buffer.from(i % 2 === 0 ? [0, 0, 0, 1, MSG.PingReq] : [0, 0, 0, 1, MSG.GetServerInfoReq]))
  c.sendRaw(Buffer.concat(frames))
  const codes: number[] = []
  for (let i = 0; i < 300; i++) codes.push((await c.next())!.code)
  t.same(codes, Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? MSG.PingResp : MSG.GetServerInfoResp)))
  c.close()
})

t.test('list keys over several pages per vnode, each key once', async (t) => {
  const c = await open()
  // Each vnode of a 16-partition ring holds 3/16 of the keys: this many make two pages on each.
  const n = Math.ceil((KV.listPageEntries * 16 * 1.2) / 3)
  let stored = 0
  for (let i = 0; i < n; i++) {
    c.send(MSG.PutReq, 'RpbPutReq', { bucket: b('many'), key: b(`k${i}`), content: { value: b('v') }, w: RIAKPB_ALL })
    if (i % 64 === 63 || i === n - 1) for (let j = i % 64; j >= 0; j--) if ((await c.next())?.code === MSG.PutResp) stored++
  }
  t.equal(stored, n, 'every pipelined put answered PutResp')
  c.send(MSG.ListKeysReq, 'RpbListKeysReq', { bucket: b('many') })
  const keys = new Set<string>()
  let replies = 0
  let largest = 0
  for (;;) {
    const f = (await c.next())!
    t.equal(f.code, MSG.ListKeysResp)
    replies++
    const msg = decodePb<{ keys?: Uint8Array[]; done?: boolean }>('RpbListKeysResp', f.body)
    for (const k of msg.keys ?? []) keys.add(Buffer.from(k).toString())
    largest = Math.max(largest, msg.keys?.length ?? 0)
    if (msg.done) break
  }
  t.equal(keys.size, n, 'every key')
  t.ok(replies > 3, `streamed in ${replies} replies`)
  t.ok(largest <= KV.listPageEntries * KV.listConcurrency, 'a reply holds at most one page from each vnode read at once')
  c.close()
})

t.test('a client that leaves mid-stream harms nothing', async (t) => {
  const c = await open()
  c.send(MSG.ListKeysReq, 'RpbListKeysReq', { bucket: b('many') })
  await c.next()
  c.close()
  const again = await open()
  t.equal((await again.call(MSG.PingReq, undefined, undefined)).code, MSG.PingResp)
  again.close()
})

t.test('the connection limit closes connections beyond it', async (t) => {
  for (const c of clients) c.close()
  await new Promise((r) => setTimeout(r, 100))
  const held = [await open(), await open(), await open()]
  for (const c of held) t.equal((await c.call(MSG.PingReq, undefined, undefined)).code, MSG.PingResp)
  const extra = await open()
  t.equal(await extra.next(), undefined, 'the fourth is closed at once')
  for (const c of held) c.close()
  await new Promise((r) => setTimeout(r, 100))
  const after = await open()
  t.equal((await after.call(MSG.PingReq, undefined, undefined)).code, MSG.PingResp, 'a slot frees when a client leaves')
  after.close()
  extra.close()
})

t.test('bucket props from the node configuration: read, and refused changes name the property', async (t) => {
  const c = await open()
  const props = (await c.call<{ props: { allow_mult?: boolean } }>(MSG.GetBucketReq, 'RpbGetBucketReq', { bucket: b('fixed') }, 'RpbGetBucketResp')).msg.props
  t.equal(props.allow_mult, false, 'allow_mult false is sent, not left out')
  c.send(MSG.SetBucketReq, 'RpbSetBucketReq', { bucket: b('fixed'), props: { allow_mult: true } })
  t.match(errorOf(await c.next()), /allow_mult cannot be changed/)
  c.send(MSG.ResetBucketReq, 'RpbResetBucketReq', { bucket: b('fixed') })
  t.match(errorOf(await c.next()), /ResetBucket default\/fixed: allow_mult/, 'a bucket with props of its own cannot be reset over the wire')
  t.equal((await c.call(MSG.ResetBucketReq, 'RpbResetBucketReq', { bucket: b('plain') })).code, MSG.ResetBucketResp, 'one without is already reset')
  c.close()
})

t.test('a listing that cannot reach a vnode ends with an ErrorResp; the connection goes on', async (t) => {
  await cluster.down(2)
  const c = await open()
  // With N=3 on three nodes this node alone covers every key; a bucket of N=1 needs every node.
  c.send(MSG.ListKeysReq, 'RpbListKeysReq', { bucket: b('many'), timeout: 3000 })
  let keys = await c.next()
  while (keys && keys.code === MSG.ListKeysResp && decodePb<{ done?: boolean }>('RpbListKeysResp', keys.body).done !== true) keys = await c.next()
  t.equal(keys?.code, MSG.ListKeysResp, 'a listing the reachable nodes cover still completes')
  c.send(MSG.ListKeysReq, 'RpbListKeysReq', { bucket: b('single'), timeout: 3000 })
  let f = await c.next()
  while (f && f.code === MSG.ListKeysResp) f = await c.next()
  t.match(errorOf(f), /UNREACHABLE|CONNECTION_CLOSED|TIMEOUT/)
  t.equal((await c.call(MSG.PingReq, undefined, undefined)).code, MSG.PingResp)
  c.send(MSG.ListBucketsReq, 'RpbListBucketsReq', { stream: true, timeout: 3000 })
  f = await c.next()
  while (f && f.code === MSG.ListBucketsResp) f = await c.next()
  t.match(errorOf(f), /UNREACHABLE|CONNECTION_CLOSED|TIMEOUT/)
  c.close()
})
