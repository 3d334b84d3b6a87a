import t from 'tap'
import { annotatedPreflist } from './fallbacks.js'
import { createRing, preflistFrom } from './ring.js'

const names = (m: number) => Array.from({ length: m }, (_, i) => `n${i + 1}`)

t.test('all nodes up: exactly the primaries', async (t) => {
  const ring = createRing(names(5), 64, 3)
  for (let p = 0; p < 64; p++) t.same(annotatedPreflist(ring, p, 3, () => true), preflistFrom(ring, p, 3))
})

t.test('a down primary is replaced by the next up node not already in the list', async (t) => {
  const ring = createRing(names(5), 64, 3)
  for (let p = 0; p < 64; p++) {
    const primaries = preflistFrom(ring, p, 3)
    const down = primaries[1]!.node
    const apl = annotatedPreflist(ring, p, 3, (n) => n !== down)
    t.equal(apl.length, 3)
    t.same(apl.filter((e) => e.primary), primaries.filter((e) => e.node !== down), 'up primaries kept as primaries')
    const fb = apl.find((e) => !e.primary)!
    t.equal(fb.partition, primaries[1]!.partition, "the fallback stands in for the down primary's partition")
    t.not(fb.node, down)
    t.equal(new Set(apl.map((e) => e.node)).size, 3, 'three distinct nodes')
    // The first owner after the primaries that is up and not a primary.
    const expected = Array.from({ length: 64 }, (_, k) => ring.owners[(p + 3 + k) % 64]!).find((n) => n !== down && !primaries.some((e) => e.node === n))
    t.equal(fb.node, expected)
  }
})

t.test('with too few nodes up an up node stands in once more, for another partition', async (t) => {
  const ring = createRing(names(4), 32, 3)
  const up = new Set(['n1', 'n2'])
  for (let p = 0; p < 32; p++) {
    const apl = annotatedPreflist(ring, p, 3, (n) => up.has(n))
    t.equal(apl.length, 3, 'two up nodes fill three slots: one of them twice')
    t.equal(new Set(apl.map((e) => e.partition)).size, 3, 'each entry for its own partition')
    t.equal(new Set(apl.map((e) => e.node)).size, 2)
    t.ok(apl.every((e) => up.has(e.node)))
    const fallbackNodes = apl.filter((e) => !e.primary).map((e) => e.node)
    t.equal(new Set(fallbackNodes).size, fallbackNodes.length, 'a node stands in at most once')
  }
  const three = createRing(names(3), 16, 3)
  for (let p = 0; p < 16; p++) {
    const primaries = preflistFrom(three, p, 3)
    const downSlots = primaries.filter((e) => e.node === 'n2').length
    const apl = annotatedPreflist(three, p, 3, (n) => n !== 'n2')
    t.equal(apl.length, 3, '3 nodes, one down: still three vnodes')
    t.equal(apl.filter((e) => !e.primary).length, downSlots, 'a fallback, on a node already in the list, per slot of the down node')
    const onlyOne = annotatedPreflist(three, p, 3, (n) => n === 'n1')
    const ownSlots = primaries.filter((e) => e.node === 'n1').length
    t.equal(onlyOne.length, Math.min(3, ownSlots + 1), 'one node up: its own slots and one stand-in')
  }
  t.same(annotatedPreflist(ring, 0, 3, () => false), [], 'nothing up: nothing to ask')
})

t.test('two primaries down: two fallbacks, in ring order, each for its own partition', async (t) => {
  const ring = createRing(names(6), 64, 3)
  const primaries = preflistFrom(ring, 10, 3)
  const down = new Set([primaries[0]!.node, primaries[2]!.node])
  const apl = annotatedPreflist(ring, 10, 3, (n) => !down.has(n))
  t.same(apl.map((e) => e.primary), [false, true, false])
  t.same(apl.map((e) => e.partition), primaries.map((e) => e.partition))
  t.equal(new Set(apl.map((e) => e.node)).size, 3)
})
