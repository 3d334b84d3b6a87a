import t from 'tap'
import { Packr } from 'msgpackr'
import {
  coordinatePut,
  covered,
  isTombstone,
  lastWriteWins,
  liveSiblings,
  mergeAll,
  sameObject,
  syncMerge,
  type Dot,
  type KvObject,
  type Sibling,
  type SiblingContent,
} from './object.js'
import { decodeContext, decodeObject, encodeContext, encodeObject } from './objectCodec.js'
import { counterOf, descends, dominates, type VClock } from './vclock.js'
import { mulberry32 } from '../../test/harness/prng.js'

function content(value: string, lastModified: number, extra: Partial<SiblingContent> = {}): SiblingContent {
  return { value: Buffer.from(value), contentType: 'application/json', lastModified, meta: {}, deleted: false, ...extra }
}

const dotId = (d: Dot): string => `${d.actor}:${d.counter}`
const dotsOf = (o: KvObject): string[] => o.siblings.map((s) => dotId(s.dot))
const sortedIds = (xs: Iterable<string>): string[] => [...xs].sort()

/** Every event a clock has seen, as dot ids (clocks from vnode actors are downward closed). */
function clockDots(vc: VClock): Set<string> {
  const out = new Set<string>()
  for (const e of vc) for (let k = 1; k <= e.counter; k++) out.add(`${e.actor}:${k}`)
  return out
}

/** A canonical string of everything stored, values as hex, for deep equality. */
function canon(o: KvObject | undefined): string {
  if (!o) return 'undefined'
  return JSON.stringify({
    clock: o.clock.map((e) => [e.actor, e.counter, e.ts]),
    siblings: o.siblings.map((s) => [
      s.dot.actor,
      s.dot.counter,
      Buffer.from(s.value).toString('hex'),
      s.contentType,
      s.lastModified,
      Object.entries(s.meta),
      s.deleted,
    ]),
  })
}

/** Shape every stored object must have, whatever happened to it. */
function invariantProblems(o: KvObject): string[] {
  const out: string[] = []
  const ids = dotsOf(o)
  if (new Set(ids).size !== ids.length) out.push(`duplicate dots ${ids}`)
  for (let i = 1; i < o.siblings.length; i++) {
    const a = o.siblings[i - 1]!.dot
    const b = o.siblings[i]!.dot
    if (!(a.actor < b.actor || (a.actor === b.actor && a.counter < b.counter))) out.push(`siblings out of order ${ids}`)
  }
  for (let i = 1; i < o.clock.length; i++) if (!(o.clock[i - 1]!.actor < o.clock[i]!.actor)) out.push('clock out of order')
  for (const s of o.siblings) if (!covered(s.dot, o.clock)) out.push(`sibling ${dotId(s.dot)} not covered by the clock`)
  if (o.siblings.length === 0) out.push('no siblings')
  return out
}

const LWW_ORDER = (a: Sibling, b: Sibling): number =>
  a.lastModified - b.lastModified || (a.dot.actor < b.dot.actor ? -1 : a.dot.actor > b.dot.actor ? 1 : a.dot.counter - b.dot.counter)

/**
 * The DVV rule stated on its own: a sibling survives a merge iff every side either holds the
 * same dot or has not seen it.
 */
function refMergeDots(objs: KvObject[]): string[] {
  const all = new Map<string, Dot>()
  for (const o of objs) for (const s of o.siblings) all.set(dotId(s.dot), s.dot)
  return sortedIds(
    [...all].filter(([id, d]) => objs.every((o) => dotsOf(o).includes(id) || counterOf(o.clock, d.actor) < d.counter)).map(([id]) => id),
  )
}

// ---- a random history of vnode actors -----------------------------------------------------------

interface State {
  obj: KvObject | undefined
  /** dots this replica has seen (ground truth) */
  seen: Set<string>
  /** dots a write this replica has seen declared overwritten */
  dead: Set<string>
}

interface History {
  states: State[]
  problems: string[]
  created: number
}

const ACTORS = ['vnA', 'vnB', 'vnC', 'vnD']

