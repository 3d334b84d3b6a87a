import t from 'tap'
import { ReplayMemory, type Lookup, type StoredReply, type Ticket } from './replayMemory.js'

const answer = (body: string, status = 201): StoredReply => ({ status, headers: { 'content-type': 'application/fhir+json', etag: 'W/"1"' }, body })

function first(l: Lookup): Ticket {
  if (l.kind !== 'first') throw new Error(`expected a first attempt, got ${l.kind}`)
  return l.ticket
}

function setup(limits: Partial<{ maxEntries: number; maxBytes: number; ttlMs: number }> = {}): { memory: ReplayMemory; clock: { now: number } } {
  const clock = { now: 1_000 }
  const memory = new ReplayMemory({ maxEntries: 3, maxBytes: 100, ttlMs: 60_000, ...limits }, () => clock.now)
  return { memory, clock }
}

t.test('a finished answer is replayed, whole, until it expires; then the key runs again', async (t) => {
  const { memory, clock } = setup()
  first(memory.lookup('k')).finish(answer('body'))
  clock.now += 59_999
  t.same(memory.lookup('k'), { kind: 'replay', reply: answer('body') }, 'replayed with status, headers and body just before expiry')
  clock.now += 1
  t.equal(memory.lookup('k').kind, 'first', 'expired: the retry is a first attempt again')
  t.equal(memory.storedBytes, 1, 'the expired body no longer counts; the new attempt holds its key')
})

t.test('a retry while the first attempt runs waits for its answer', async (t) => {
  const { memory } = setup()
  const ticket = first(memory.lookup('k'))
  const waiting = memory.lookup('k')
  if (waiting.kind !== 'wait') return t.fail(`expected wait, got ${waiting.kind}`)
  ticket.finish(answer('once'))
  t.same(await waiting.settled, answer('once'), 'the waiter gets the first answer')
  t.equal(memory.lookup('k').kind, 'replay')
})

t.test('an attempt that keeps no answer (a 5xx, an abort) releases its waiters and leaves the key free', async (t) => {
  const { memory } = setup()
  const ticket = first(memory.lookup('k'))
  const waiting = memory.lookup('k')
  if (waiting.kind !== 'wait') return t.fail(`expected wait, got ${waiting.kind}`)
  ticket.finish(undefined)
  t.equal(await waiting.settled, undefined)
  t.equal(memory.size, 0)
  t.equal(memory.lookup('k').kind, 'first')
  ticket.finish(answer('late'))
  t.equal(memory.size, 1, 'finishing twice keeps nothing more')
})

t.test('bounded by entries: the oldest answer goes first', async (t) => {
  const { memory, clock } = setup({ maxEntries: 3 })
  for (const k of ['a', 'b', 'c', 'd']) {
    first(memory.lookup(k)).finish(answer(k))
    clock.now += 1
  }
  t.equal(memory.size, 3)
  t.equal(memory.lookup('b').kind, 'replay')
  t.equal(memory.lookup('a').kind, 'first', 'the oldest was dropped')
})

t.test('bounded by bytes: oldest bodies dropped until the rest fit; a body over the whole bound is never kept', async (t) => {
  const { memory } = setup({ maxEntries: 100, maxBytes: 100 })
  first(memory.lookup('a')).finish(answer('x'.repeat(60)))
  first(memory.lookup('b')).finish(answer('y'.repeat(30)))
  t.equal(memory.storedBytes, 92, 'bodies and keys')
  first(memory.lookup('c')).finish(answer('z'.repeat(30)))
  t.equal(memory.storedBytes, 62, 'a (61 bytes) dropped to fit c')
  t.equal(memory.lookup('a').kind, 'first')
  first(memory.lookup('huge')).finish(answer('h'.repeat(101)))
  t.equal(memory.lookup('huge').kind, 'first', 'over maxBytes alone: not remembered')
  t.equal(memory.lookup('b').kind, 'replay', 'and nothing else was dropped for it')
})

t.test('a pending attempt trimmed out still answers its waiters, but is not remembered', async (t) => {
  const { memory } = setup({ maxEntries: 1 })
  const ticket = first(memory.lookup('a'))
  const waiting = memory.lookup('a')
  first(memory.lookup('b'))
  if (waiting.kind !== 'wait') return t.fail(`expected wait, got ${waiting.kind}`)
  ticket.finish(answer('a'))
  t.same(await waiting.settled, answer('a'))
  t.equal(memory.size, 1, 'only b holds a place')
})

t.test('keys count against the byte bound, pending ones too: long paths cannot grow the memory past it', async (t) => {
  const { memory } = setup({ maxEntries: 100, maxBytes: 100 })
  for (let i = 0; i < 10; i++) first(memory.lookup(`${i}`.padEnd(40, 'p')))
  t.ok(memory.storedBytes <= 100, `${memory.storedBytes} bytes held`)
  t.equal(memory.size, 2, 'only the two newest 40-byte keys fit')
})
