/**
 * Anti-entropy over real nodes in one process (TCP on loopback, memory backends): trees follow
 * every write path, a rebuild racing writes ends equal to the data, and exchanges heal replicas
 * that missed writes or lost them — with no client reads.
 */
import t from 'tap'
import { inProcessCluster, type InProcessCluster } from '../../../test/harness/inProcess.js'
import { encodeBKey, type BKey } from '../../core/hash.js'
import { preflist } from '../../core/ring.js'
import { decodeObject } from '../../core/objectCodec.js'
import { kvPut } from '../../kv/putFsm.js'
import { BucketPropsTable } from '../../kv/bucketProps.js'
import { MemoryBackend } from '../../storage/memory.js'
import { SystemClock } from '../realEnv.js'
import { silentLogger } from '../../shared/log.js'
import { Vnode } from '../vnode.js'
import { TreeStore } from './treeStore.js'
import { exchangePlans } from './manager.js'
import { createRing } from '../../core/ring.js'

const FAST_AAE = { tickMs: 20, exchangesPerTick: 64, concurrency: 4, branches: 16, segmentsPerBranch: 16, rebuildRateKeysPerSec: 0, rebuildBatch: 50 }
const bk = (i: number): BKey => ({ type: 'default', bucket: 'aae', key: `k${i}` })
const put = (i: number) => ({ bk: bk(i), content: { value: Buffer.from(`v${i}`), contentType: 'text/plain', meta: {}, deleted: false }, opts: { w: 3 } })

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Keys whose primaries do not all hold the same copy (read straight from the vnodes: no repair). */
async function divergent(c: InProcessCluster, count: number): Promise<number> {
  const ring = c.nodes[0]!.env.ring()
  let bad = 0
  for (let i = 0; i < count; i++) {
    const k = encodeBKey(bk(i))
    const copies = await Promise.all(preflist(ring, bk(i), 3).map(async (e) => {
      const node = c.nodes.find((n) => n.name === e.node)!
      const raw = await node.vnodes.vnode(e.partition).getRaw(k)
      return raw ? Buffer.from(raw).toString('hex') : 'absent'
    }))
    if (new Set(copies).size > 1) bad++
  }
  return bad
}

// The nodes' timers are unref'd (a stopping process must not wait for them): keep the test alive.
const keepAlive = setInterval(() => undefined, 1_000)
t.teardown(() => clearInterval(keepAlive))

t.test('exchange plans: every other primary of every list a partition is in', async (t) => {
  const ring = createRing(['a', 'b', 'c'], 8, 3)
  const plans = exchangePlans(ring, 'a', [3])
  const owned = ring.owners.filter((o) => o === 'a').length
  t.equal(plans.length, owned * 3 * 2, '3 lists per partition, 2 peers per list')
  t.ok(plans.every((p) => p.peerP !== p.p && (p.p - p.hp + 8) % 8 < 3 && (p.peerP - p.hp + 8) % 8 < 3))
})

t.test('a rebuild racing writes ends equal to a rebuild of the final data', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const clock = new SystemClock()
  const log = silentLogger()
  const props = new BucketPropsTable({}, 8)
  const opts = { shape: { branches: 8, segmentsPerBranch: 8 }, rebuildRateKeysPerSec: 2_000, rebuildBatch: 10 }
  const seedStore = new TreeStore({ backend, clock, log, q: 8, props }, opts)
  const seedVnode = new Vnode(3, 'n1', backend, clock, log, undefined, [seedStore.hook()])
  const content = (v: string) => ({ value: Buffer.from(v), contentType: 't', meta: {}, deleted: false, lastModified: 1 })
  for (let i = 0; i < 200; i++) await seedVnode.coordinate(encodeBKey(bk(i)), { context: [], content: content(`a${i}`), allowMult: true, sync: false })
  // A restart without a clean save: the fold rebuilds while writes go on.
  const store = new TreeStore({ backend, clock, log, q: 8, props }, opts)
  const vnode = new Vnode(3, 'n1', backend, clock, log, undefined, [store.hook()])
  await store.init()
  t.equal(store.state(3).state, 'rebuilding')
  for (let round = 0; round < 5; round++) {
    for (let i = round; i < 260; i += 7) {
      const k = encodeBKey(bk(i))
      const local = await vnode.get(k)
      await vnode.coordinate(k, { context: local?.clock ?? [], content: content(`b${round}.${i}`), allowMult: true, sync: false })
    }
    await new Promise((r) => setTimeout(r, 5))
  }
  await store.folded()
  t.equal(store.state(3).state, 'built')
  const fresh = new TreeStore({ backend, clock, log, q: 8, props }, { ...opts, rebuildRateKeysPerSec: 0 })
  await fresh.init()
  await fresh.folded()
  for (const { hp, n } of fresh.treeIds(3)) t.ok(store.tree(3, hp, n)!.equals(fresh.tree(3, hp, n)!), `tree ${hp}/${n} equals the rebuild`)
  t.ok(store.treeIds(3).length >= 1)
})

