/**
 * Riak 2i entries as the node keeps them: the entry key's byte order is Riak's result order
 * (_bin by bytes, _int numerically, then the key), and the vnode hook keeps the index partition in
 * step with the stored objects through every path that changes a copy (coordinate, update,
 * siblings from a merge, tombstone, reap, handoff's deleteIfUnchanged). Then the node-local scan:
 * only the vnodes and partitions a plan names, ranges, resumption, regex, $key and $bucket.
 */
import t from 'tap'
import type { Clock } from '../core/env.js'
import { encodeBKey, partitionOf, type BKey } from '../core/hash.js'
import type { SiblingContent } from '../core/object.js'
import { decodeObject } from '../core/objectCodec.js'
import { checkIndexQuery, type IndexQueryArgs } from '../kv/indexQuery.js'
import { silentLogger } from '../shared/log.js'
import { MemoryBackend } from '../storage/memory.js'
import { INDEX_PARTITION } from './partitionSpace.js'
import { entryKey, fieldPrefix, parseEntry, sortableInt } from './secondaryIndexEntries.js'
import { liveIndexEntries, secondaryIndexHook } from './secondaryIndexHook.js'
import { scanIndex } from './secondaryIndexScan.js'
import { Vnode } from './vnode.js'

const clock: Clock = {
  now: () => 1_700_000_000_000,
  setTimer: () => {
    throw new Error('no timers here')
  },
  clearTimer: () => undefined,
}

function content(value: string, indexes: Array<[string, string]> = [], deleted = false): SiblingContent {
  return { value: Buffer.from(value), contentType: 'text/plain', lastModified: 0, meta: {}, deleted, ...(indexes.length ? { indexes } : {}) }
}

const bk = (key: string): BKey => ({ type: 'default', bucket: 'users', key })

async function rig(partition = 3): Promise<{ backend: MemoryBackend; vnode: Vnode }> {
  const backend = new MemoryBackend()
  await backend.open()
  return { backend, vnode: new Vnode(partition, 'n1', backend, clock, silentLogger(), undefined, [secondaryIndexHook()]) }
}

/** What the index partition holds, as readable strings. */
async function entries(backend: MemoryBackend, field: string): Promise<string[]> {
  const prefix = fieldPrefix('default', 'users', field)
  const out: string[] = []
  for await (const [k] of backend.fold(INDEX_PARTITION)) {
    if (Buffer.compare(Buffer.from(k).subarray(0, prefix.length), prefix) !== 0) continue
    const e = parseEntry(k, field, prefix.length)
    out.push(`${e.term}|${e.key}|${e.vnode}`)
  }
  return out
}

t.test('entry keys sort as Riak sorts results', async (t) => {
  const ints = ['-1000', '-12', '-5', '0', '7', '12', '100', '99999999999999999999999']
  const shuffled = [...ints].reverse()
  const sorted = shuffled.map((i) => sortableInt(i)).sort(Buffer.compare)
  t.same(sorted.map((b) => b.toString('hex')), ints.map((i) => sortableInt(i).toString('hex')), 'integers numerically')
  const bins = ['', 'a', 'a\u0000', 'a\u0000b', 'a\u0001', 'ab', 'b', '\u00e9']
  const keys = bins.map((b) => entryKey('default', 'users', 'x_bin', b, 'k', 1))
  t.same([...keys].sort(Buffer.compare), keys, 'binaries by bytes, a prefix first, NULs kept in order')
  const byKey = ['a', 'b', 'ba'].map((k) => entryKey('default', 'users', 'x_bin', 't', k, 9))
  t.same([...byKey].sort(Buffer.compare), byKey, 'then by key')
  for (const [field, term] of [['x_int', '-42'], ['x_int', '0'], ['x_bin', 'a\u0000b\u0000']] as const) {
    const k = entryKey('default', 'users', field, term, 'key\u0000x', 7)
    t.same(parseEntry(k, field, fieldPrefix('default', 'users', field).length), { term, key: 'key\u0000x', vnode: 7 }, `${field} ${JSON.stringify(term)} round-trips`)
  }
})

