import t from 'tap'
import { SpineError } from '../../shared/errors.js'
import { encodeBKey } from '../../core/hash.js'
import { liveSiblings } from '../../core/object.js'
import { decodeObject } from '../../core/objectCodec.js'
import { createRing } from '../../core/ring.js'
import type { Payload, RequestHandler, Transport } from '../../net/transport.js'
import { MemoryBackend } from '../../storage/memory.js'
import { META_PARTITION } from '../dotCounter.js'
import { silentLogger } from '../../shared/log.js'
import { SystemClock } from '../realEnv.js'
import { Vnode } from '../vnode.js'
import { hintedPartitions, planTransfers } from './decisions.js'
import { HintedCount } from './hintedCount.js'
import { ringChecksum } from './ringChecksum.js'
import { Transfer } from './transfer.js'
import { HandoffManager } from './manager.js'
import { VnodeHost } from '../vnodeHost.js'
import { captureLogger, type LogEntry } from '../../../test/harness/captureLogger.js'

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

async function setup(keys: number, valueOf?: (i: number) => string) {
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
  for (let i = 0; i < keys; i++) await write(i, valueOf?.(i) ?? `v${i}`)
  const deps = (transport: Transport, batchBytes = 1 << 20) => ({ transport, backend: fbBackend, vnode: fallback, ringChecksum: ringChecksum(ring), batchSize: 2, batchBytes, batchTimeoutMs: 1_000 })
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

/** Batches of a transfer as the owner received them: [items, bytes] each. */
function recordingTransport(owner: Vnode, sizes: Array<[number, number]>): Transport {
  return {
    self: 'a',
    async request(_to: string, body: Payload): Promise<Payload> {
      const { items } = body as { items: Array<[Uint8Array, Uint8Array]> }
      sizes.push([items.length, items.reduce((n, [k, o]) => n + k.byteLength + o.byteLength, 0)])
      for (const [k, o] of items) await owner.merge(k, decodeObject(o), true, false)
      return { ok: true }
    },
    serve(_h: RequestHandler): void {},
    async close(): Promise<void> {},
  }
}

t.test('a batch ends at its byte bound as well as its count; an object above the bound goes alone', async (t) => {
  // Key 1 holds an object of 5,000 bytes; the others about 1,000 each.
  const s = await setup(6, (i) => (i === 1 ? 'x'.repeat(5_000) : `${i}`.repeat(1_000)))
  const sizes: Array<[number, number]> = []
  const transfer = new Transfer(s.p, 'b', { ...s.deps(recordingTransport(s.owner, sizes), 2_500), batchSize: 10 })
  await transfer.run()
  t.ok(await s.fbBackend.isEmpty(s.p), 'everything went home')
  t.equal(sizes.reduce((n, [items]) => n + items, 0), 6, 'each object sent once')
  for (const [items, bytes] of sizes) t.ok(items === 1 || bytes <= 2_500, `batch of ${items} objects, ${bytes} bytes: within the bound or alone`)
  t.ok(sizes.some(([items, bytes]) => items === 1 && bytes > 5_000), 'the large object travelled alone')
  t.equal(transfer.bytesSent, sizes.reduce((n, [, bytes]) => n + bytes, 0), 'bytesSent counts what was acknowledged')
  for (let i = 0; i < 6; i++) t.same(await s.values(i), [i === 1 ? 'x'.repeat(5_000) : `${i}`.repeat(1_000)])
})

/** A clock that moves only when told to; timers never fire (the manager's checks are called directly). */
class StillClock {
  t = 1_000_000
  now(): number {
    return this.t
  }
  setTimer(): { id: number } {
    return { id: 0 }
  }
  clearTimer(): void {}
}

t.test('a transfer that fails says why in its status and the log, and is retried after retryDelayMs, not in a loop', async (t) => {
  const clock = new StillClock()
  const entries: LogEntry[] = []
  const log = captureLogger(entries)
  const backend = new MemoryBackend()
  await backend.open()
  const host = new VnodeHost('a', ring.q, backend, clock, log)
  const p = notMine[0]!
  const k = encodeBKey({ type: 'default', bucket: 'b', key: 'k' })
  await host.vnode(p).coordinate(k, { context: [], content: { value: Buffer.from('v'), contentType: 'text/plain', meta: {}, deleted: false, lastModified: 1 }, allowMult: true, sync: false })
  let calls = 0
  let refuse = true
  const transport: Transport = {
    self: 'a',
    async request(): Promise<Payload> {
      calls++
      if (refuse) throw new SpineError('FRAME_TOO_LARGE', 'frame of 20971600 bytes exceeds the limit of 16777216', { size: 20_971_600, max: 16_777_216 })
      return { ok: true }
    },
    serve(_h: RequestHandler): void {},
    async close(): Promise<void> {},
  }
  const opts = { checkIntervalMs: 10_000, checkOnUp: true, maxConcurrent: 2, batchSize: 100, batchBytes: 1 << 20, batchTimeoutMs: 1_000, retryDelayMs: 5_000, maxRetryDelayMs: 8_000, maxHintedKeys: 1_000 }
  const m = new HandoffManager({ self: 'a', ring: () => ring, clock, transport, host, isUp: () => true, log }, opts)
  // Until the attempt started by a check has settled (the memory backend and the vnode take a few turns).
  const settle = async (done: () => boolean | Promise<boolean> = () => !m.transfers().some((x) => x.state === 'running')) => {
    for (let i = 0; i < 2_000 && !(await done()); i++) await new Promise((r) => setTimeout(r, 1))
  }
  await m.check()
  await settle()
  t.equal(calls, 1, 'one attempt')
  const [st] = m.transfers().filter((x) => x.partition === p)
  t.equal(st?.state, 'retrying')
  t.match(st?.lastError, /^FRAME_TOO_LARGE: batch of 1 objects \(\d+ bytes\) of partition \d+ to b: frame of/, 'the status says why')
  t.equal(st?.failures, 1)
  t.equal(st?.retryAt, clock.t + 5_000)
  const warned = entries.find((e) => e.level === 'warn' && (e.obj as { code?: string }).code === 'FRAME_TOO_LARGE')
  t.ok(warned, 'and so does the log')
  t.match(warned?.obj, { partition: p, failures: 1, retryInMs: 5_000 })

  await m.check()
  await settle()
  t.equal(calls, 1, 'a check before the retry time does not start it again')
  clock.t += 5_000
  await m.check()
  await settle()
  t.equal(calls, 2, 'retried once the delay has passed')
  const second = m.transfers().find((x) => x.partition === p)
  t.equal(second?.failures, 2, 'failures in a row are counted')
  t.equal(second?.retryAt, clock.t + 8_000, 'and the delay doubles, up to maxRetryDelayMs')
  m.ownerUp()
  await m.check()
  await settle()
  t.equal(calls, 3, 'a member heard coming back is retried at once')

  refuse = false
  clock.t += 8_000
  await m.check()
  await settle(() => backend.isEmpty(p))
  await settle()
  await m.check()
  t.ok(await backend.isEmpty(p), 'once the owner accepts, the partition goes home')
  t.same(m.transfers(), [], 'and nothing is listed, failures forgotten')
})