/**
 * Replicas owned by vnode actors coordinate puts with causal contexts read from any earlier
 * state (stale reads), or none (blind writes), and merge with each other at random. Alongside,
 * a model tracks what each replica has seen and which dots a client has overwritten: with
 * allowMult the siblings must be exactly the seen dots that are not overwritten.
 */
function simulate(seed: number, steps: number, allowMult: boolean): History {
  const rnd = mulberry32(seed)
  const int = (n: number) => Math.floor(rnd() * n)
  const reps: State[] = ACTORS.map(() => ({ obj: undefined, seen: new Set(), dead: new Set() }))
  const states: State[] = []
  const problems: string[] = []
  const lastCounter = new Map<string, number>()
  const allDots = new Set<string>()
  let now = 1_000
  for (let step = 0; step < steps; step++) {
    now += int(3) // equal timestamps happen
    const i = int(reps.length)
    const local = reps[i]!
    let next: State
    if (rnd() < 0.55 || states.length === 0) {
      const actor = ACTORS[i]!
      const r = rnd()
      const ctxFrom = r < 0.15 ? undefined : r < 0.35 ? local : states[int(states.length)]!
      const ctx = ctxFrom?.obj?.clock ?? []
      const meta: Record<string, string> = rnd() < 0.3 ? { author: `u${int(5)}`, ward: 'x' } : {}
      const obj = coordinatePut(local.obj, ctx, content(`v${step}`, now, { meta, deleted: rnd() < 0.1 }), actor, now, allowMult)
      const counter = counterOf(obj.clock, actor)
      const fresh = `${actor}:${counter}`
      if (!dotsOf(obj).includes(fresh)) problems.push(`step ${step}: fresh dot ${fresh} missing`)
      if (counter <= (lastCounter.get(actor) ?? 0)) problems.push(`step ${step}: ${actor} counter did not increase`)
      if (allDots.has(fresh)) problems.push(`step ${step}: dot ${fresh} reused`)
      if (!descends(obj.clock, ctx) || (local.obj && !dominates(obj.clock, local.obj.clock))) problems.push(`step ${step}: clock went back`)
      lastCounter.set(actor, counter)
      allDots.add(fresh)
      const ctxDots = clockDots(ctx)
      next = { obj, seen: new Set([...local.seen, ...ctxDots, fresh]), dead: new Set([...local.dead, ...ctxDots]) }
    } else {
      const other = reps[int(reps.length)]!
      if (!other.obj) continue
      const obj = local.obj ? syncMerge(local.obj, other.obj, allowMult) : other.obj
      next = { obj, seen: new Set([...local.seen, ...other.seen]), dead: new Set([...local.dead, ...other.dead]) }
    }
    reps[i] = next
    states.push(next)
    const obj = next.obj!
    for (const p of invariantProblems(obj)) problems.push(`step ${step}: ${p}`)
    if (allowMult) {
      const live = sortedIds([...next.seen].filter((d) => !next.dead.has(d)))
      if (sortedIds(dotsOf(obj)).join() !== live.join()) problems.push(`step ${step}: siblings ${dotsOf(obj)} but live ${live}`)
      if (sortedIds(clockDots(obj.clock)).join() !== sortedIds(next.seen).join()) problems.push(`step ${step}: clock does not cover exactly what was seen`)
    } else if (obj.siblings.length !== 1) {
      problems.push(`step ${step}: allowMult=false left ${obj.siblings.length} siblings`)
    }
  }
  return { states, problems, created: allDots.size }
}

const SEEDS = Array.from({ length: 12 }, (_, i) => 1000 + i)
const histories = SEEDS.map((s) => simulate(s, 80, true))
const lwwHistories = SEEDS.map((s) => simulate(s, 80, false))

// ---- coordinatePut ------------------------------------------------------------------------------

