/**
 * Sloppy quorum and hinted handoff over real TCP between in-process nodes with heartbeats: a
 * down primary is replaced by a fallback, and when it is back its copy arrives by handoff alone.
 */
import t from 'tap'
import { encodeBKey } from '../src/core/hash.js'
import { liveSiblings } from '../src/core/object.js'
import { annotatedPreflist } from '../src/core/fallbacks.js'
import { preflist } from '../src/core/ring.js'
import { ringChecksum } from '../src/node/handoff/ringChecksum.js'
import { kvPut } from '../src/kv/putFsm.js'
import { inProcessCluster, type InProcessCluster } from './harness/inProcess.js'
import { codeOf } from './harness/codeOf.js'

const DOWN_AFTER_MS = 300
let c: InProcessCluster

t.before(async () => {
  c = await inProcessCluster(4, {}, 16, 200, {
    heartbeat: { intervalMs: 50, timeoutMs: 100 },
    downAfterMs: DOWN_AFTER_MS,
    handoff: { checkIntervalMs: 100, batchSize: 3 },
  })
})
t.teardown(() => c.stop())

const content = (v: string) => ({ value: Buffer.from(v), contentType: 'text/plain', meta: {}, deleted: false })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const idx = (name: string) => c.nodes.findIndex((n) => n.name === name)

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await fn()) return
    await sleep(50)
  }
  throw new Error(`timed out waiting for ${what}`)
}

// Keys whose second primary is the node taken down; the first primary coordinates.
const ring = () => c.nodes[0]!.env.ring()
const bk = (key: string) => ({ type: 'default', bucket: 'h', key })
function keysWithSecondPrimary(node: string, count: number): string[] {
  const out: string[] = []
  for (let i = 0; out.length < count; i++) if (preflist(ring(), bk(`k${i}`), 3)[1]!.node === node) out.push(`k${i}`)
  return out
}

/** The partition the down node holds for the key: the one its fallback stands in for. */
const downPartition = (key: string) => preflist(ring(), bk(key), 3)[1]!.partition

t.test('a down primary is replaced by a fallback; its data comes home by handoff', async (t) => {
  const downName = 'n2'
  const keys = keysWithSecondPrimary(downName, 10)
  const pl = preflist(ring(), bk(keys[0]!), 3)
  const coord = c.nodes[idx(pl[0]!.node)]!
  await c.down(idx(downName))
  await sleep(DOWN_AFTER_MS * 2)
  t.notOk(coord.env.isUp(downName), 'the detector holds the closed node down')

  for (const key of keys) await kvPut(coord.env, { bk: bk(key), content: content(`v-${key}`), opts: { w: 3 } })
  t.pass('w=3 puts succeed through a fallback')
  t.equal(await codeOf(kvPut(coord.env, { bk: bk(keys[0]!), content: content('x'), opts: { w: 3, sloppyQuorum: false } })), 'W_UNSATISFIED', 'strict quorum: w=3 fails')
  t.equal(await codeOf(kvPut(coord.env, { bk: bk(keys[0]!), content: content('x'), opts: { w: 1, pw: 3 } })), 'PW_UNSATISFIED', 'pw=3 counts primaries only')
  await kvPut(coord.env, { bk: bk(keys[1]!), content: content(`v-${keys[1]}`), opts: { w: 3, nodeConfirms: 3 } })
  t.pass('nodeConfirms=3 is met by two primaries and a fallback on a third node')

  const held = new Map<string, number>() // fallback node -> hinted keys
  for (const key of keys) {
    const p = downPartition(key)
    for (const n of c.nodes) if (n.name !== downName && ring().owners[p] !== n.name && (await n.vnodes.backend.get(p, encodeBKey(bk(key))))) held.set(n.name, (held.get(n.name) ?? 0) + 1)
  }
  t.ok([...held.values()].reduce((a, b) => a + b, 0) >= keys.length, 'each key is held as a hint by a fallback')

  await c.up(idx(downName))
  const owner = c.nodes[idx(downName)]!
  await waitFor('handoff to the returned primary', async () => {
    for (const key of keys) {
      const o = await owner.vnodes.vnode(downPartition(key)).get(encodeBKey(bk(key)))
      if (!o || !liveSiblings(o).some((s) => Buffer.from(s.value).toString() === `v-${key}`)) return false
    }
    return true
  })
  t.pass('every key reached the returned primary without a client read')
  await waitFor('fallbacks empty', async () => {
    for (const n of c.nodes) {
      for (const p of await n.vnodes.backend.partitions()) if (p < ring().q && ring().owners[p] !== n.name) return false
    }
    return true
  })
  t.pass('no node holds data for a partition it does not own')
  for (const n of c.nodes) t.same(n.handoff.transfers(), [], `${n.name} has no transfers left`)
})

