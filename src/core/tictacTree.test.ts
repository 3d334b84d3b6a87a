import t from 'tap'
import { encodeBKey } from './hash.js'
import type { KvObject } from './object.js'
import { bytesToU32, differing, keyHash, objectHash, TictacTree, u32ToBytes } from './tictacTree.js'

const shape = { branches: 16, segmentsPerBranch: 32 }
const key = (i: number) => encodeBKey({ type: 'default', bucket: 'b', key: `k${i}` })
const obj = (actor: string, counter: number, deleted = false): KvObject => ({
  clock: [{ actor, counter, ts: 1_700_000_000_000 + counter }],
  siblings: [{ dot: { actor, counter }, value: Buffer.from(`v${counter}`), contentType: 't', lastModified: 1, meta: {}, deleted }],
})

function put(tree: TictacTree, k: Uint8Array, before: KvObject | undefined, after: KvObject | undefined): void {
  tree.update(tree.segmentOf(keyHash(k)), before ? objectHash(k, before) : 0, after ? objectHash(k, after) : 0)
}

t.test('an empty tree is all zeros; a put and its delete cancel', async (t) => {
  const tree = new TictacTree(shape)
  t.equal(tree.root, 0)
  put(tree, key(1), undefined, obj('a', 1))
  t.not(tree.root, 0)
  put(tree, key(1), obj('a', 1), undefined)
  t.equal(tree.root, 0)
  t.equal(differing(tree.segments, new Uint32Array(tree.totalSegments)).length, 0)
})

t.test('order does not matter: two replicas with the same objects have the same tree', async (t) => {
  const a = new TictacTree(shape)
  const b = new TictacTree(shape)
  const objs = Array.from({ length: 200 }, (_, i) => [key(i), obj('n1/3', i + 1)] as const)
  for (const [k, o] of objs) put(a, k, undefined, o)
  for (const [k, o] of [...objs].reverse()) put(b, k, undefined, o)
  t.ok(a.equals(b))
  t.equal(a.root, b.root)
  t.same([...a.level1], [...b.level1])
})

t.test('incremental updates equal a rebuild from scratch', async (t) => {
  const live = new TictacTree(shape)
  const state = new Map<number, KvObject>()
  for (let step = 0; step < 1000; step++) {
    const i = (step * 7919) % 97
    const before = state.get(i)
    const after = step % 5 === 0 ? undefined : obj('x', step + 1)
    put(live, key(i), before, after)
    if (after) state.set(i, after)
    else state.delete(i)
  }
  const rebuilt = new TictacTree(shape)
  for (const [i, o] of state) put(rebuilt, key(i), undefined, o)
  t.ok(live.equals(rebuilt))
})

t.test('a difference shows in the root, one branch and one segment', async (t) => {
  const a = new TictacTree(shape)
  const b = new TictacTree(shape)
  for (let i = 0; i < 100; i++) {
    put(a, key(i), undefined, obj('a', i + 1))
    put(b, key(i), undefined, obj('a', i + 1))
  }
  put(b, key(42), obj('a', 43), obj('a', 999))
  t.not(a.root, b.root)
  const branches = differing(a.level1, b.level1)
  t.equal(branches.length, 1)
  const seg = a.segmentOf(keyHash(key(42)))
  t.same(branches, [a.branchOf(seg)])
  t.same(differing(a.branch(branches[0]!), b.branch(branches[0]!)).map((s) => s + branches[0]! * shape.segmentsPerBranch), [seg])
})

t.test('the object hash covers the clock and the tombstone flag, not only the key', async (t) => {
  const k = key(1)
  t.not(objectHash(k, obj('a', 1)), objectHash(k, obj('a', 2)))
  t.not(objectHash(k, obj('a', 1)), objectHash(k, obj('b', 1)))
  t.not(objectHash(k, obj('a', 1)), objectHash(k, obj('a', 1, true)))
  t.not(objectHash(k, obj('a', 1)), objectHash(key(2), obj('a', 1)))
  t.equal(objectHash(k, obj('a', 1)), objectHash(Buffer.from(k), obj('a', 1)), 'same bytes, same hash')
})

t.test('keys spread over the segments', async (t) => {
  const tree = new TictacTree({ branches: 64, segmentsPerBranch: 256 })
  const used = new Set<number>()
  for (let i = 0; i < 16384; i++) used.add(tree.segmentOf(keyHash(key(i))))
  // 16384 balls in 16384 bins: about 1 - 1/e of the bins are used.
  t.ok(used.size > 0.6 * 16384 && used.size < 0.66 * 16384, `${used.size} segments used`)
})

t.test('merge XORs trees; serialisation round-trips', async (t) => {
  const a = new TictacTree(shape)
  const b = new TictacTree(shape)
  const both = new TictacTree(shape)
  for (let i = 0; i < 50; i++) {
    put(i % 2 ? a : b, key(i), undefined, obj('a', i + 1))
    put(both, key(i), undefined, obj('a', i + 1))
  }
  a.merge(b)
  t.ok(a.equals(both))
  const copy = new TictacTree(shape, bytesToU32(u32ToBytes(both.segments)))
  t.ok(copy.equals(both))
  t.equal(copy.root, both.root)
  t.throws(() => new TictacTree({ branches: 3, segmentsPerBranch: 8 }))
})