t.test('coordinatePut: first write, blind write, and a write that saw the object', async (t) => {
  const first = coordinatePut(undefined, [], content('a', 10), 'vnA', 10, true)
  t.same(dotsOf(first), ['vnA:1'])
  t.same(first.clock, [{ actor: 'vnA', counter: 1, ts: 10 }])

  const blind = coordinatePut(first, [], content('b', 11), 'vnA', 11, true)
  t.same(dotsOf(blind), ['vnA:1', 'vnA:2'], 'an empty context on an existing object makes two siblings')
  t.same(blind.siblings.map((s) => Buffer.from(s.value).toString()), ['a', 'b'])
  t.ok(dominates(blind.clock, first.clock))

  const informed = coordinatePut(blind, blind.clock, content('c', 12), 'vnA', 12, true)
  t.same(dotsOf(informed), ['vnA:3'], "with the object's clock as context the write replaces every sibling")
  t.equal(Buffer.from(informed.siblings[0]!.value).toString(), 'c')

  const partial = coordinatePut(blind, first.clock, content('d', 13), 'vnA', 13, true)
  t.same(dotsOf(partial), ['vnA:2', 'vnA:3'], 'a context that saw only the first sibling replaces only that one')

  const elsewhere = coordinatePut(first, [], content('e', 14), 'vnB', 14, true)
  t.same(dotsOf(elsewhere), ['vnA:1', 'vnB:1'], 'another vnode coordinating a blind write adds its own dot')
  t.same(
    elsewhere.clock.map((e) => [e.actor, e.counter]),
    [
      ['vnA', 1],
      ['vnB', 1],
    ],
  )

  // A context from a replica that has seen more of this actor than the local copy (e.g. the local
  // copy was lost): the new dot must still be fresh.
  const ahead = coordinatePut(undefined, [{ actor: 'vnA', counter: 7, ts: 1 }], content('f', 15), 'vnA', 15, true)
  t.same(dotsOf(ahead), ['vnA:8'], 'the counter moves past the context too')
  t.same(first.siblings.length, 1, 'inputs are not mutated')
})

t.test('random histories: dots unique and increasing, siblings exactly the unoverwritten writes', async (t) => {
  for (const [k, h] of histories.entries()) {
    t.same(h.problems.slice(0, 5), [], `seed ${SEEDS[k]}: ${h.states.length} states, ${h.created} writes`)
  }
  const maxSiblings = Math.max(...histories.flatMap((h) => h.states.map((s) => s.obj!.siblings.length)))
  t.ok(maxSiblings >= 3, `histories produce real concurrency (up to ${maxSiblings} siblings)`)
})

// ---- syncMerge ----------------------------------------------------------------------------------

function pickStates(seed: number, count: number): Array<[State, State, State]> {
  const rnd = mulberry32(seed)
  const out: Array<[State, State, State]> = []
  for (let i = 0; i < count; i++) {
    const h = histories[Math.floor(rnd() * histories.length)]!
    const pick = () => h.states[Math.floor(rnd() * h.states.length)]!
    out.push([pick(), pick(), pick()])
  }
  return out
}

t.test('syncMerge is commutative, associative and idempotent', async (t) => {
  const bad: string[] = []
  for (const [i, [sa, sb, sc]] of pickStates(5, 400).entries()) {
    const [a, b, c] = [sa.obj!, sb.obj!, sc.obj!]
    if (canon(syncMerge(a, b)) !== canon(syncMerge(b, a))) bad.push(`#${i} commutative`)
    if (canon(syncMerge(syncMerge(a, b), c)) !== canon(syncMerge(a, syncMerge(b, c)))) bad.push(`#${i} associative`)
    if (canon(syncMerge(a, a)) !== canon(a)) bad.push(`#${i} idempotent`)
    if (canon(syncMerge(syncMerge(a, b), b)) !== canon(syncMerge(a, b))) bad.push(`#${i} absorbing`)
  }
  t.same(bad.slice(0, 10), [], `${bad.length} violations`)
})

t.test('syncMerge keeps exactly the concurrent siblings', async (t) => {
  const bad: string[] = []
  let dropped = 0
  for (const [i, [sa, sb]] of pickStates(6, 400).entries()) {
    const [a, b] = [sa.obj!, sb.obj!]
    const m = syncMerge(a, b)
    const ids = sortedIds(dotsOf(m))
    if (ids.join() !== refMergeDots([a, b]).join()) bad.push(`#${i} DVV rule: ${ids} vs ${refMergeDots([a, b])}`)
    const live = sortedIds([...new Set([...sa.seen, ...sb.seen])].filter((d) => !sa.dead.has(d) && !sb.dead.has(d)))
    if (ids.join() !== live.join()) bad.push(`#${i} model: ${ids} vs ${live}`)
    if (sortedIds(new Set([...dotsOf(a), ...dotsOf(b)])).length > ids.length) dropped++
    if (!descends(m.clock, a.clock) || !descends(m.clock, b.clock)) bad.push(`#${i} clock`)
    for (const p of invariantProblems(m)) bad.push(`#${i} ${p}`)
  }
  t.same(bad.slice(0, 10), [], `${bad.length} violations`)
  t.ok(dropped > 50, `merges that drop an overwritten sibling occur (${dropped})`)
})