t.test('a handoff batch for a partition the receiver does not own is refused: RING_MISMATCH when the rings differ', async (t) => {
  const p = ring().owners.findIndex((o) => o !== 'n1')
  const body = { op: 'handoff', p, items: [], ring: 'not-this-ring' }
  t.equal(await codeOf(c.transports[1]!.request('n1', body, 1_000)), 'RING_MISMATCH')
  t.equal(await codeOf(c.transports[1]!.request('n1', { ...body, ring: ringChecksum(ring()) }, 1_000)), 'NOT_OWNER', 'NOT_OWNER with the same ring')
})

t.test('a fallback whose hinted store is full refuses; the put counts it as failed', async (t) => {
  const full = await inProcessCluster(4, {}, 16, 200, {
    heartbeat: { intervalMs: 50, timeoutMs: 100 },
    downAfterMs: DOWN_AFTER_MS,
    handoff: { checkIntervalMs: 100_000, maxHintedKeys: 0 },
  })
  t.teardown(() => full.stop())
  const r = full.nodes[0]!.env.ring()
  const key = bk('full')
  const pl = preflist(r, key, 3)
  const coord = full.nodes.find((n) => n.name === pl[0]!.node)!
  await full.down(full.nodes.findIndex((n) => n.name === pl[1]!.node))
  await sleep(DOWN_AFTER_MS * 2)
  const err = await kvPut(coord.env, { bk: key, content: content('x'), opts: { w: 3 } }).catch((e: unknown) => e)
  t.match(err, { code: 'W_UNSATISFIED', data: { failures: ['HINTED_STORE_FULL'] } })
  await kvPut(coord.env, { bk: key, content: content('y'), opts: { w: 2 } })
  t.pass('w=2 is met by the two primaries that are up')
})

t.test('a full fallback passes its slot to the next node that can stand in', async (t) => {
  const cl = await inProcessCluster(5, {}, 16, 200, {
    heartbeat: { intervalMs: 50, timeoutMs: 100 },
    downAfterMs: DOWN_AFTER_MS,
    handoff: { checkIntervalMs: 100_000, maxHintedKeys: 100 },
  })
  t.teardown(() => cl.stop())
  const r = cl.nodes[0]!.env.ring()
  const key = bk('spare')
  const pl = preflist(r, key, 3)
  const coord = cl.nodes.find((n) => n.name === pl[0]!.node)!
  await cl.down(cl.nodes.findIndex((n) => n.name === pl[1]!.node))
  await sleep(DOWN_AFTER_MS * 2)
  const first = annotatedPreflist(r, pl[0]!.partition, 3, (n) => coord.env.isUp(n)).find((e) => !e.primary)!
  cl.nodes.find((n) => n.name === first.node)!.handoff.hinted.recounted(100) // its hinted store is full
  await kvPut(coord.env, { bk: key, content: content('x'), opts: { w: 3, nodeConfirms: 3 } })
  const holders = cl.nodes.filter((n) => n.name !== pl[1]!.node && !pl.some((e) => e.node === n.name))
  const held = await Promise.all(holders.map(async (n) => ({ n: n.name, has: (await n.vnodes.backend.get(pl[1]!.partition, encodeBKey(key))) !== undefined })))
  t.same(held.filter((h) => h.has).map((h) => h.n).filter((n) => n !== first.node).length, 1, 'another node took the hinted copy')
  t.notOk(held.find((h) => h.n === first.node)?.has, 'the full fallback took nothing')
})
