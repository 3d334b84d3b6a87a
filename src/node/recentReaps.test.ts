import t from 'tap'
import type { Clock } from '../core/env.js'
import { encodeBKey } from '../core/hash.js'
import { liveSiblings } from '../core/object.js'
import { decodeObject } from '../core/objectCodec.js'
import { MemoryBackend } from '../storage/memory.js'
import { silentLogger } from '../shared/log.js'
import { RecentReaps } from './recentReaps.js'
import { Vnode } from './vnode.js'

function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    setTimer: () => {
      throw new Error('no timers here')
    },
    clearTimer: () => undefined,
  }
}

const vc = (...es: Array<[string, number]>) => es.map(([actor, counter]) => ({ actor, counter, ts: 0 }))

t.test('a reaped tombstone is recalled within the window, survives a restart, and is swept after', async (t) => {
  const clock = manualClock()
  const backend = new MemoryBackend()
  await backend.open()
  const key = Buffer.from('k')
  const tomb = { clock: vc(['a', 1]), siblings: [] }
  const r = new RecentReaps(backend, 3, clock, 1_000)
  await backend.put(3, key, Buffer.from('x'))
  await backend.batch(r.reapOps(key, tomb))
  t.equal(await backend.get(3, key), undefined, 'the key is gone')
  t.same(await new RecentReaps(backend, 3, clock, 1_000).recall(key), tomb, 'remembered by a new incarnation')
  t.equal(await new RecentReaps(backend, 4, clock, 1_000).recall(key), undefined, 'per partition')
  await backend.batch(r.reapOps(Buffer.from('k2'), tomb))
  clock.advance(1_001)
  t.equal(await r.sweep(100), 2, 'both expired entries swept')
  t.equal(await r.recall(key), undefined, 'forgotten after the window')
})

t.test('a vnode drops a late copy from before a reaped delete, but keeps a concurrent one', async (t) => {
  // The simulator's seed 31015: a replication message from before a delete arrived 4 s late,
  // after every primary had reaped the tombstone, and brought the deleted value back.
  const backend = new MemoryBackend()
  await backend.open()
  const clock = manualClock()
  const vnode = new Vnode(1, 'n1', backend, clock, silentLogger())
  const k = encodeBKey({ type: 'default', bucket: 'b', key: 'k' })
  const content = (v: string, deleted = false) => ({ value: Buffer.from(v), contentType: 'text/plain', meta: {}, deleted, lastModified: 1 })
  const live = decodeObject(await vnode.coordinate(k, { context: [], content: content('old'), allowMult: true, sync: false }))
  const tomb = decodeObject(await vnode.coordinate(k, { context: live.clock, content: content('', true), allowMult: true, sync: false }))
  t.ok(await vnode.reap(k, tomb.clock), 'reaped')
  await vnode.merge(k, live, true, false)
  t.equal(await vnode.get(k), undefined, 'the late pre-delete copy is dropped')
  await vnode.merge(k, tomb, true, false)
  t.same((await vnode.get(k))?.clock, tomb.clock, 'a repaired tombstone is stored, so replicas stay alike')
  await vnode.merge(k, live, true, false)
  t.equal(liveSiblings((await vnode.get(k))!).length, 0, 'and a late live copy after it is still covered')
  const otherBackend = new MemoryBackend()
  await otherBackend.open()
  const other = new Vnode(1, 'n2', otherBackend, clock, silentLogger())
  const concurrent = decodeObject(await other.coordinate(k, { context: [], content: content('new'), allowMult: true, sync: false }))
  await vnode.merge(k, concurrent, true, false)
  t.same(liveSiblings((await vnode.get(k))!).map((s) => Buffer.from(s.value).toString()), ['new'], 'a write the delete never saw is kept')
})

t.test('recall reads nothing while the partition holds no reaped tombstones, and finds each new one', async (t) => {
  const clock = manualClock()
  const backend = new MemoryBackend()
  await backend.open()
  let gets = 0
  const counted = Object.assign(Object.create(backend) as MemoryBackend, {
    get: (p: number, k: Uint8Array) => {
      gets++
      return backend.get(p, k)
    },
  })
  const tomb = { clock: vc(['a', 1]), siblings: [] }
  const r = new RecentReaps(counted, 3, clock, 1_000)
  for (let i = 0; i < 5; i++) t.equal(await r.recall(Buffer.from(`k${i}`)), undefined)
  t.equal(gets, 0, 'no point reads while nothing was reaped')
  await backend.batch(r.reapOps(Buffer.from('k1'), tomb))
  t.same(await r.recall(Buffer.from('k1')), tomb, 'a reap made after the look is recalled')
  t.ok(gets > 0, 'and recall reads again')
  t.same(await new RecentReaps(counted, 3, clock, 1_000).recall(Buffer.from('k1')), tomb, 'a new incarnation looks before it trusts "none"')
  clock.advance(1_001)
  t.equal(await r.sweep(100), 1)
  gets = 0
  t.equal(await r.recall(Buffer.from('k1')), undefined)
  t.equal(gets, 0, 'a sweep that emptied the partition ends the reads')
  await backend.batch(r.reapOps(Buffer.from('k2'), tomb))
  t.same(await r.recall(Buffer.from('k2')), tomb, 'and the next reap is seen')
})

t.test('a sweep that stops at its limit keeps recall reading', async (t) => {
  const clock = manualClock()
  const backend = new MemoryBackend()
  await backend.open()
  const tomb = { clock: vc(['a', 1]), siblings: [] }
  const r = new RecentReaps(backend, 3, clock, 1_000)
  await backend.batch(r.reapOps(Buffer.from('a'), tomb))
  clock.advance(1_001)
  for (const k of ['b', 'c']) await backend.batch(r.reapOps(Buffer.from(k), tomb))
  t.equal(await r.sweep(1), 1, 'the one expired entry swept, the limit reached')
  t.same(await r.recall(Buffer.from('c')), tomb, 'an entry beyond the limit is still recalled')
})
