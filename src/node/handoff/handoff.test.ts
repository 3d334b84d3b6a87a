import t from 'tap'
import { SpineError } from '../../api/errors.js'
import { encodeBKey } from '../../core/hash.js'
import { liveSiblings } from '../../core/object.js'
import { decodeObject } from '../../core/objectCodec.js'
import { createRing } from '../../core/ring.js'
import type { Payload, RequestHandler, Transport } from '../../net/transport.js'
import { MemoryBackend } from '../../storage/memory.js'
import { META_PARTITION } from '../dotCounter.js'
import { silentLogger } from '../log.js'
import { SystemClock } from '../realEnv.js'
import { Vnode } from '../vnode.js'
import { hintedPartitions, planTransfers } from './decisions.js'
import { HintedCount } from './hintedCount.js'
import { ringChecksum } from './ringChecksum.js'
import { Transfer } from './transfer.js'

const ring = createRing(['a', 'b', 'c'], 8, 3)
const self = 'a'
const notMine = [...ring.owners.keys()].filter((p) => ring.owners[p] !== self)

t.test('hinted partitions: held, not owned, never the metadata partition', async (t) => {
  const mine = ring.owners.indexOf(self)
  t.same(hintedPartitions([mine, ...notMine, META_PARTITION], ring, self), notMine)
})

t.test('transfers start only to owners that are up, at most maxConcurrent at once', async (t) => {
  const up = (n: string) => n !== 'c'
  const toB = notMine.filter((p) => ring.owners[p] === 'b')
  const plan = planTransfers(notMine, ring, up, new Set(), 2)
  t.same(plan.start, toB.slice(0, 2))
  t.same(plan.waiting, toB.slice(2))
  const busy = planTransfers(notMine, ring, up, new Set([toB[0]!, 999]), 2)
  t.same(busy.start, [], 'no slot while two transfers run')
  t.notOk(busy.waiting.includes(toB[0]!), 'a running partition is not listed as waiting')
})

t.test('a full hinted store refuses with HINTED_STORE_FULL until a recount frees room', async (t) => {
  const h = new HintedCount(2)
  h.checkRoom()
  h.noteWrite()
  h.noteWrite()
  t.throws(() => h.checkRoom(), { code: 'HINTED_STORE_FULL' })
  h.recounted(1)
  t.doesNotThrow(() => h.checkRoom())
})

t.test('the ring checksum changes with the owners', async (t) => {
  t.equal(ringChecksum(ring), ringChecksum(createRing(['a', 'b', 'c'], 8, 3)))
  t.not(ringChecksum(ring), ringChecksum(createRing(['a', 'b', 'd'], 8, 3)))
})

/** A transport to one owner vnode; `during` runs once, while the first batch is in flight. */
function ownerTransport(owner: Vnode, during: () => Promise<void>, failFirst = false): Transport & { batches: number } {
  let calls = 0
  const tr = {
    self: 'a',
    batches: 0,
    async request(_to: string, body: Payload): Promise<Payload> {
      calls++
      if (failFirst && calls === 1) throw new SpineError('UNREACHABLE', 'owner gone')
      const { items } = body as { items: Array<[Uint8Array, Uint8Array]> }
      if (tr.batches++ === 0) await during()
      for (const [k, o] of items) await owner.merge(k, decodeObject(o), true, false)
      return { ok: true }
    },
    serve(_h: RequestHandler): void {},
    async close(): Promise<void> {},
  }
  return tr
}

async function setup(keys: number) {
  const clock = new SystemClock()
  const log = silentLogger()
  const p = notMine[0]!
  const fbBackend = new MemoryBackend()
  await fbBackend.open()
  const ownBackend = new MemoryBackend()
  await ownBackend.open()
  const fallback = new Vnode(p, 'a', fbBackend, clock, log)
  const owner = new Vnode(p, ring.owners[p]!, ownBackend, clock, log)
  const k = (i: number) => encodeBKey({ type: 'default', bucket: 'b', key: `k${i}` })
  const write = (i: number, v: string, vn: Vnode = fallback) =>
    vn.coordinate(k(i), { context: [], content: { value: Buffer.from(v), contentType: 'text/plain', meta: {}, deleted: false, lastModified: 1 }, allowMult: true, sync: false })
  for (let i = 0; i < keys; i++) await write(i, `v${i}`)
  const deps = (transport: Transport) => ({ transport, backend: fbBackend, vnode: fallback, ringChecksum: ringChecksum(ring), batchSize: 2, batchTimeoutMs: 1_000 })
  const values = async (i: number) => {
    const o = await owner.get(k(i))
    return o ? liveSiblings(o).map((s) => Buffer.from(s.value).toString()).sort() : []
  }
  return { p, fbBackend, fallback, owner, write, deps, values }
}

t.test('a write reaching the fallback during a transfer is sent later, never lost', async (t) => {
  const s = await setup(5)
  const tr = ownerTransport(s.owner, async () => {
    await s.write(0, 'late') // k0 is in the first batch: its sent bytes are now stale
  })
  const transfer = new Transfer(s.p, 'b', s.deps(tr))
  await transfer.run()
  t.ok(await s.fbBackend.isEmpty(s.p), 'the fallback partition ends empty')
  t.same(await s.values(0), ['late', 'v0'], 'the late write reached the owner beside the first')
  for (let i = 1; i < 5; i++) t.same(await s.values(i), [`v${i}`])
  t.ok(transfer.itemsSent > 5, 'k0 was sent twice')
})

t.test('an unacknowledged batch deletes nothing; the next attempt resumes', async (t) => {
  const s = await setup(3)
  const tr = ownerTransport(s.owner, async () => undefined, true)
  await t.rejects(new Transfer(s.p, 'b', s.deps(tr)).run())
  t.notOk(await s.fbBackend.isEmpty(s.p), 'nothing deleted without an ack')
  await new Transfer(s.p, 'b', s.deps(tr)).run()
  t.ok(await s.fbBackend.isEmpty(s.p))
  for (let i = 0; i < 3; i++) t.same(await s.values(i), [`v${i}`])
})
