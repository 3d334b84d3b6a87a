import t from 'tap'
import { encodeBKey } from '../core/hash.js'
import { liveSiblings, syncMerge, type KvObject } from '../core/object.js'
import { decodeObject } from '../core/objectCodec.js'
import { MemoryBackend } from '../storage/memory.js'
import { silentLogger } from './log.js'
import { SystemClock } from './realEnv.js'
import { Vnode } from './vnode.js'
import { actorName, isActorOf, VnodeEpoch } from './vnodeEpoch.js'

const key = encodeBKey({ type: 'default', bucket: 'b', key: 'k' })
const content = (v: string) => ({ value: Buffer.from(v), contentType: 'text/plain', meta: {}, deleted: false, lastModified: 1 })
const values = (o: KvObject) => liveSiblings(o).map((s) => Buffer.from(s.value).toString()).sort()

async function fallbackVnode(backend = new MemoryBackend()) {
  await backend.open()
  return { backend, vnode: new Vnode(7, 'n4', backend, new SystemClock(), silentLogger()) }
}

t.test('after handing a key home, a new write to it cannot cover the handed-off dots', async (t) => {
  // The simulator's seed 2192: a fallback wrote e57 as n4/7:1, handed it home and deleted it,
  // then took a write whose read had not seen e57; as n4/7:2 that write claimed to have seen
  // n4/7:1 and the owner's merge dropped e57.
  const { vnode } = await fallbackVnode()
  const first = decodeObject(await vnode.coordinate(key, { context: [], content: content('old'), allowMult: true, sync: false }))
  const sent = await vnode.getRaw(key)
  t.ok(await vnode.deleteIfUnchanged(key, sent!), 'handed off and deleted')
  const second = decodeObject(await vnode.coordinate(key, { context: [], content: content('new'), allowMult: true, sync: false }))
  t.not(second.siblings[0]!.dot.actor, first.siblings[0]!.dot.actor, 'the second write is by a new actor')
  t.same(values(syncMerge(first, second)), ['new', 'old'], 'the owner keeps both as siblings')
})

t.test('a delete of a copy without the current actor keeps the epoch', async (t) => {
  const { backend, vnode } = await fallbackVnode()
  const other = new Vnode(7, 'n9', backend, new SystemClock(), silentLogger())
  await other.coordinate(key, { context: [], content: content('x'), allowMult: true, sync: false })
  t.ok(await vnode.deleteIfUnchanged(key, (await vnode.getRaw(key))!))
  const w = decodeObject(await vnode.coordinate(key, { context: [], content: content('y'), allowMult: true, sync: false }))
  t.equal(w.siblings[0]!.dot.actor, 'n4/7', 'no needless new actor')
})

t.test('the epoch survives a restart', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const e = new VnodeEpoch(backend, 'n1/3', 3)
  t.equal(await e.actor(), 'n1/3')
  t.equal(await e.advance(), 'n1/3.1')
  t.equal(await new VnodeEpoch(backend, 'n1/3', 3).actor(), 'n1/3.1')
  t.equal(await new VnodeEpoch(backend, 'n1/4', 4).actor(), 'n1/4', 'per partition')
})

t.test('actor names', async (t) => {
  t.equal(actorName('n1/3', 0), 'n1/3')
  t.equal(actorName('n1/3', 2), 'n1/3.2')
  t.ok(isActorOf('n1/3.2', 'n1/3'))
  t.ok(isActorOf('n1/3', 'n1/3'))
  t.notOk(isActorOf('n1/31', 'n1/3'))
  t.notOk(isActorOf('n1/3.x', 'n1/3'))
})