t.test('an overwritten sibling does not come back from a stale replica', async (t) => {
  const x = coordinatePut(undefined, [], content('x', 1), 'vnA', 1, true)
  const stale: KvObject = x // replica 2 never saw the overwrite
  const y = coordinatePut(x, x.clock, content('y', 2), 'vnA', 2, true) // replica 1, vnode vnA
  for (const m of [syncMerge(y, stale), syncMerge(stale, y), mergeAll([stale, y, stale])!]) {
    t.same(dotsOf(m), ['vnA:2'], 'only the overwrite survives')
  }
  // Overwritten through another vnode, whose copy got x by replication.
  const atB = syncMerge(coordinatePut(undefined, [], content('z', 3), 'vnB', 3, true), x)
  t.same(dotsOf(atB), ['vnA:1', 'vnB:1'])
  const w = coordinatePut(atB, x.clock, content('w', 4), 'vnB', 4, true)
  t.same(dotsOf(w), ['vnB:1', 'vnB:2'], 'the write replaced x (its context) but not z (unseen)')
  t.same(dotsOf(syncMerge(stale, w)), ['vnB:1', 'vnB:2'])
  t.same(dotsOf(syncMerge(w, x)), ['vnB:1', 'vnB:2'])
  // A concurrent write elsewhere survives the merge.
  const c = coordinatePut(x, [], content('c', 5), 'vnA', 5, true)
  t.same(dotsOf(syncMerge(w, c)), ['vnA:2', 'vnB:1', 'vnB:2'], 'x dropped (w saw it), the blind write vnA:2 kept')
})

t.test('merging in any order gives the same object and the same bytes', async (t) => {
  const rnd = mulberry32(77)
  const perms = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]))
  const bad: string[] = []
  for (let k = 0; k < 40; k++) {
    const h = histories[k % histories.length]!
    const objs = [0, 1, 2, 3].map(() => h.states[Math.floor(rnd() * h.states.length)]!.obj!)
    const encodings = new Set(perms([0, 1, 2, 3]).map((p) => encodeObject(mergeAll(p.map((i) => objs[i]!))!).toString('hex')))
    if (encodings.size !== 1) bad.push(`#${k}: ${encodings.size} different encodings`)
    const merged = mergeAll(objs)!
    if (!objs.every((o) => sameObject(syncMerge(o, merged), merged))) bad.push(`#${k}: merged is not the top`)
  }
  t.same(bad, [])
})

t.test('a replica merged with itself is that replica, byte for byte (mergeAll skips the merge)', async (t) => {
  const bad: string[] = []
  let checked = 0
  for (const [k, h] of histories.entries()) {
    for (const st of h.states) {
      const o = st.obj
      if (!o) continue
      checked++
      const viaMerge = encodeObject(syncMerge(o, o)).toString('hex')
      if (encodeObject(mergeAll([o, o])!).toString('hex') !== viaMerge) bad.push(`history ${k}: mergeAll([o, o]) differs from syncMerge(o, o)`)
    }
  }
  t.same(bad.slice(0, 5), [], `${checked} stored states`)
  t.ok(checked > 100)
  const a = coordinatePut(undefined, [], content('a', 200), 'vnA', 200, true)
  const two = syncMerge(a, coordinatePut(undefined, [], content('b', 300), 'vnB', 300, true))
  t.same(dotsOf(mergeAll([two, two], false)!), ['vnB:1'], 'allow_mult=false still picks one winner from an object read twice')
  t.same(dotsOf(mergeAll([two], false)!), ['vnA:1', 'vnB:1'], 'a single copy is returned as it is, as before')
})

