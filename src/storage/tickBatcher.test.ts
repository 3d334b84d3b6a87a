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
  const b = new TickBatcher(f.db, 10)
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
  let syncReads = 0
  const db: BatchDb = {
    ...f.db,
    getSync(key) {
      syncReads++
      if (key.toString() === 'broken') throw new Error('corruption')
      return f.data.get(key.toString())
    },
  }
  const b = new TickBatcher(db)
  f.data.set('a', k('stored'))
  t.equal((await b.get(k('a')))?.toString(), 'stored')
  t.equal(syncReads, 1)
  t.equal(f.calls.getMany, 0, 'no getMany at all')
  let release!: () => void
  f.holdUntil(new Promise<void>((r) => (release = r)))
  const w = b.write([put('a', 'newer')], false)
  t.equal((await b.get(k('a')))?.toString(), 'newer', 'a write still in flight answers for its key')
  t.equal(syncReads, 1, 'without asking the store')
  release()
  await w
  await b.drain()
  t.equal((await b.get(k('a')))?.toString(), 'newer', 'once written, from the store')
  t.equal(syncReads, 2)
  await t.rejects(b.get(k('broken')), /corruption/, 'a failing read rejects, it does not throw')
  t.same(b.stats.readCalls, 3)
})
