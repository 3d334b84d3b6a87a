import t from 'tap'
import type { Clock } from '../core/env.js'
import { encodeBKey } from '../core/hash.js'
import { liveSiblings } from '../core/object.js'
import { decodeObject } from '../core/objectCodec.js'
import { MemoryBackend } from '../storage/memory.js'
import { silentLogger } from './log.js'
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
