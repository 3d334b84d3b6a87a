/**
 * Reads ask R replicas first (src/kv/readWave.ts) and the rest only when needed: which replicas a
 * read asks, escalation on a failure, on slow replies and on copies that disagree, and the
 * bucket property that restores Riak's ask-all-N reads.
 */
import t from 'tap'
import { KV } from '../src/config.js'
import { liveSiblings } from '../src/core/object.js'
import { preflist } from '../src/core/ring.js'
import { kvGet } from '../src/kv/getFsm.js'
import { kvPut } from '../src/kv/putFsm.js'
import { firstWave } from '../src/kv/readWave.js'
import type { Payload } from '../src/net/transport.js'
import { inProcessCluster, type InProcessCluster } from './harness/inProcess.js'

let c: InProcessCluster
t.before(async () => {
  c = await inProcessCluster(3, { 'default/all': { readFanout: 'all' } })
})
t.teardown(() => c.stop())

const bk = (bucket: string, key: string) => ({ type: 'default', bucket, key })
const content = (v: string) => ({ value: Buffer.from(v), contentType: 'text/plain', meta: {}, deleted: false })
const values = (o: Awaited<ReturnType<typeof kvGet>>) => (o.obj ? liveSiblings(o.obj).map((s) => Buffer.from(s.value).toString()).sort() : [])

type Hook = (to: string, body: Payload, send: () => Promise<Payload>) => Promise<Payload>

/** Runs fn with node i's outgoing requests passing through hook; records the nodes each vget went to. */
async function through<T>(i: number, hook: Hook, fn: () => Promise<T>): Promise<{ result: T; vgets: string[] }> {
  const tr = c.transports[i]!
  const env = c.nodes[i]!.env
  const original = tr.request.bind(tr)
  const originalLocal = env.localRead
  const vgets: string[] = []
  tr.request = (to, body, timeoutMs) => {
    if ((body as { op?: string }).op === 'vget') vgets.push(to)
    return hook(to, body, () => original(to, body, timeoutMs))
  }
  // The node reads its own replica without the transport (KvEnv.localRead): the hook sees that
  // read as the vget it stands for, and may delay or fail it the same way.
  if (originalLocal) {
    env.localRead = async (p, k) => {
      vgets.push(env.self)
      const reply = (await hook(env.self, { op: 'vget', p, k }, async () => ({ o: (await originalLocal(p, k)) ?? null }))) as { o?: Uint8Array | null }
      return reply.o ?? undefined
    }
  }
  try {
    return { result: await fn(), vgets }
  } finally {
    tr.request = original
    env.localRead = originalLocal
  }
}
const plain: Hook = (_to, _body, send) => send()
const isVget = (body: Payload): boolean => (body as { op?: string }).op === 'vget'

/** The node, of those the wave of `key` read from node 0 leaves out, and one it asks besides itself. */
function roles(key: ReturnType<typeof bk>) {
  const env = c.nodes[0]!.env
  const pl = preflist(env.ring(), key, 3)
  const wave = firstWave(pl, env.self, 2, 'quorum')
  const unasked = pl.filter((_, i) => !wave.includes(i)).map((e) => e.node)
  const askedRemote = wave.map((i) => pl[i]!.node).filter((n) => n !== env.self)
  return { pl, unasked: unasked[0]!, askedRemote: askedRemote[0]! }
}

t.test('a quorum read asks R replicas, this node first; r=all and readFanout=all ask all N', async (t) => {
  const env = c.nodes[0]!.env
  for (const bucket of ['q', 'all']) await kvPut(env, { bk: bk(bucket, 'k'), content: content('v'), opts: { w: 'all' } })
  const q = await through(0, plain, () => kvGet(env, bk('q', 'k')))
  t.same(values(q.result), ['v'])
  t.equal(q.vgets.length, 2, 'r=2 of n=3 asks two replicas')
  t.ok(q.vgets.includes(env.self), 'one of them its own')
  t.equal((await through(0, plain, () => kvGet(env, bk('q', 'k'), { r: 'all' }))).vgets.length, 3)
  t.equal((await through(0, plain, () => kvGet(env, bk('all', 'k')))).vgets.length, 3, 'the bucket asks for Riak-style reads')
})

