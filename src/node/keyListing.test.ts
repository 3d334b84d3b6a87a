import t from 'tap'
import { encodeBKey, partitionOf, type BKey } from '../core/hash.js'
import { encodeObject } from '../core/objectCodec.js'
import { MemoryBackend } from '../storage/memory.js'
import { listPage } from './keyListing.js'
import type { ListingRequest } from '../kv/listingPage.js'

function object(deleted: boolean): Buffer {
  return encodeObject({ clock: [], siblings: [{ value: Buffer.from('v'), contentType: 'x', lastModified: 0, meta: {}, deleted, dot: { actor: 'a', counter: 1 } }] })
}

async function store(b: MemoryBackend, p: number, bk: BKey, deleted = false): Promise<void> {
  await b.put(p, encodeBKey(bk), object(deleted))
}

async function all(b: MemoryBackend, req: Omit<ListingRequest, 'after'>): Promise<{ items: string[]; pages: number }> {
  const items: string[] = []
  let after: Uint8Array | null = null
  let pages = 0
  do {
    const page = await listPage(b, 8, { ...req, after })
    items.push(...page.items)
    after = page.next
    pages++
  } while (after !== null)
  return { items, pages }
}

t.test("keys: one bucket's range, paged, tombstones and other buckets and types left out", async (t) => {
  const b = new MemoryBackend()
  await b.open()
  const keys = Array.from({ length: 25 }, (_, i) => `k${i}`)
  for (const key of keys) await store(b, 3, { type: 'default', bucket: 'b', key })
  await store(b, 3, { type: 'default', bucket: 'b', key: 'dead' }, true)
  await store(b, 3, { type: 'default', bucket: 'bb', key: 'other' })
  await store(b, 3, { type: 'default', bucket: 'a', key: 'before' })
  await store(b, 3, { type: 'typed', bucket: 'b', key: 'typed' })
  const listed = await all(b, { p: 3, type: 'default', bucket: 'b', parts: null, limit: 10 })
  t.same(listed.items.sort(), [...keys].sort())
  t.equal(listed.pages, 3, 'pages of at most 10 entries read')
  t.same((await all(b, { p: 3, type: 'typed', bucket: 'b', parts: null, limit: 10 })).items, ['typed'])
  t.same((await all(b, { p: 4, type: 'default', bucket: 'b', parts: null, limit: 10 })).items, [], 'another vnode')
})

t.test('keys: only the hash partitions the coverage plan gives the vnode', async (t) => {
  const b = new MemoryBackend()
  await b.open()
  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`)
  for (const key of keys) await store(b, 0, { type: 'default', bucket: 'b', key })
  const mine = keys.filter((key) => partitionOf({ type: 'default', bucket: 'b', key }, 8) < 4)
  t.same((await all(b, { p: 0, type: 'default', bucket: 'b', parts: [0, 1, 2, 3], limit: 7 })).items.sort(), mine.sort())
})

t.test('buckets: each live bucket of the type once, whatever its size', async (t) => {
  const b = new MemoryBackend()
  await b.open()
  for (let i = 0; i < 50; i++) await store(b, 1, { type: 'default', bucket: 'big', key: `k${i}` })
  await store(b, 1, { type: 'default', bucket: 'small', key: 'one' })
  await store(b, 1, { type: 'default', bucket: 'dead', key: 'gone' }, true)
  await store(b, 1, { type: 'other', bucket: 'elsewhere', key: 'x' })
  const listed = await all(b, { p: 1, type: 'default', bucket: null, parts: null, limit: 2 })
  t.same(listed.items.sort(), ['big', 'small'])
  t.ok(listed.pages <= 3, 'a big bucket costs one read, not one per key')
})
