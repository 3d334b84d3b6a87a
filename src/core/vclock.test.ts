import t from 'tap'
import { VCLOCK } from '../config.js'
import {
  EMPTY,
  concurrent,
  counterOf,
  descends,
  dominates,
  equal,
  increment,
  merge,
  prune,
  withEntry,
  type PruneLimits,
  type VClock,
  type VEntry,
} from './vclock.js'
import { mulberry32 } from '../../test/harness/prng.js'

const rnd = mulberry32(20240601)
const int = (n: number): number => Math.floor(rnd() * n)
const ACTORS = ['vn0', 'vn1', 'vn2', 'vn3', 'vn4', 'vn5']
const CASES = 400

/** A clock over a random subset of a small actor pool, so clocks overlap often. */
function randomClock(): VClock {
  const out: VEntry[] = []
  for (const actor of ACTORS) {
    if (rnd() < 0.5) continue
    const counter = 1 + int(4)
    // Half the time the timestamp is a function of (actor, counter), as when both copies come from
    // the same increment; otherwise it differs, which exercises merge's tie-break.
    const ts = rnd() < 0.5 ? 1_000 * counter + ACTORS.indexOf(actor) : int(10_000)
    out.push({ actor, counter, ts })
  }
  return out
}

const triples = Array.from({ length: CASES }, () => [randomClock(), randomClock(), randomClock()] as const)

/** Independent definition: a >= b iff for every actor a's counter is at least b's. */
function refDescends(a: VClock, b: VClock): boolean {
  const actors = new Set([...a, ...b].map((e) => e.actor))
  const get = (vc: VClock, x: string) => vc.find((e) => e.actor === x)?.counter ?? 0
  return [...actors].every((x) => get(a, x) >= get(b, x))
}

function sortedUnique(vc: VClock): boolean {
  for (let i = 1; i < vc.length; i++) if (!(vc[i - 1]!.actor < vc[i]!.actor)) return false
  return true
}

t.test('merge is commutative, associative and idempotent', async (t) => {
  const bad: string[] = []
  for (const [a, b, c] of triples) {
    const show = JSON.stringify([a, b, c])
    if (JSON.stringify(merge(a, b)) !== JSON.stringify(merge(b, a))) bad.push(`commutative: ${show}`)
    if (JSON.stringify(merge(merge(a, b), c)) !== JSON.stringify(merge(a, merge(b, c)))) bad.push(`associative: ${show}`)
    if (JSON.stringify(merge(a, b, c)) !== JSON.stringify(merge(merge(a, b), c))) bad.push(`variadic: ${show}`)
    const ma = merge(a)
    if (JSON.stringify(merge(ma, ma)) !== JSON.stringify(ma)) bad.push(`idempotent: ${show}`)
    if (JSON.stringify(merge(a, a)) !== JSON.stringify(ma)) bad.push(`idempotent on input: ${show}`)
  }
  t.same(bad, [])
  t.same(merge(), [], 'merge of nothing is the empty clock')
  t.same(
    merge([{ actor: 'x', counter: 2, ts: 5 }], [{ actor: 'x', counter: 2, ts: 9 }]),
    [{ actor: 'x', counter: 2, ts: 9 }],
    'equal counters: the later timestamp wins',
  )
  t.same(
    merge([{ actor: 'x', counter: 3, ts: 1 }], [{ actor: 'x', counter: 2, ts: 9 }]),
    [{ actor: 'x', counter: 3, ts: 1 }],
    'a higher counter wins whatever its timestamp',
  )
})

t.test('merge is the least upper bound: descends both inputs, and nothing more', async (t) => {
  const bad: string[] = []
  for (const [a, b, c] of triples) {
    const m = merge(a, b)
    if (!descends(m, a) || !descends(m, b)) bad.push(`upper bound: ${JSON.stringify([a, b])}`)
    if (!sortedUnique(m)) bad.push(`sorted: ${JSON.stringify(m)}`)
    // every counter in the merge comes from one of the inputs
    for (const e of m) if (e.counter !== Math.max(counterOf(a, e.actor), counterOf(b, e.actor))) bad.push(`max: ${JSON.stringify([a, b])}`)
    const upper = merge(a, b, c)
    if (!descends(upper, m)) bad.push(`least: ${JSON.stringify([a, b, c])}`)
    if (descends(a, b) !== refDescends(a, b)) bad.push(`descends vs reference: ${JSON.stringify([a, b])}`)
  }
  t.same(bad, [])
})