t.test('the hook keeps entries in step: write, update, siblings, tombstone, reap, handoff delete', async (t) => {
  const { backend, vnode } = await rig()
  const key = encodeBKey(bk('alice'))
  const v1 = decodeObject(await vnode.coordinate(key, { context: [], content: content('1', [['age_int', '30'], ['email_bin', 'a@x']]), allowMult: true, sync: false }))
  t.same(await entries(backend, 'email_bin'), ['a@x|alice|3'])
  t.same(await entries(backend, 'age_int'), ['30|alice|3'])
  const v2 = decodeObject(await vnode.coordinate(key, { context: v1.clock, content: content('2', [['age_int', '31'], ['email_bin', 'a@x']]), allowMult: true, sync: false }))
  t.same(await entries(backend, 'age_int'), ['31|alice|3'], 'an update moves the changed entry')
  t.same(await entries(backend, 'email_bin'), ['a@x|alice|3'], 'and keeps the unchanged one')
  // A concurrent write from another vnode arrives by merge: both siblings' entries are kept.
  const other = await rig(4)
  const concurrent = decodeObject(await other.vnode.coordinate(key, { context: [], content: content('3', [['age_int', '40']]), allowMult: true, sync: false }))
  await vnode.merge(key, concurrent, true, false)
  t.same(await entries(backend, 'age_int'), ['31|alice|3', '40|alice|3'], 'siblings: the union')
  const merged = await vnode.get(key)
  t.same([...liveIndexEntries(merged)].sort(), ['age_int\u000031', 'age_int\u000040', 'email_bin\u0000a@x'])
  const tomb = decodeObject(await vnode.coordinate(key, { context: merged!.clock, content: content('', [], true), allowMult: true, sync: false }))
  t.same(await entries(backend, 'age_int'), [], 'a delete removes every entry')
  t.same(await entries(backend, 'email_bin'), [])
  t.ok(await vnode.reap(key, tomb.clock), 'reaped')
  t.same(await entries(backend, 'age_int'), [])
  // Handoff: a fallback's copy goes, and its entries with it.
  const sent = await vnode.coordinate(encodeBKey(bk('bob')), { context: [], content: content('b', [['team_bin', 'red']]), allowMult: true, sync: false })
  t.same(await entries(backend, 'team_bin'), ['red|bob|3'])
  t.ok(await vnode.deleteIfUnchanged(encodeBKey(bk('bob')), sent), 'handed off')
  t.same(await entries(backend, 'team_bin'), [], 'entries gone with the copy')
  t.ok(v2)
})

t.test('objects without indexes add nothing to a batch', async (t) => {
  const ops = secondaryIndexHook().ops!({ partition: 1, key: encodeBKey(bk('x')), before: undefined, after: { clock: [], siblings: [{ ...content('v'), dot: { actor: 'a', counter: 1 } }] } })
  t.same(ops, [])
})

t.test('the node-local scan: plan, range, resumption, regex, $key, $bucket', async (t) => {
  const q = 8
  const backend = new MemoryBackend()
  await backend.open()
  const vnodes = new Map<number, Vnode>()
  const vnodeFor = (p: number): Vnode => vnodes.get(p) ?? vnodes.set(p, new Vnode(p, 'n1', backend, clock, silentLogger(), undefined, [secondaryIndexHook()])).get(p)!
  const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10']
  // Each key stored on its own partition's vnode and, as a replica, on the next one too.
  for (const [i, k] of keys.entries()) {
    const p = partitionOf(bk(k), q)
    for (const v of [p, (p + 1) % q]) {
      await vnodeFor(v).coordinate(encodeBKey(bk(k)), { context: [], content: content(k, [['n_int', String(i * 10)], ['name_bin', `n${k}`]]), allowMult: true, sync: false })
    }
  }
  await vnodeFor(partitionOf(bk('gone'), q)).coordinate(encodeBKey(bk('gone')), { context: [], content: content('', [], true), allowMult: true, sync: false })
  const everyPartition = Array.from({ length: q }, (_, p) => ({ vnode: p, partitions: [p] }))
  const query = (a: Partial<IndexQueryArgs>) => checkIndexQuery({ type: 'default', bucket: 'users', field: 'n_int', start: '0', ...a })
  const all = await scanIndex(backend, q, query({ end: '1000' }), everyPartition, 100)
  t.same(all.map(([, k]) => k), keys, 'each key once although two vnodes hold it, in term order')
  t.same(all.map(([term]) => term), keys.map((_, i) => String(i * 10)), 'numeric order, not 0, 10, 100...')
  t.same(await scanIndex(backend, q, query({ start: '20', end: '40' }), everyPartition, 100), [['20', 'k3'], ['30', 'k4'], ['40', 'k5']], 'a range, both ends included')
  t.same(await scanIndex(backend, q, query({ start: '20', end: '40' }), everyPartition, 2), [['20', 'k3'], ['30', 'k4']], 'stops at the limit')
  t.same(await scanIndex(backend, q, query({ start: '20' }), everyPartition, 100), [['20', 'k3']], 'an exact match')
  t.same(await scanIndex(backend, q, query({ end: '1000', continuation: Buffer.from(JSON.stringify(['70', 'k8'])).toString('base64url') }), everyPartition, 100), [['80', 'k9'], ['90', 'k10']], 'resumes after a position')
  const half = everyPartition.filter((e) => e.vnode % 2 === 0)
  const fromHalf = await scanIndex(backend, q, query({ end: '1000' }), half, 100)
  t.ok(fromHalf.every(([, k]) => partitionOf(bk(k), q) % 2 === 0), 'only the partitions the plan gives')
  const names = await scanIndex(backend, q, query({ field: 'name_bin', start: 'nk1', end: 'nk9', termRegex: '^nk1' }), everyPartition, 100)
  t.same(names, [['nk1', 'k1'], ['nk10', 'k10']], 'term_regex on a _bin range')
  const byKey = await scanIndex(backend, q, query({ field: '$key', start: 'k2', end: 'k5' }), everyPartition, 100)
  t.same(byKey, [['k2', 'k2'], ['k3', 'k3'], ['k4', 'k4'], ['k5', 'k5']], '$key range in key order (bytes: k10 < k2)')
  const bucket = await scanIndex(backend, q, query({ field: '$bucket', start: 'users' }), everyPartition, 100)
  t.same(bucket.map(([, k]) => k), [...keys].sort(), '$bucket: every live key, no tombstone')
})
