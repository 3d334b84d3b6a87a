import t from 'tap'
import { TickBatcher, type BatchDb, type WriteOp } from './tickBatcher.js'

/** A fake LevelDB that counts calls and can hold batches in flight or fail them. */
function fakeDb() {
  const data = new Map<string, Buffer>()
  const calls = { batch: 0, getMany: 0, batchSizes: [] as number[], syncs: [] as boolean[] }
  let hold: Promise<void> = Promise.resolve()
  let failNext = false
  const db: BatchDb = {
    async batch(ops: WriteOp[], o) {
      calls.batch++
      calls.batchSizes.push(ops.length)
      calls.syncs.push(o.sync)
      await hold
      if (failNext) {
        failNext = false
        throw new Error('disk full')
      }
      for (const op of ops) op.type === 'put' ? data.set(op.key.toString(), op.value) : data.delete(op.key.toString())
    },
    async getMany(keys) {
      calls.getMany++
      return keys.map((k) => data.get(k.toString()))
    },
  }
  return {
    db,
    calls,
    data,
    holdUntil(p: Promise<void>) {
      hold = p
    },
    failNextBatch() {
      failNext = true
    },
  }
}

const k = (s: string) => Buffer.from(s)
const put = (key: string, v: string): WriteOp => ({ type: 'put', key: k(key), value: k(v) })

/** The fake with classic-level 3's synchronous read, counting the reads; the key 'broken' throws. */
function withSyncReads(f: ReturnType<typeof fakeDb>) {
  const counter = { reads: 0, db: undefined as unknown as BatchDb }
  counter.db = {
    ...f.db,
    getSync(key) {
      counter.reads++
      if (key.toString() === 'broken') throw new Error('corruption')
      return f.data.get(key.toString())
    },
  }
  return counter
}

t.test('operations issued in one tick go to LevelDB as one batch and one getMany', async (t) => {
  const f = fakeDb()
  const b = new TickBatcher(f.db)
  await Promise.all([b.write([put('a', '1')], false), b.write([put('b', '2')], true), b.write([put('c', '3')], false)])
  t.equal(f.calls.batch, 1)
  t.same(f.calls.batchSizes, [3])
  t.same(f.calls.syncs, [true], 'a batch is synced when any write in it asked for sync')
  const got = await Promise.all([b.get(k('a')), b.get(k('b')), b.get(k('zz'))])
  t.same(got.map((v) => v?.toString()), ['1', '2', undefined])
  t.equal(f.calls.getMany, 1)
})

t.test('a read sees a pending write, queued or in flight, and LevelDB afterwards', async (t) => {
  const f = fakeDb()
  const b = new TickBatcher(f.db)
  let release!: () => void
  f.holdUntil(new Promise<void>((r) => (release = r)))
  const w = b.write([put('x', 'new')], false)
  t.equal((await b.get(k('x')))?.toString(), 'new', 'queued write is visible')
  await new Promise((r) => setImmediate(r))
  t.equal(f.calls.batch, 1, 'the batch is in flight')
  t.equal((await b.get(k('x')))?.toString(), 'new', 'in-flight write is visible')
  const del = b.write([{ type: 'del', key: k('x') }], false)
  t.equal(await b.get(k('x')), undefined, 'a pending delete hides the older pending put')
  release()
  await Promise.all([w, del])
  const before = f.calls.getMany
  t.equal(await b.get(k('x')), undefined)
  t.equal(f.calls.getMany, before + 1, 'after the writes land the read goes to LevelDB')
})

t.test('a failed batch rejects every write in it and leaves no phantom values', async (t) => {
  const f = fakeDb()
  const b = new TickBatcher(f.db)
  f.failNextBatch()
  const results = await Promise.allSettled([b.write([put('p', '1')], false), b.write([put('q', '2')], false)])
  t.same(results.map((r) => r.status), ['rejected', 'rejected'])
  t.equal(await b.get(k('p')), undefined, 'the failed write is not visible')
})

t.test('large ticks are cut into batches of at most maxOpsPerBatch', async (t) => {
  const f = fakeDb()
  // No read cache: the reads below are to show how they are batched.
  const b = new TickBatcher(f.db, 10, 0)
  await Promise.all(Array.from({ length: 25 }, (_, i) => b.write([put(`k${i}`, `${i}`)], false)))
  t.same(f.calls.batchSizes, [10, 10, 5])
  const values = await Promise.all(Array.from({ length: 25 }, (_, i) => b.get(k(`k${i}`))))
  t.same(values.map((v) => v?.toString()), Array.from({ length: 25 }, (_, i) => `${i}`))
  t.equal(f.calls.getMany, 3)
})

t.test('drain waits for queued and in-flight writes', async (t) => {
  const f = fakeDb()
  const b = new TickBatcher(f.db)
  void b.write([put('d', '1')], false)
  await b.drain()
  t.equal(f.data.get('d')?.toString(), '1')
})