t.test('descends: reflexive, transitive, antisymmetric up to counters; everything descends EMPTY', async (t) => {
  const bad: string[] = []
  let transitiveHits = 0
  for (const [a, b, c] of triples) {
    if (!descends(a, a)) bad.push(`reflexive: ${JSON.stringify(a)}`)
    if (!descends(a, EMPTY)) bad.push(`empty: ${JSON.stringify(a)}`)
    if (a.length > 0 && descends(EMPTY, a)) bad.push(`EMPTY descends ${JSON.stringify(a)}`)
    // chains built so the premise holds: z <= y <= x
    const z = a
    const y = merge(a, b)
    const x = merge(y, c)
    if (!(descends(x, y) && descends(y, z) && descends(x, z))) bad.push(`chain: ${JSON.stringify([a, b, c])}`)
    if (descends(a, b) && descends(b, a) && !equal(a, b)) bad.push(`equal: ${JSON.stringify([a, b])}`)
  }
  // Transitivity over every ordered triple of a pool of small clocks (two actors, counters 0..2),
  // where the premise holds often.
  const pool: VClock[] = Array.from({ length: 40 }, () =>
    ['p', 'q'].flatMap((actor) => {
      const counter = int(3)
      return counter === 0 ? [] : [{ actor, counter, ts: int(100) }]
    }),
  )
  for (const a of pool) {
    for (const b of pool) {
      if (!descends(a, b)) continue
      for (const c of pool) {
        if (!descends(b, c)) continue
        transitiveHits++
        if (!descends(a, c)) bad.push(`transitive: ${JSON.stringify([a, b, c])}`)
      }
    }
  }
  t.same(bad, [])
  t.ok(transitiveHits >= 1000, `the random premise held ${transitiveHits} times`)
  t.notOk(descends([{ actor: 'a', counter: 1, ts: 0 }], [{ actor: 'a', counter: 2, ts: 0 }]))
  t.notOk(descends([{ actor: 'a', counter: 5, ts: 0 }], [{ actor: 'b', counter: 1, ts: 0 }]), 'an unseen actor is not descended')
})

t.test('dominates is strict; concurrent is symmetric; exactly one relation holds', async (t) => {
  const bad: string[] = []
  const seen = { dom: 0, eq: 0, conc: 0 }
  for (const [a, b] of triples) {
    if (dominates(a, a)) bad.push(`irreflexive: ${JSON.stringify(a)}`)
    if (dominates(a, b) && dominates(b, a)) bad.push(`asymmetric: ${JSON.stringify([a, b])}`)
    if (dominates(a, b) !== (refDescends(a, b) && !refDescends(b, a))) bad.push(`definition: ${JSON.stringify([a, b])}`)
    if (concurrent(a, b) !== concurrent(b, a)) bad.push(`concurrent symmetric: ${JSON.stringify([a, b])}`)
    const relations = [dominates(a, b), dominates(b, a), equal(a, b), concurrent(a, b)].filter(Boolean).length
    if (relations !== 1) bad.push(`trichotomy: ${JSON.stringify([a, b])}`)
    const reordered = [...a].reverse()
    if (!equal(a, reordered) || dominates(a, reordered) || concurrent(a, reordered)) bad.push(`equal: ${JSON.stringify(a)}`)
    if (dominates(a, b) || dominates(b, a)) seen.dom++
    else if (equal(a, b)) seen.eq++
    else seen.conc++
  }
  t.same(bad, [])
  t.ok(seen.dom > 20 && seen.conc > 20, `both orders and concurrency occur (${JSON.stringify(seen)})`)
})

t.test('increment and withEntry', async (t) => {
  const bad: string[] = []
  for (const [a] of triples) {
    const actor = ACTORS[int(ACTORS.length + 1)] ?? 'newcomer'
    const inc = increment(a, actor, 123)
    if (!dominates(inc, a)) bad.push(`dominates: ${JSON.stringify(a)} ${actor}`)
    if (counterOf(inc, actor) !== counterOf(a, actor) + 1) bad.push(`counter: ${JSON.stringify(a)} ${actor}`)
    if (inc.find((e) => e.actor === actor)?.ts !== 123) bad.push(`ts: ${JSON.stringify(a)} ${actor}`)
    for (const e of a) if (e.actor !== actor && counterOf(inc, e.actor) !== e.counter) bad.push(`others: ${JSON.stringify(a)}`)
    if (!sortedUnique(inc) || inc.length !== a.length + (counterOf(a, actor) === 0 ? 1 : 0)) bad.push(`shape: ${JSON.stringify(inc)}`)
    const w = withEntry(a, actor, 10, 7)
    if (counterOf(w, actor) !== 10 || !sortedUnique(w)) bad.push(`withEntry: ${JSON.stringify(w)}`)
  }
  t.same(bad, [])
  const frozen = Object.freeze([{ actor: 'a', counter: 1, ts: 1 }])
  t.same(increment(frozen, 'a', 2), [{ actor: 'a', counter: 2, ts: 2 }], 'the input is not mutated')
  t.same(frozen, [{ actor: 'a', counter: 1, ts: 1 }])
})

// ---- pruning ----------------------------------------------------------------------------------