t.test('a clean save is used at once, and a disk that lost objects behind it is caught', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const clock = new SystemClock()
  const log = silentLogger()
  const props = new BucketPropsTable({}, 8)
  const opts = { shape: { branches: 8, segmentsPerBranch: 8 }, rebuildRateKeysPerSec: 0, rebuildBatch: 50 }
  const s1 = new TreeStore({ backend, clock, log, q: 8, props }, opts)
  const v = new Vnode(2, 'n1', backend, clock, log, undefined, [s1.hook()])
  await s1.init()
  for (let i = 0; i < 100; i++) await v.coordinate(encodeBKey(bk(i)), { context: [], content: { value: Buffer.from('x'), contentType: 't', meta: {}, deleted: false, lastModified: 1 }, allowMult: true, sync: false })
  t.equal(await s1.save(), 1, 'saved on a clean stop')
  const s2 = new TreeStore({ backend, clock, log, q: 8, props }, opts)
  await s2.init()
  await s2.folded()
  t.equal(s2.lostDetected, 0, 'an intact disk matches its save')
  t.equal(await s2.save(), 1)
  // What `debug forget` does: objects go, the metadata partition (and the save) stays.
  let dropped = 0
  for await (const [k] of backend.fold(2)) if (dropped++ % 3 === 0) await backend.del(2, k)
  const s3 = new TreeStore({ backend, clock, log, q: 8, props }, opts)
  await s3.init()
  t.equal(s3.state(2).state, 'built', 'the saved trees serve exchanges at once')
  await s3.folded()
  t.equal(s3.lostDetected, 1, 'the verifying fold finds the loss')
  t.equal(s3.state(2).foldedKeys, 100 - Math.ceil(100 / 3))
})

t.test('exchanges heal a replica that missed writes, with no client reads', async (t) => {
  const c = await inProcessCluster(3, {}, 8, 200, { start: true, aae: FAST_AAE })
  t.teardown(() => c.stop())
  // Trees kept, exchanges paused while the divergence is set up.
  c.nodes.forEach((n) => n.aae.setEnabled(false))
  const env = c.nodes[0]!.env
  for (let i = 0; i < 200; i++) await kvPut(env, put(i))
  // A third of the keys get a second write that skips one replica (as a lost replication message would).
  const ring = env.ring()
  for (let i = 0; i < 200; i += 3) {
    const pl = preflist(ring, bk(i), 3)
    const k = encodeBKey(bk(i))
    const first = c.nodes.find((n) => n.name === pl[0]!.node)!.vnodes.vnode(pl[0]!.partition)
    const local = await first.get(k)
    const bytes = await first.coordinate(k, { context: local!.clock, content: { value: Buffer.from(`w${i}`), contentType: 't', meta: {}, deleted: false, lastModified: 2 }, allowMult: true, sync: false })
    const second = c.nodes.find((n) => n.name === pl[1]!.node)!.vnodes.vnode(pl[1]!.partition)
    await second.merge(k, decodeObject(bytes), true, false)
  }
  t.equal(await divergent(c, 200), 67, '67 keys have one stale replica')
  for (const n of c.nodes) await n.trees.folded()
  c.nodes.forEach((n) => n.aae.setEnabled(true))
  await until('replicas to converge', async () => (await divergent(c, 200)) === 0)
  // An exchange reports its repairs when it ends, after they landed.
  const repaired = () => c.nodes.reduce((s, n) => s + n.aae.status().keysRepaired, 0)
  await until('the exchanges to report', () => repaired() >= 67)
  t.ok(repaired() >= 67, `${repaired()} keys repaired`)
  t.equal(env.stats.readRepairs, 0, 'no read repair took part')
})