t.test('sameObject compares causal history and dots', async (t) => {
  const x = coordinatePut(undefined, [], content('x', 1), 'vnA', 1, true)
  const y = coordinatePut(x, [], content('y', 2), 'vnA', 2, true)
  t.ok(sameObject(x, decodeObject(encodeObject(x))))
  t.notOk(sameObject(x, y))
  t.notOk(sameObject(y, { clock: y.clock, siblings: [y.siblings[1]!, { ...y.siblings[1]!, dot: { actor: 'vnA', counter: 9 } }] }))
  t.notOk(sameObject(x, { clock: [{ actor: 'vnA', counter: 2, ts: 1 }], siblings: x.siblings }), 'same dots, newer clock')
})

// ---- allowMult = false --------------------------------------------------------------------------

t.test('allowMult=false keeps exactly one sibling: the latest, ties broken by dot', async (t) => {
  const x = coordinatePut(undefined, [], content('x', 100), 'vnA', 100, false)
  const y = coordinatePut(x, [], content('y', 50), 'vnA', 50, false)
  t.same(dotsOf(y), ['vnA:2'], 'a put replaces the value even without a context')
  t.ok(dominates(y.clock, x.clock))

  const a = coordinatePut(undefined, [], content('a', 200), 'vnA', 200, false)
  const b = coordinatePut(undefined, [], content('b', 300), 'vnB', 300, false)
  const c = coordinatePut(undefined, [], content('c', 300), 'vnC', 300, false)
  t.same(dotsOf(syncMerge(a, b, false)), ['vnB:1'], 'later lastModified wins')
  t.same(dotsOf(syncMerge(b, a, false)), ['vnB:1'])
  t.same(dotsOf(syncMerge(b, c, false)), ['vnC:1'], 'equal lastModified: the larger dot wins')
  t.same(dotsOf(syncMerge(c, b, false)), ['vnC:1'])
  t.same(dotsOf(mergeAll([a, c, b], false)!), ['vnC:1'])
  const both = syncMerge(a, b, true)
  t.same(lastWriteWins(both).clock, both.clock, 'lastWriteWins keeps the clock')
  t.equal(lastWriteWins(x), x, 'a single sibling is left alone')

  const bad: string[] = []
  for (const [k, h] of lwwHistories.entries()) {
    for (const p of h.problems.slice(0, 3)) bad.push(`seed ${SEEDS[k]} history: ${p}`)
    const rnd = mulberry32(k)
    for (let i = 0; i < 60; i++) {
      const p = h.states[Math.floor(rnd() * h.states.length)]!.obj!
      const q = h.states[Math.floor(rnd() * h.states.length)]!.obj!
      const m = syncMerge(p, q, false)
      if (m.siblings.length !== 1) {
        bad.push(`seed ${SEEDS[k]} #${i}: ${m.siblings.length} siblings from ${dotsOf(p)} + ${dotsOf(q)}`)
        continue
      }
      if (canon(m) !== canon(syncMerge(q, p, false))) bad.push(`seed ${SEEDS[k]} #${i}: not commutative`)
      // The winner is the latest of the siblings that survive the causal merge.
      const survivors = syncMerge(p, q, true).siblings
      const pool = survivors.length > 0 ? survivors : [...p.siblings, ...q.siblings]
      const want = [...pool].sort(LWW_ORDER).at(-1)!
      if (dotId(m.siblings[0]!.dot) !== dotId(want.dot)) bad.push(`seed ${SEEDS[k]} #${i}: winner ${dotsOf(m)} want ${dotId(want.dot)}`)
    }
  }
  t.same(bad.slice(0, 10), [], `${bad.length} violations`)
})

