import t from 'tap'
import { createRing, type Ring } from '../core/ring.js'
import { annotatedPreflist } from '../core/fallbacks.js'
import { partitionOf } from '../core/hash.js'
import { replicaPlan } from './replicaPlan.js'
import type { KvEnv } from './env.js'

/** Only the two members of KvEnv that a plan reads. */
function envOf(ring: () => Ring, down: Set<string>): KvEnv {
  return { ring, isUp: (n: string) => !down.has(n) } as unknown as KvEnv
}

const bk = { type: 'default', bucket: 'b', key: 'k1' }

t.test('a cached plan follows the detector: a node going down or back up changes the plan', async (t) => {
  const ring = createRing(['n1', 'n2', 'n3', 'n4'], 16, 3)
  const down = new Set<string>()
  const env = envOf(() => ring, down)
  const first = partitionOf(bk, ring.q)
  const up = replicaPlan(env, bk, 3, undefined)
  t.same(up.pl, annotatedPreflist(ring, first, 3, () => true))
  t.equal(replicaPlan(env, bk, 3, undefined), up, 'same inputs, the same (cached) plan')
  const victim = up.pl[0]!.node
  down.add(victim)
  const withFallback = replicaPlan(env, bk, 3, undefined)
  t.same(withFallback.pl, annotatedPreflist(ring, first, 3, (n) => n !== victim))
  t.ok(withFallback.pl.some((e) => !e.primary), 'a fallback stands in for the down primary')
  down.delete(victim)
  t.same(replicaPlan(env, bk, 3, undefined).pl, up.pl, 'back up: the primaries again')
})

t.test('strict and sloppy plans, and different N, are cached apart', async (t) => {
  const ring = createRing(['n1', 'n2', 'n3', 'n4'], 16, 3)
  const down = new Set<string>(['n1', 'n2'])
  const env = envOf(() => ring, down)
  const strict = replicaPlan(env, bk, 3, false)
  t.ok(strict.pl.every((e) => e.primary), 'strict: primaries only, down or not')
  t.equal(strict.spares.length, 0)
  t.not(replicaPlan(env, bk, 3, undefined), strict)
  t.equal(replicaPlan(env, bk, 2, false).pl.length, 2)
})

t.test('a new ring gets new plans', async (t) => {
  let ring = createRing(['n1', 'n2', 'n3'], 16, 3)
  const env = envOf(() => ring, new Set())
  const before = replicaPlan(env, bk, 3, undefined)
  ring = createRing(['n1', 'n2', 'n3', 'n4', 'n5'], 16, 3)
  const after = replicaPlan(env, bk, 3, undefined)
  t.same(after.pl, annotatedPreflist(ring, partitionOf(bk, ring.q), 3, () => true))
  t.not(after, before)
})

t.test('a shared plan cannot be changed by a caller', async (t) => {
  const ring = createRing(['n1', 'n2', 'n3'], 16, 3)
  const plan = replicaPlan(envOf(() => ring, new Set()), bk, 3, undefined)
  t.throws(() => (plan.pl as unknown as unknown[]).push({}))
  t.throws(() => {
    plan.pl[0]!.node = 'elsewhere'
  })
  t.throws(() => (plan.spares as unknown as string[]).shift())
})
