import t from 'tap'
import { encodeBKey } from '../core/hash.js'
import { liveSiblings, syncMerge, type KvObject } from '../core/object.js'
import { decodeObject } from '../core/objectCodec.js'
import { MemoryBackend } from '../storage/memory.js'
import { silentLogger } from '../shared/log.js'
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
  // Another node's write, arrived here by replication (each node has its own backend).
  const elsewhere = new MemoryBackend()
  await elsewhere.open()
  const other = new Vnode(7, 'n9', elsewhere, new SystemClock(), silentLogger())
  await backend.put(7, key, await other.coordinate(key, { context: [], content: content('x'), allowMult: true, sync: false }))
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

t.test('key amnesia (kv679): a vnode restarted after losing a key never covers the lost write', async (t) => {
  // n1/7 wrote "old" (replicated elsewhere), then its disk lost the key while the metadata
  // partition (dot lease, epoch) survived — what `spinekv debug forget` does.
  const backend = new MemoryBackend()
  await backend.open()
  const before = new Vnode(7, 'n1', backend, new SystemClock(), silentLogger())
  const old = decodeObject(await before.coordinate(key, { context: [], content: content('old'), allowMult: true, sync: false }))
  await backend.del(7, key)
  // The restart: a new process, a new Vnode over the same disk. A blind write (a client whose
  // read missed "old") to the lost key:
  const after = new Vnode(7, 'n1', backend, new SystemClock(), silentLogger())
  const rewritten = decodeObject(await after.coordinate(key, { context: [], content: content('new'), allowMult: true, sync: false }))
  t.ok(isActorOf(rewritten.siblings[0]!.dot.actor, 'n1/7'), 'still this vnode')
  t.not(rewritten.siblings[0]!.dot.actor, old.siblings[0]!.dot.actor, 'but a new epoch: the actor did not outlive its process')
  // The replica holding "old" and the rewritten copy meet (read repair, anti-entropy): neither shadows the other.
  t.same(values(syncMerge(old, rewritten)), ['new', 'old'], 'both survive as siblings')
  t.same(values(syncMerge(rewritten, old)), ['new', 'old'], 'in either order')
  // And a later write that did see both supersedes both, as it should.
  const resolved = decodeObject(await after.coordinate(key, { context: syncMerge(old, rewritten).clock, content: content('resolved'), allowMult: true, sync: false }))
  t.same(values(syncMerge(syncMerge(old, rewritten), resolved)), ['resolved'])
})

t.test('without the new epoch the lost write would be covered (the bug the rule prevents)', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const v = new Vnode(7, 'n1', backend, new SystemClock(), silentLogger())
  const old = decodeObject(await v.coordinate(key, { context: [], content: content('old'), allowMult: true, sync: false }))
  await backend.del(7, key)
  // Same process, same actor: the blind write's clock claims n1/7's earlier dot.
  const rewritten = decodeObject(await v.coordinate(key, { context: [], content: content('new'), allowMult: true, sync: false }))
  t.equal(rewritten.siblings[0]!.dot.actor, old.siblings[0]!.dot.actor)
  t.same(values(syncMerge(old, rewritten)), ['new'], 'old is dropped: why a restart must take a new actor')
})

t.test('a vnode that never minted keeps its plain actor across restarts', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const elsewhere = new MemoryBackend()
  await elsewhere.open()
  const replicated = decodeObject(await new Vnode(7, 'n2', elsewhere, new SystemClock(), silentLogger()).coordinate(key, { context: [], content: content('x'), allowMult: true, sync: false }))
  await new Vnode(7, 'n1', backend, new SystemClock(), silentLogger()).merge(key, replicated, true, false)
  // Restarted: it only ever merged, so it has no dots of its own to cover.
  const v2 = new Vnode(7, 'n1', backend, new SystemClock(), silentLogger())
  const w = decodeObject(await v2.coordinate(key, { context: [], content: content('y'), allowMult: true, sync: false }))
  t.same(w.siblings.map((s) => s.dot.actor).sort(), ['n1/7', 'n2/7'])
})