t.test('allowMult=false: replicas that picked different winners still merge to one value', async (t) => {
  // x and y are concurrent; z overwrote x (its writer read x) but is older by the clock on the wall.
  const x = coordinatePut(undefined, [], content('x', 10), 'vnA', 10, false)
  const y = coordinatePut(undefined, [], content('y', 5), 'vnB', 5, false)
  const z = coordinatePut(undefined, x.clock, content('z', 1), 'vnC', 1, false)
  const r1 = syncMerge(syncMerge(x, y, false), z, false) // x beats y, then z replaces x
  const r2 = syncMerge(syncMerge(y, z, false), x, false) // y beats z, x is already overwritten
  t.same(dotsOf(r1), ['vnC:1'])
  t.same(dotsOf(r2), ['vnB:1'])
  const m12 = syncMerge(r1, r2, false)
  const m21 = syncMerge(r2, r1, false)
  t.equal(m12.siblings.length, 1, 'the merge of the two replicas holds a value')
  t.same(dotsOf(m12), dotsOf(m21), 'and both replicas converge on the same one')
  t.notOk(isTombstone(m12), 'a write is not turned into a delete')
})

// ---- tombstones ---------------------------------------------------------------------------------

t.test('tombstones: isTombstone and liveSiblings', async (t) => {
  const live = coordinatePut(undefined, [], content('v', 1), 'vnA', 1, true)
  const del = coordinatePut(live, live.clock, content('', 2, { deleted: true }), 'vnA', 2, true)
  t.notOk(isTombstone(live))
  t.same(liveSiblings(live).map((s) => dotId(s.dot)), ['vnA:1'])
  t.ok(isTombstone(del), 'a delete that saw the value leaves only a tombstone')
  t.same(liveSiblings(del), [])
  const concurrentWrite = coordinatePut(undefined, [], content('w', 3), 'vnB', 3, true)
  const mixed = syncMerge(del, concurrentWrite)
  t.notOk(isTombstone(mixed), 'a tombstone with a concurrent live sibling is not a tombstone')
  t.same(liveSiblings(mixed).map((s) => dotId(s.dot)), ['vnB:1'])
  const blindDelete = coordinatePut(live, [], content('', 4, { deleted: true }), 'vnA', 4, true)
  t.notOk(isTombstone(blindDelete), 'a delete without context does not remove the value it did not see')
  const bad: string[] = []
  for (const h of histories) {
    for (const s of h.states) {
      const o = s.obj!
      const lives = liveSiblings(o)
      if (lives.some((x) => x.deleted) || lives.length !== o.siblings.filter((x) => !x.deleted).length) bad.push('liveSiblings')
      if (isTombstone(o) !== (lives.length === 0)) bad.push(`isTombstone ${dotsOf(o)}`)
    }
  }
  t.same(bad.slice(0, 5), [], 'over every random state')
})

// ---- codec --------------------------------------------------------------------------------------

t.test('objectCodec round-trips every object and context', async (t) => {
  const bad: string[] = []
  let n = 0
  for (const h of [...histories, ...lwwHistories]) {
    for (const s of h.states) {
      const o = s.obj!
      const bytes = encodeObject(o)
      const back = decodeObject(bytes)
      n++
      if (canon(back) !== canon(o)) bad.push(`object ${canon(o)}`)
      if (!back.siblings.every((x) => x.value instanceof Uint8Array)) bad.push('value not bytes')
      if (!encodeObject(back).equals(bytes)) bad.push('re-encoding differs')
      if (JSON.stringify(decodeContext(encodeContext(o.clock))) !== JSON.stringify(o.clock)) bad.push(`context ${JSON.stringify(o.clock)}`)
    }
  }
  t.same(bad.slice(0, 5), [], `${n} objects`)
  const odd: KvObject = {
    clock: [{ actor: 'vn-ü', counter: 2 ** 40, ts: 1.5 }],
    siblings: [
      {
        dot: { actor: 'vn-ü', counter: 2 ** 40 },
        value: new Uint8Array(0),
        contentType: '',
        lastModified: 0,
        meta: { 'x-ü': 'ключ', empty: '' },
        deleted: true,
      },
    ],
  }
  t.equal(canon(decodeObject(encodeObject(odd))), canon(odd), 'empty value, unicode, large counters, tombstone')
  t.same(decodeContext(encodeContext([])), [], 'empty context')
  const big = new Uint8Array(100_000).map((_, i) => i % 251)
  const withBig = coordinatePut(undefined, [], content('', 1, { value: big }), 'vnA', 1, true)
  t.ok(Buffer.from(decodeObject(encodeObject(withBig)).siblings[0]!.value).equals(Buffer.from(big)), '100 KB value')
})