const NOW = 1_700_000_000_000
const SEC = 1000

function randomLongClock(len: number): VEntry[] {
  return Array.from({ length: len }, (_, i) => {
    const r = rnd()
    // a mix of very young (< 20 s), middling (minutes to hours) and very old (days) entries
    const ageSec = r < 0.3 ? int(20) : r < 0.6 ? 20 + int(80_000) : 86_400 + int(200_000)
    return { actor: `a${String(i).padStart(3, '0')}`, counter: 1 + int(50), ts: NOW - ageSec * SEC - int(SEC) }
  })
}

t.test('prune laws over random clocks and limits', async (t) => {
  const bad: string[] = []
  const stops = { young: 0, small: 0, notOld: 0 }
  for (let i = 0; i < CASES; i++) {
    const small = 1 + int(8)
    const limits: PruneLimits = { smallVclock: small, bigVclock: small + int(6), youngVclockSec: 20, oldVclockSec: 86_400 }
    const input = randomLongClock(int(25))
    const sortedInput = merge(input)
    const out = prune(sortedInput, NOW, limits)
    const ageOf = (e: VEntry) => (NOW - e.ts) / SEC
    const label = `#${i} len=${input.length} ${JSON.stringify(limits)}`
    if (input.length <= small) {
      if (JSON.stringify(out) !== JSON.stringify(sortedInput)) bad.push(`${label}: short clock changed`)
      continue
    }
    if (!descends(sortedInput, out)) bad.push(`${label}: input does not descend the result`)
    const kept = new Set(out.map((e) => JSON.stringify(e)))
    if (out.some((e) => !sortedInput.some((x) => JSON.stringify(x) === JSON.stringify(e)))) bad.push(`${label}: invented entry`)
    if (!sortedUnique(out)) bad.push(`${label}: result not sorted by actor`)
    const removed = sortedInput.filter((e) => !kept.has(JSON.stringify(e)))
    for (const r of removed) {
      if (ageOf(r) < limits.youngVclockSec) bad.push(`${label}: removed a young entry`)
      if (out.some((k) => k.ts < r.ts)) bad.push(`${label}: removed ${r.actor} before an older entry`)
    }
    if (out.length < small) bad.push(`${label}: pruned below smallVclock (${out.length})`)
    // why it stopped: at smallVclock, or the oldest remaining entry is young, or (within bigVclock) not old
    const oldest = [...out].sort((x, y) => x.ts - y.ts)[0]!
    if (out.length > limits.bigVclock && ageOf(oldest) >= limits.youngVclockSec) bad.push(`${label}: left longer than bigVclock`)
    if (out.length > small && ageOf(oldest) > limits.oldVclockSec) bad.push(`${label}: left an old entry`)
    if (out.length === small) stops.small++
    else if (ageOf(oldest) < limits.youngVclockSec) stops.young++
    else stops.notOld++
  }
  t.same(bad, [])
  t.ok(stops.small > 10 && stops.young > 10 && stops.notOld > 10, `every stopping reason occurs: ${JSON.stringify(stops)}`)
})

t.test('prune with the configured limits', async (t) => {
  const old = (i: number): VEntry => ({ actor: `a${String(i).padStart(2, '0')}`, counter: 1, ts: NOW - (100_000 + i) * SEC })
  const fifty = Array.from({ length: VCLOCK.smallVclock }, (_, i) => old(i))
  t.same(prune(merge(fifty), NOW), prune(merge([...fifty].reverse()), NOW), 'deterministic')
  t.same(prune(merge(fifty), NOW), merge(fifty), 'smallVclock entries are kept whole, however old')
  const more = merge(Array.from({ length: VCLOCK.smallVclock + 3 }, (_, i) => old(i)))
  const pruned = prune(more, NOW)
  t.equal(pruned.length, VCLOCK.smallVclock, 'old entries go down to smallVclock')
  t.same(
    more.filter((e) => !pruned.includes(e)).map((e) => e.actor),
    ['a50', 'a51', 'a52'],
    'the oldest three went',
  )
  const young = merge(Array.from({ length: 80 }, (_, i) => ({ actor: `y${i}`, counter: 1, ts: NOW - i * 100 })))
  t.equal(prune(young, NOW).length, 80, 'entries younger than youngVclockSec are never pruned, even past bigVclock')
  const limits: PruneLimits = { smallVclock: 2, bigVclock: 4, youngVclockSec: 20, oldVclockSec: 86_400 }
  const mid = merge([0, 1, 2, 3, 4, 5].map((i) => ({ actor: `m${i}`, counter: 1, ts: NOW - (1_000 + i) * SEC })))
  t.same(
    prune(mid, NOW, limits).map((e) => e.actor),
    ['m0', 'm1', 'm2', 'm3'],
    'entries neither young nor old go only while longer than bigVclock, oldest first',
  )
})
