/**
 * kvPutMany, the batched quorum write behind bulk loads, over real TCP between in-process nodes:
 * every write lands on all N replicas as kvPut's would, a key in use gets a sibling (never an
 * overwrite), one refused write fails alone, and a batch survives a replica that is gone.
 */
import t from 'tap'
import { KV, LIMITS } from '../src/config.js'
import { encodeBKey } from '../src/core/hash.js'
import { liveSiblings } from '../src/core/object.js'
import { encodeContext } from '../src/core/objectCodec.js'
import { preflist } from '../src/core/ring.js'
import { kvGet } from '../src/kv/getFsm.js'
import { kvPut } from '../src/kv/putFsm.js'
import { kvPutMany } from '../src/kv/putMany.js'
import type { PutRequest } from '../src/kv/forward.js'
import { inProcessCluster, type InProcessCluster } from './harness/inProcess.js'
import { codeOf } from './harness/codeOf.js'

let c: InProcessCluster

t.before(async () => {
  c = await inProcessCluster(4, { 'default/lww': { allowMult: false } })
})
t.teardown(() => c.stop())

const bk = (bucket: string, key: string) => ({ type: 'default', bucket, key })
const put = (bucket: string, key: string, v: string, opts: PutRequest['opts'] = {}): PutRequest => ({
  bk: bk(bucket, key),
  content: { value: Buffer.from(v), contentType: 'text/plain', meta: {}, deleted: false },
  opts,
})
const text = (s: { value: Uint8Array }) => Buffer.from(s.value).toString()

/** The value each primary holds of a key, read from its vnode directly (no quorum, no repair). */
async function replicaValues(bucket: string, key: string): Promise<string[][]> {
  const b = bk(bucket, key)
  const out: string[][] = []
  for (const e of preflist(c.nodes[0]!.env.ring(), b, 3)) {
    const obj = await c.nodes.find((n) => n.name === e.node)!.vnodes.vnode(e.partition).get(encodeBKey(b))
    out.push(obj ? liveSiblings(obj).map(text).sort() : [])
  }
  return out
}

t.test('every write of a batch is on all N replicas, including keys this node holds no replica of', async (t) => {
  const env = c.nodes[0]!.env
  const forwardedBefore = env.stats.forwarded
  const reqs = Array.from({ length: 120 }, (_, i) => put('bulk', `k${i}`, `v${i}`))
  const out = await kvPutMany(env, reqs)
  t.same(out.filter((o) => !o.ok), [], 'all stored')
  for (let i = 0; i < 120; i++) t.same(await replicaValues('bulk', `k${i}`), [[`v${i}`], [`v${i}`], [`v${i}`]], `k${i} on three replicas`)
  t.ok(env.stats.forwarded > forwardedBefore, 'keys outside this node\'s preference lists went the forwarded way')
})

t.test('a key already in use gets a sibling, not an overwrite; with allow_mult=false the batched write wins', async (t) => {
  const env = c.nodes[1]!.env
  await kvPut(env, { ...put('bulk', 'taken', 'old') })
  await kvPut(env, { ...put('lww', 'taken', 'old') })
  const out = await kvPutMany(env, [put('bulk', 'taken', 'new'), put('lww', 'taken', 'new')])
  t.ok(out.every((o) => o.ok))
  t.same(await replicaValues('bulk', 'taken'), [['new', 'old'], ['new', 'old'], ['new', 'old']], 'both kept on every replica')
  const lww = await kvGet(env, bk('lww', 'taken'), { r: 'all' })
  t.same(lww.obj ? liveSiblings(lww.obj).map(text) : [], ['new'])
})

t.test('a batched write with the read\'s context replaces what it read; a bad context fails alone', async (t) => {
  const env = c.nodes[0]!.env
  await kvPut(env, put('bulk', 'ctx', 'a'))
  await kvPut(c.nodes[1]!.env, put('bulk', 'ctx', 'b'))
  const read = await kvGet(env, bk('bulk', 'ctx'), { r: 'all' })
  const out = await kvPutMany(env, [put('bulk', 'ctx', 'resolved', { context: encodeContext(read.context) }), put('bulk', 'ctx2', 'x', { context: Buffer.from([0xc1]) })])
  t.same(out.map((o) => (o.ok ? 'ok' : o.error.code)), ['ok', 'INVALID_CONTEXT'])
  t.same(await replicaValues('bulk', 'ctx'), [['resolved'], ['resolved'], ['resolved']], 'one value on every replica')
})

t.test('a refused write fails alone, with its own code, in its own place', async (t) => {
  const env = c.nodes[2]!.env
  for (let i = 0; i < LIMITS.maxSiblings; i++) await kvPut(env, put('bulk', 'crowded', `s${i}`))
  const deleted = put('bulk', 'del', '')
  const reqs = [
    put('bulk', 'fine-1', 'a'),
    put('bulk', 'crowded', 'one too many'),
    put('bulk', 'quorum', 'b', { w: 4 }),
    { ...deleted, content: { ...deleted.content, deleted: true } },
    put('bulk', 'fine-2', 'c'),
  ]
  const out = await kvPutMany(env, reqs)
  t.same(
    out.map((o) => (o.ok ? 'ok' : o.error.code)),
    ['ok', 'TOO_MANY_SIBLINGS', 'INVALID_QUORUM', 'INVALID_ARGUMENT', 'ok'],
  )
  t.equal((await replicaValues('bulk', 'crowded'))[0]!.length, LIMITS.maxSiblings, 'the refused write changed nothing')
  t.same(await replicaValues('bulk', 'fine-2'), [['c'], ['c'], ['c']])
  t.equal(await codeOf(kvPutMany(env, Array.from({ length: KV.maxBatchItems + 1 }, (_, i) => put('bulk', `x${i}`, 'x')))), 'INVALID_ARGUMENT', 'an oversized batch is refused whole')
  t.same(await replicaValues('bulk', 'x0'), [[], [], []], 'and nothing of it was written')
})

t.test('with a replica gone, W=2 still succeeds and W=all fails per write; the written copies stay', async (t) => {
  await c.down(3)
  const env = c.nodes[0]!.env
  const gone = c.nodes[3]!.name
  const keys = Array.from({ length: 60 }, (_, i) => `down${i}`).filter((k) => preflist(env.ring(), bk('bulk', k), 3).some((e) => e.node === gone))
  const twos = await kvPutMany(env, keys.map((k) => put('bulk', k, 'w2', { sloppyQuorum: false })))
  t.ok(twos.every((o) => o.ok), 'W=2 of three primaries, one gone')
  const alls = await kvPutMany(env, keys.map((k) => put('bulk', `${k}-all`, 'wall', { w: 'all', sloppyQuorum: false })))
  const inGone = keys.filter((k) => preflist(env.ring(), bk('bulk', `${k}-all`), 3).some((e) => e.node === gone))
  t.equal(alls.filter((o) => !o.ok).length, inGone.length, 'W=all fails exactly where a primary is gone')
  t.ok(alls.filter((o) => !o.ok).every((o) => !o.ok && o.error.code === 'W_UNSATISFIED'), 'as W_UNSATISFIED')
  const read = await kvGet(env, bk('bulk', keys[0]!), { r: 2 })
  t.same(read.obj ? liveSiblings(read.obj).map(text) : [], ['w2'])
})