t.test('objectCodec rejects garbage with TypeError', async (t) => {
  const packr = new Packr({ useRecords: false, mapsAsObjects: true })
  const good = encodeObject(histories[0]!.states.at(-1)!.obj!)
  const goodCtx = encodeContext(histories[0]!.states.at(-1)!.obj!.clock)
  const bin = new Uint8Array([1, 2])
  const shapes: Array<[string, unknown]> = [
    ['a number', 5],
    ['a string', 'hello'],
    ['a map', { a: 1 }],
    ['an empty array', []],
    ['another format', [2, [], []]],
    ['clock not an array', [1, 'x', []]],
    ['siblings not an array', [1, [], 'x']],
    ['clock entry not an array', [1, [5], []]],
    ['clock entry with a numeric actor', [1, [[1, 1, 1]], []]],
    ['clock entry with a fractional counter', [1, [['a', 1.5, 1]], []]],
    ['clock entry with a string ts', [1, [['a', 1, 'now']], []]],
    ['sibling not an array', [1, [], [5]]],
    ['sibling of the wrong length', [1, [], [['a', 1, bin, 'ct', 1, {}]]]],
    ['sibling with a numeric actor', [1, [], [[1, 1, bin, 'ct', 1, {}, false]]]],
    ['sibling with a string counter', [1, [], [['a', '1', bin, 'ct', 1, {}, false]]]],
    ['sibling with a string value', [1, [], [['a', 1, 'v', 'ct', 1, {}, false]]]],
    ['sibling with a numeric content type', [1, [], [['a', 1, bin, 5, 1, {}, false]]]],
    ['sibling with a string lastModified', [1, [], [['a', 1, bin, 'ct', 'yesterday', {}, false]]]],
    ['sibling with meta that is not a map', [1, [], [['a', 1, bin, 'ct', 1, 'meta', false]]]],
  ]
  for (const [what, v] of shapes) {
    t.throws(() => decodeObject(packr.pack(v)), TypeError, `object: ${what}`)
  }
  for (const [what, v] of shapes.slice(0, 9)) {
    if (what === 'siblings not an array') continue // a context has no siblings
    t.throws(() => decodeContext(packr.pack(v)), TypeError, `context: ${what}`)
  }
  const bytes: Array<[string, Uint8Array]> = [
    ['no bytes', new Uint8Array(0)],
    ['text', Buffer.from('not msgpack at all')],
    ['JSON', Buffer.from(JSON.stringify({ clock: [], siblings: [] }))],
    ['an unknown extension', new Uint8Array([0xd4, 0x05, 0x01])],
    ['an array header claiming 4G entries', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff])],
    ['a valid object with trailing bytes', Buffer.concat([good, Buffer.from([0x01])])],
  ]
  for (const [what, b] of bytes) {
    t.throws(() => decodeObject(b), TypeError, `object: ${what}`)
    t.throws(() => decodeContext(b), TypeError, `context: ${what}`)
  }
  const bad: string[] = []
  for (let cut = 0; cut < good.length; cut++) {
    try {
      decodeObject(good.subarray(0, cut))
      bad.push(`object truncated to ${cut} decoded`)
    } catch (e) {
      if (!(e instanceof TypeError)) bad.push(`object truncated to ${cut}: ${String(e)}`)
    }
  }
  for (let cut = 0; cut < goodCtx.length; cut++) {
    try {
      decodeContext(goodCtx.subarray(0, cut))
      bad.push(`context truncated to ${cut} decoded`)
    } catch (e) {
      if (!(e instanceof TypeError)) bad.push(`context truncated to ${cut}: ${String(e)}`)
    }
  }
  const rnd = mulberry32(4242)
  for (let i = 0; i < 2000; i++) {
    const b = Uint8Array.from({ length: 1 + Math.floor(rnd() * 24) }, () => Math.floor(rnd() * 256))
    try {
      decodeObject(b)
      bad.push(`random ${Buffer.from(b).toString('hex')} decoded`)
    } catch (e) {
      if (!(e instanceof TypeError)) bad.push(`random ${Buffer.from(b).toString('hex')}: ${String(e)}`)
    }
  }
  t.same(bad.slice(0, 10), [], `truncations and random bytes (${bad.length} bad)`)
})