t.test('a store with synchronous reads: each read goes straight to it, still behind pending writes', async (t) => {
  const f = fakeDb()
  const sync = withSyncReads(f)
  const db = sync.db
  const b = new TickBatcher(db, undefined, 0)
  f.data.set('a', k('stored'))
  t.equal((await b.get(k('a')))?.toString(), 'stored')
  t.equal(sync.reads, 1)
  t.equal(f.calls.getMany, 0, 'no getMany at all')
  let release!: () => void
  f.holdUntil(new Promise<void>((r) => (release = r)))
  const w = b.write([put('a', 'newer')], false)
  t.equal((await b.get(k('a')))?.toString(), 'newer', 'a write still in flight answers for its key')
  t.equal(sync.reads, 1, 'without asking the store')
  release()
  await w
  await b.drain()
  t.equal((await b.get(k('a')))?.toString(), 'newer', 'once written, from the store')
  t.equal(sync.reads, 2)
  await t.rejects(b.get(k('broken')), /corruption/, 'a failing read rejects, it does not throw')
  t.same(b.stats.readCalls, 3)
})

t.test('read cache: a written or read key is answered from memory, and only with what the store holds', async (t) => {
  const f = fakeDb()
  const sync = withSyncReads(f)
  const b = new TickBatcher(sync.db, undefined, 1 << 20)
  f.data.set('r', k('on disk'))
  t.equal((await b.get(k('r')))?.toString(), 'on disk')
  t.equal((await b.get(k('r')))?.toString(), 'on disk')
  t.equal(sync.reads, 1, 'the second read is a hit')
  const copy = (await b.get(k('r')))!
  copy.write('XX')
  t.equal((await b.get(k('r')))?.toString(), 'on disk', 'a caller changing its buffer changes no one else')

  await b.write([put('w', 'v1')], false)
  await b.drain()
  t.equal((await b.get(k('w')))?.toString(), 'v1')
  t.equal(sync.reads, 1, 'a completed write fills the cache')

  await b.write([{ type: 'del', key: k('w') }], false)
  await b.drain()
  t.equal(await b.get(k('w')), undefined, 'a delete empties it')
  t.equal(sync.reads, 2, 'and the read after it asks the store')

  f.failNextBatch()
  await t.rejects(b.write([put('r', 'lost')], false), /disk full/)
  await b.drain()
  t.equal((await b.get(k('r')))?.toString(), 'on disk', 'a failed write leaves what the store holds')

  // Two writes of a key in flight at once: the first to finish must not speak for the key.
  let release!: () => void
  f.holdUntil(new Promise<void>((r) => (release = r)))
  const first = b.write([put('z', 'old')], false)
  await new Promise((r) => setImmediate(r))
  f.holdUntil(Promise.resolve())
  const second = b.write([put('z', 'new')], false)
  await second
  release()
  await first
  await b.drain()
  const reads = sync.reads
  const z = await b.get(k('z'))
  t.equal(sync.reads, reads + 1, 'a write finishing after a newer one dropped the key, so the store is asked')
  t.equal(z?.toString(), f.data.get('z')?.toString(), 'and its answer is what the store holds')

  await b.get(k('r'))
  b.forgetRange(k('r'))
  const before = sync.reads
  await b.get(k('r'))
  t.equal(sync.reads, before + 1, 'forgetRange drops the cached keys under a prefix')
  t.ok(b.cacheStats.cacheHits >= 4)
})

t.test('read cache: bounded by bytes, least recently used out first; a huge value is not cached', async (t) => {
  const { ReadCache } = await import('./readCache.js')
  const c = new ReadCache(4 * (96 + 2 + 100))
  for (const id of ['k1', 'k2', 'k3', 'k4']) c.set(id, Buffer.alloc(100, 1))
  t.equal(c.size, 4)
  c.get('k1')
  c.set('k5', Buffer.alloc(100, 2))
  t.equal(c.size, 4)
  t.equal(c.get('k2'), undefined, 'k2 was the least recently used')
  t.ok(c.get('k1'), 'k1 was used lately and stays')
  t.ok(c.usedBytes <= 4 * (96 + 2 + 100))
  c.set('big', Buffer.alloc(1000))
  t.equal(c.get('big'), undefined, 'more than a quarter of the budget is not cached')
  t.equal(c.size, 4, 'and evicts nothing')
  c.set('k1', Buffer.alloc(10))
  t.equal(c.get('k1')?.length, 10, 'a new value replaces the old')
  c.deletePrefix('k')
  t.equal(c.size, 0)
  const off = new ReadCache(0)
  off.set('a', Buffer.alloc(1))
  t.equal(off.size, 0, 'a zero budget caches nothing')
})