t.test('a replica of the first wave that fails: the read asks the third and still answers', async (t) => {
  const env = c.nodes[0]!.env
  const key = bk('q', 'fails')
  await kvPut(env, { bk: key, content: content('v'), opts: { w: 'all' } })
  const { askedRemote, unasked } = roles(key)
  const before = env.stats.readEscalations
  const refuse: Hook = (to, body, send) => (isVget(body) && to === askedRemote ? Promise.reject(new Error('refused by the test')) : send())
  const r = await through(0, refuse, () => kvGet(env, key))
  t.same(values(r.result), ['v'])
  t.ok(r.vgets.includes(unasked), 'the replica left out at first was asked')
  t.equal(env.stats.readEscalations, before + 1)
})

t.test('a slow replica of the first wave: the read asks the third after readEscalateMs and answers without it', async (t) => {
  const env = c.nodes[0]!.env
  const key = bk('q', 'slow')
  await kvPut(env, { bk: key, content: content('v'), opts: { w: 'all' } })
  const { askedRemote, unasked } = roles(key)
  let slowAnswered = false
  const slow: Hook = (to, body, send) => {
    if (!isVget(body) || to !== askedRemote) return send()
    return new Promise((resolve) => setTimeout(resolve, KV.readEscalateMs * 25)).then(() => {
      slowAnswered = true
      return send()
    })
  }
  const r = await through(0, slow, () => kvGet(env, key))
  t.same(values(r.result), ['v'])
  t.notOk(slowAnswered, 'answered while the slow replica had not')
  t.ok(r.vgets.includes(unasked))
})

t.test('copies that disagree: the read asks all N and read repair fixes the stale one', async (t) => {
  const key = bk('q', 'stale')
  // Node 0's wave reads itself and askedRemote; keep the write off askedRemote so its copy is missing.
  const { askedRemote } = roles(key)
  const skip: Hook = (to, body, send) => ((body as { op?: string }).op === 'vput' && to === askedRemote ? Promise.reject(new Error('dropped by the test')) : send())
  await through(0, skip, () => kvPut(c.nodes[0]!.env, { bk: key, content: content('v'), opts: { w: 2 } }))
  t.notOk(await holds(askedRemote, key), 'sanity: that replica lacks the key')
  const env = c.nodes[0]!.env
  const before = env.stats.readEscalations
  const r = await through(0, plain, () => kvGet(env, key))
  t.same(values(r.result), ['v'], 'the answer is the merge of those asked')
  t.equal(r.vgets.length, 3, 'a missing copy among the first two: the third was asked too')
  t.equal(env.stats.readEscalations, before + 1)
  t.ok(await waitUntil(() => holds(askedRemote, key)), 'the stale replica was repaired')
})

t.test('a stale copy outside the first wave is left to anti-entropy: no escalation', async (t) => {
  const key = bk('q', 'stale-unasked')
  const { unasked } = roles(key)
  const skip: Hook = (to, body, send) => ((body as { op?: string }).op === 'vput' && to === unasked ? Promise.reject(new Error('dropped by the test')) : send())
  await through(0, skip, () => kvPut(c.nodes[0]!.env, { bk: key, content: content('v'), opts: { w: 2 } }))
  const env = c.nodes[0]!.env
  const before = env.stats.readEscalations
  const r = await through(0, plain, () => kvGet(env, key))
  t.same(values(r.result), ['v'])
  t.equal(r.vgets.length, 2)
  t.equal(env.stats.readEscalations, before)
  t.notOk(await holds(unasked, key), 'the replica nobody asked keeps its stale state')
})

/** Whether node's own replica holds the key: an r=1 read from it asks only its own copy. */
async function holds(node: string, key: ReturnType<typeof bk>): Promise<boolean> {
  const i = c.nodes.findIndex((n) => n.name === node)
  const r = await through(i, plain, () => kvGet(c.nodes[i]!.env, key, { r: 1 }))
  if (r.vgets.length !== 1 || r.vgets[0] !== node) throw new Error('an r=1 read should ask only its own replica')
  return values(r.result).length === 1
}

async function waitUntil(cond: () => Promise<boolean>, ms = 2_000): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await cond()) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return false
}