t.test('a node restarted with a third of its objects gone gets them back', async (t) => {
  const c = await inProcessCluster(3, {}, 8, 200, { start: true, aae: FAST_AAE })
  t.teardown(() => c.stop())
  for (let i = 0; i < 300; i++) await kvPut(c.nodes[0]!.env, put(i))
  await c.down(1)
  const backend = c.nodes[1]!.vnodes.backend
  let gone = 0
  for (const p of await backend.partitions()) {
    if (p >= 8) continue
    let i = 0
    for await (const [k] of backend.fold(p)) if (i++ % 3 === 0) (await backend.del(p, k), gone++)
  }
  t.ok(gone > 50, `${gone} objects forgotten`)
  await c.up(1)
  await until('every key back on n2', async () => (await divergent(c, 300)) === 0, 20_000)
  await until('the exchanges to report', () => c.nodes.reduce((s, n) => s + n.aae.status().keysRepaired, 0) >= gone)
})

t.test('--aae off: no trees, no exchanges, and peers wait rather than fail', async (t) => {
  const c = await inProcessCluster(3, {}, 8, 200, { start: true, aae: { ...FAST_AAE, enabled: false } })
  t.teardown(() => c.stop())
  for (let i = 0; i < 20; i++) await kvPut(c.nodes[0]!.env, put(i))
  await new Promise((r) => setTimeout(r, 100))
  for (const n of c.nodes) {
    const s = n.aae.status()
    t.equal(s.enabled, false)
    t.equal(s.treeBytes, 0, `${n.name} keeps no trees`)
    t.equal(s.exchanges, 0)
    t.ok(s.partitions.every((p) => p.tree === 'off'))
  }
})

t.test('a segment listing stops at its byte bound as well as its key count', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const clock = new SystemClock()
  const log = silentLogger()
  const props = new BucketPropsTable({}, 8)
  const opts = { shape: { branches: 8, segmentsPerBranch: 8 }, rebuildRateKeysPerSec: 0, rebuildBatch: 50 }
  const store = new TreeStore({ backend, clock, log, q: 8, props }, opts)
  const v = new Vnode(2, 'n1', backend, clock, log, undefined, [store.hook()])
  await store.init()
  // Long keys (400 bytes), as a bucket and key near their limits make them.
  const longKey = (i: number) => encodeBKey({ type: 'default', bucket: 'aae', key: `${i}`.padStart(400, 'k') })
  for (let i = 0; i < 200; i++) await v.coordinate(longKey(i), { context: [], content: { value: Buffer.from('x'), contentType: 't', meta: {}, deleted: false, lastModified: 1 }, allowMult: true, sync: false })
  await store.folded()
  const all = new Set(Array.from({ length: 64 }, (_, s) => s))
  const listings = await Promise.all(store.treeIds(2).map(async (id) => ({ id, keys: await store.keysIn(2, id.hp, id.n, all, { keys: 1_000, bytes: 1 << 20 }) })))
  const { id: tree, keys: everything } = listings.sort((a, b) => b.keys.length - a.keys.length)[0]!
  t.ok(everything.length > 10, `unbounded: every key of tree ${tree.hp}/${tree.n} (${everything.length})`)
  const keyBytes = everything[0]![0].byteLength
  const bounded = await store.keysIn(2, tree.hp, tree.n, all, { keys: 1_000, bytes: 10 * keyBytes + 200 })
  t.equal(bounded.length, 10, `bounded by bytes: 10 keys of ${keyBytes} bytes`)
  t.same(bounded.map(([k]) => Buffer.from(k).toString('hex')), everything.slice(0, 10).map(([k]) => Buffer.from(k).toString('hex')), 'the first ones, in key order')
  t.equal((await store.keysIn(2, tree.hp, tree.n, all, { keys: 1_000, bytes: 1 })).length, 1, 'a key larger than the bound is listed alone')
  t.equal((await store.keysIn(2, tree.hp, tree.n, all, { keys: 7, bytes: 1 << 20 })).length, 7, 'and the count still bounds it')
})
