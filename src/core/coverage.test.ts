import t, { type Test } from 'tap'
import { coveragePlan } from './coverage.js'
import { createRing, preflistFrom } from './ring.js'

/** Every hash partition answered by exactly one vnode, which holds it and whose owner is up. */
function checkPlan(t: Test, ring: ReturnType<typeof createRing>, n: number, up: (node: string) => boolean): number {
  const plan = coveragePlan(ring, n, up)
  const seen = new Map<number, number>()
  for (const e of plan) {
    t.equal(ring.owners[e.vnode], e.node, 'the vnode is asked on its owner')
    t.ok(up(e.node), 'only up nodes are asked')
    for (const h of e.partitions) {
      seen.set(h, (seen.get(h) ?? 0) + 1)
      t.ok(preflistFrom(ring, h, n).some((p) => p.partition === e.vnode), `vnode ${e.vnode} holds partition ${h}`)
    }
  }
  t.equal(seen.size, ring.q, 'every partition is covered')
  t.ok([...seen.values()].every((c) => c === 1), 'no partition is covered twice')
  return plan.length
}

/** The fewest nodes whose vnodes hold every partition, by trying every subset (small clusters only). */
function fewestNodes(ring: ReturnType<typeof createRing>, n: number, up: (node: string) => boolean): number {
  const nodes = [...new Set(ring.owners)].filter(up)
  let best = Infinity
  for (let mask = 1; mask < 1 << nodes.length; mask++) {
    const set = new Set(nodes.filter((_, i) => (mask >> i) & 1))
    if (set.size >= best) continue
    let covers = true
    for (let h = 0; h < ring.q && covers; h++) covers = preflistFrom(ring, h, n).some((e) => set.has(e.node))
    if (covers) best = set.size
  }
  return best
}

t.test('a full ring is covered by as few nodes as can hold every key, each partition once', async (t) => {
  for (const [m, q, n] of [[3, 64, 3], [4, 64, 3], [5, 64, 3], [5, 128, 3], [7, 64, 3], [9, 64, 3], [9, 128, 5], [1, 8, 1], [6, 16, 5], [3, 8, 2], [8, 256, 3]] as const) {
    const ring = createRing(Array.from({ length: m }, (_, i) => `n${i}`), q, n)
    checkPlan(t, ring, n, () => true)
    const asked = new Set(coveragePlan(ring, n, () => true).map((e) => e.node)).size
    t.equal(asked, fewestNodes(ring, n, () => true), `m=${m} q=${q} n=${n}: ${asked} nodes asked`)
  }
})

t.test('the asking node answers when a cover of the fewest nodes can include it; plans are made once per view', async (t) => {
  for (const m of [3, 4, 5, 9]) {
    const ring = createRing(Array.from({ length: m }, (_, i) => `n${i}`), 64, 3)
    const fewest = fewestNodes(ring, 3, () => true)
    for (const self of ring.members) {
      const plan = coveragePlan(ring, 3, () => true, self)
      const withSelf = fewestNodes(ring, 3, (node) => node !== self) > fewest || coversWith(ring, 3, self, fewest)
      t.equal(plan.some((e) => e.node === self), withSelf, `m=${m} ${self}: ${withSelf ? 'in' : 'not in'} the plan`)
      t.equal(coveragePlan(ring, 3, () => true, self), plan, 'the same view gives the same plan, made once')
    }
  }
  const ring = createRing(['n0', 'n1', 'n2', 'n3'], 64, 3)
  t.not(coveragePlan(ring, 3, (node) => node !== 'n1'), coveragePlan(ring, 3, () => true), 'another view, another plan')
  t.equal(coveragePlan(ring, 3, () => true, 'n1'), coveragePlan(ring, 3, () => true, 'n1'))
})

/** True if some cover of `size` nodes includes `self`. */
function coversWith(ring: ReturnType<typeof createRing>, n: number, self: string, size: number): boolean {
  const others = ring.members.filter((m) => m !== self)
  const pick = (from: number, left: number, set: Set<string>): boolean => {
    if (left === 0) {
      for (let h = 0; h < ring.q; h++) if (!preflistFrom(ring, h, n).some((e) => set.has(e.node))) return false
      return true
    }
    for (let i = from; i < others.length; i++) if (pick(i + 1, left - 1, new Set([...set, others[i]!]))) return true
    return false
  }
  return pick(0, size - 1, new Set([self]))
}

t.test('a cluster too large to search every set gets the greedy cover, still each partition once', async (t) => {
  const ring = createRing(Array.from({ length: 30 }, (_, i) => `n${i}`), 256, 3)
  checkPlan(t, ring, 3, () => true)
  const asked = new Set(coveragePlan(ring, 3, () => true).map((e) => e.node)).size
  t.ok(asked >= 10 && asked < 30, `30 nodes at N=3: ${asked} asked (10 is the least that can hold 256 partitions)`)
})

t.test('a down node is covered by the other replicas', async (t) => {
  const ring = createRing(['n0', 'n1', 'n2', 'n3'], 64, 3)
  for (const up of [(node: string) => node !== 'n1', (node: string) => node !== 'n1' && node !== 'n2']) {
    checkPlan(t, ring, 3, up)
    t.equal(new Set(coveragePlan(ring, 3, up).map((e) => e.node)).size, fewestNodes(ring, 3, up), 'still as few nodes as can hold every key')
  }
})

t.test('a partition with no primary up is INSUFFICIENT_VNODES', async (t) => {
  const ring = createRing(['n0', 'n1', 'n2'], 16, 1)
  t.throws(() => coveragePlan(ring, 1, (node) => node !== 'n2'), { code: 'INSUFFICIENT_VNODES' })
  const plan = coveragePlan(ring, 1, () => true)
  t.equal(plan.length, 16, 'N=1: every vnode answers for its own partition')
})
