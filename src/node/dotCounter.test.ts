import t from 'tap'
import { MemoryBackend } from '../storage/memory.js'
import { DotCounter, META_PARTITION } from './dotCounter.js'

t.test('counters rise across keys and never repeat, even when asked concurrently', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const c = new DotCounter(backend, 5, 10)
  const got = await Promise.all(Array.from({ length: 50 }, () => c.next(1)))
  t.equal(new Set(got).size, 50, 'all distinct')
  t.same([...got].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1))
})

t.test('a floor above the counter is honoured', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const c = new DotCounter(backend, 1, 10)
  t.equal(await c.next(1), 1)
  t.equal(await c.next(40), 40, 'the floor (a context that saw counter 39) wins')
  t.equal(await c.next(1), 41)
})

t.test('a restart resumes after the stored lease, so no counter is minted twice', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const before = new DotCounter(backend, 3, 100)
  const minted = [await before.next(1), await before.next(1), await before.next(1)]
  t.ok(await backend.get(META_PARTITION, Buffer.from('dot-lease/3')), 'the lease is stored in the metadata partition')
  const after = new DotCounter(backend, 3, 100)
  const next = await after.next(1)
  t.ok(next > Math.max(...minted), `restart mints ${next}, above ${Math.max(...minted)}`)
  t.ok(next > 100, 'and above the whole reserved block')
  const other = new DotCounter(backend, 4, 100)
  t.equal(await other.next(1), 1, 'each vnode has its own lease')
})

t.test('a lease that cannot be stored fails the mint instead of risking reuse', async (t) => {
  const backend = new MemoryBackend()
  await backend.open()
  const c = new DotCounter(backend, 2, 10)
  await backend.close()
  await t.rejects(c.next(1))
})
