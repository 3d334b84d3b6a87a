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

t.test('a full ring is covered by about Q/N vnodes, each partition once', async (t) => {
  for (const [m, q, n] of [[3, 64, 3], [4, 64, 3], [5, 128, 3], [1, 8, 1], [6, 16, 5], [3, 8, 2]] as const) {
    const ring = createRing(Array.from({ length: m }, (_, i) => `n${i}`), q, n)
    const count = checkPlan(t, ring, n, () => true)
    t.ok(count <= Math.ceil(q / n) + 1, `m=${m} q=${q} n=${n}: ${count} vnodes`)
  }
})

t.test('a down node is covered by the other replicas', async (t) => {
  const ring = createRing(['n0', 'n1', 'n2', 'n3'], 64, 3)
  checkPlan(t, ring, 3, (node) => node !== 'n1')
  checkPlan(t, ring, 3, (node) => node !== 'n1' && node !== 'n2')
})

t.test('a partition with no primary up is INSUFFICIENT_VNODES', async (t) => {
  const ring = createRing(['n0', 'n1', 'n2'], 16, 1)
  t.throws(() => coveragePlan(ring, 1, (node) => node !== 'n2'), { code: 'INSUFFICIENT_VNODES' })
  const plan = coveragePlan(ring, 1, () => true)
  t.equal(plan.length, 16, 'N=1: every vnode answers for its own partition')
})
