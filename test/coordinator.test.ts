/**
 * Coordinator paths over real TCP between in-process nodes: writes forwarded from a node outside
 * the preference list, small n, last-write-wins buckets, sibling and size limits, reaping.
 */
import t from 'tap'
import { SpineError } from '../src/shared/errors.js'
import { LIMITS } from '../src/config.js'
import { liveSiblings } from '../src/core/object.js'
import { encodeContext } from '../src/core/objectCodec.js'
import { preflist } from '../src/core/ring.js'
import { kvDelete } from '../src/kv/deleteFsm.js'
import { kvGet } from '../src/kv/getFsm.js'
import { kvPut } from '../src/kv/putFsm.js'
import type { SpineNode } from '../src/node/node.js'
import { inProcessCluster, type InProcessCluster } from './harness/inProcess.js'
import { codeOf } from './harness/codeOf.js'

let c: InProcessCluster

t.before(async () => {
  c = await inProcessCluster(4, { 'default/one': { n: 1 }, 'default/lww': { allowMult: false }, lwwtype: { allowMult: false, n: 2 } })
})
t.teardown(() => c.stop())

const bk = (bucket: string, key: string, type = 'default') => ({ type, bucket, key })
const content = (v: string) => ({ value: Buffer.from(v), contentType: 'text/plain', meta: {}, deleted: false })
const values = (o: Awaited<ReturnType<typeof kvGet>>) => (o.obj ? liveSiblings(o.obj).map((s) => Buffer.from(s.value).toString()).sort() : [])


function outsider(key: ReturnType<typeof bk>, n: number): SpineNode {
  const owners = new Set(preflist(c.nodes[0]!.env.ring(), key, n).map((e) => e.node))
  const node = c.nodes.find((x) => !owners.has(x.name))
  if (!node) throw new Error('every node is a primary')
  return node
}

t.test('a node outside the preference list forwards the write to a primary', async (t) => {
  const key = bk('one', 'forwarded')
  const from = outsider(key, 1)
  const before = from.env.stats.forwarded
  await kvPut(from.env, { bk: key, content: content('v1'), opts: {} })
  t.equal(from.env.stats.forwarded, before + 1, 'the write was forwarded')
  t.same(values(await kvGet(from.env, key)), ['v1'], 'and reads back from any node')
  const owner = preflist(from.env.ring(), key, 1)[0]!
  const stored = await c.nodes.find((n) => n.name === owner.node)!.vnodes.vnode(owner.partition).get(Buffer.from([]))
  t.equal(stored, undefined, 'sanity: a different key is not there')
})

t.test('n=3 over 4 nodes: every node reads the same value, writes forward when needed', async (t) => {
  for (let i = 0; i < 20; i++) {
    const key = bk('many', `k${i}`)
    const writer = c.nodes[i % 4]!
    await kvPut(writer.env, { bk: key, content: content(`v${i}`), opts: { w: 'all' } })
    for (const reader of c.nodes) t.same(values(await kvGet(reader.env, key, { r: 'all' })), [`v${i}`])
  }
})

t.test('allow_mult=false keeps one value: the last write wins', async (t) => {
  const key = bk('lww', 'k')
  const a = c.nodes[0]!.env
  await kvPut(a, { bk: key, content: content('first'), opts: {} })
  await new Promise((r) => setTimeout(r, 5))
  await kvPut(c.nodes[1]!.env, { bk: key, content: content('second'), opts: {} })
  t.same(values(await kvGet(a, key, { r: 'all' })), ['second'])
})

t.test('bucket-type props apply to every bucket of the type', async (t) => {
  t.equal(c.nodes[0]!.env.props.get('lwwtype', 'anything').n, 2)
  t.equal(c.nodes[0]!.env.props.get('lwwtype', 'anything').allowMult, false)
  t.equal(await codeOf(kvGet(c.nodes[0]!.env, bk('x', 'k', 'lwwtype'), { r: 3 })), 'INVALID_QUORUM', 'r above the type\'s n')
})

t.test('blind writes past the sibling limit are refused, and nothing is lost', async (t) => {
  const key = bk('sibs', 'hot')
  const env = c.nodes[0]!.env
  for (let i = 0; i < LIMITS.maxSiblings; i++) await kvPut(env, { bk: key, content: content(`s${i}`), opts: {} })
  t.equal(values(await kvGet(env, key)).length, LIMITS.maxSiblings)
  t.equal(await codeOf(kvPut(env, { bk: key, content: content('one-too-many'), opts: {} })), 'TOO_MANY_SIBLINGS')
  const r = await kvGet(env, key, { r: 'all' })
  t.equal(values(r).length, LIMITS.maxSiblings, 'the refused write changed nothing')
  await kvPut(env, { bk: key, content: content('resolved'), opts: { context: encodeContext(r.context) } })
  t.same(values(await kvGet(env, key, { r: 'all' })), ['resolved'], 'a write with the context collapses them')
})

t.test('an object that would exceed maxObjectBytes is refused', async (t) => {
  const key = bk('big', 'k')
  const env = c.nodes[0]!.env
  const chunk = Buffer.alloc(LIMITS.maxValueBytes, 1)
  let code = 'ok'
  for (let i = 0; code === 'ok' && i < 20; i++) code = await codeOf(kvPut(env, { bk: key, content: { ...content(''), value: chunk }, opts: {} }))
  t.equal(code, 'OBJECT_TOO_LARGE')
  t.equal(values(await kvGet(env, key, { r: 'all' })).length, Math.floor(LIMITS.maxObjectBytes / LIMITS.maxValueBytes) - 1, "every write before the refused one is kept")
})

t.test('a delete without a context supersedes what it read; the tombstone is reaped', async (t) => {
  const key = bk('del', 'k')
  const env = c.nodes[2]!.env
  await kvPut(env, { bk: key, content: content('v'), opts: {} })
  await kvDelete(env, key, {})
  const r = await kvGet(env, key, { r: 'all' })
  t.same(values(r), [], 'reads as not found')
  t.ok(r.obj && r.obj.siblings.every((s) => s.deleted), 'a tombstone is stored until the reap')
  await new Promise((res) => setTimeout(res, 600))
  const after = await kvGet(env, key, { r: 'all' })
  t.equal(after.obj, undefined, 'reaped from every replica')
  await kvPut(env, { bk: key, content: content('again'), opts: {} })
  t.same(values(await kvGet(env, key, { r: 'all' })), ['again'], 're-created after the reap')
})
