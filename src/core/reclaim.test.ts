import t from 'tap'
import { readFileSync } from 'node:fs'
import { claim, spreadPossible } from './claim.js'
import { reclaim, reclaimReport } from './reclaim.js'
import { mulberry32 } from '../../test/harness/prng.js'
import { NS, QS, memberName as name, membersOf, shuffled, violatingWindows as violating } from '../../test/harness/claimGrid.js'

const moves = (a: readonly string[], b: readonly string[]): number => a.filter((x, i) => x !== b[i]).length
const owned = (owners: readonly string[], node: string): number => owners.filter((o) => o === node).length

/** Every broken promise of a reclaimed ring: balance, members only, spread (or no worse than a fresh claim). */
function problems(owners: readonly string[], members: readonly string[], q: number, n: number, label: string): string[] {
  const out: string[] = []
  const m = members.length
  if (owners.length !== q) out.push(`${label}: ${owners.length} owners`)
  const counts = new Map<string, number>(members.map((x) => [x, 0]))
  for (const o of owners) {
    if (!counts.has(o)) out.push(`${label}: non-member ${o} owns a partition`)
    counts.set(o, (counts.get(o) ?? 0) + 1)
  }
  for (const [node, c] of counts) {
    if (c !== Math.floor(q / m) && c !== Math.ceil(q / m)) out.push(`${label}: ${node} owns ${c}`)
  }
  const bad = violating(owners, n)
  if (spreadPossible(m, q, n)) {
    if (bad > 0) out.push(`${label}: ${bad} violating windows though spread is possible`)
  } else {
    const reference = violating(claim(members, q, n), n)
    if (bad > reference) out.push(`${label}: ${bad} violating windows, fresh claim has ${reference}`)
  }
  return out
}

/** Worst value seen and where, for t.comment. */
class Worst {
  value = -Infinity
  at = ''
  see(value: number, at: string): void {
    if (value > this.value) [this.value, this.at] = [value, at]
  }
  toString(): string {
    return this.value === -Infinity ? 'none' : `${this.value} (${this.at})`
  }
}

/**
 * Adding a node to a spread ring: the new node's partitions (floor(Q/(m+1))) must move, and
 * claim's rings leave it room (spreadPossible(m) implies spreadPossible(m+1), so there are
 * ceil(Q/(m+1)) places N apart among the donors' partitions). The 2N of slack covers the wrap,
 * where the stride the new node walks round the ring at may not fit, and a repair swap or two.
 */
t.test('adding one node to a fresh claim: balanced, spread, moves <= ceil(Q/(m+1)) + 2N', async (t) => {
  const rnd = mulberry32(1)
  const bad: string[] = []
  const slack = new Worst()
  const slackFromUnspread = new Worst()
  let cases = 0
  let fallbacks = 0
  let unspreadable = 0
  for (let m = 1; m < 16; m++) {
    for (const q of QS) {
      if (m + 1 > q) continue
      for (const n of NS) {
        const base = claim(membersOf(m), q, n)
        const members = shuffled(membersOf(m + 1), rnd)
        const label = `m=${m}->${m + 1} q=${q} n=${n}`
        const { owners, fallback } = reclaimReport(base, members, n)
        bad.push(...problems(owners, members, q, n, label))
        const over = moves(base, owners) - Math.ceil(q / (m + 1))
        cases++
        if (fallback) fallbacks++
        if (fallback && !spreadPossible(m + 1, q, n)) unspreadable++
        if (!spreadPossible(m, q, n)) {
          slackFromUnspread.see(over, label)
          continue
        }
        slack.see(over, label)
        if (over > 2 * n) bad.push(`${label}: ${moves(base, owners)} moves, ${over} over ceil(Q/(m+1))`)
        if (fallback) bad.push(`${label}: fell back to a fresh claim`)
      }
    }
  }
  t.same(bad, [], `${cases} additions balanced and spread; from spread rings within ceil(Q/(m+1)) + 2N moves`)
  t.comment(`worst moves over ceil(Q/(m+1)) from a spread ring: ${slack}`)
  t.comment(`same from a ring that could not spread (not asserted): ${slackFromUnspread}`)
  t.comment(`fallbacks to a fresh claim: ${fallbacks} of ${cases}, all from rings that were not spread; ${unspreadable} where the result cannot spread either (round robin is the reference)`)
})

/**
 * Removing a node: its own partitions must move. In claim's rings the 2(N-1) partitions around
 * each of them belong to 2(N-1) distinct members, the same ones every time for round robin, so
 * only the other m-1-2(N-1) members can take them directly. Each partition one of those 2(N-1)
 * "blocked" members gains costs at least one more move (something near it, or the partition it
 * takes instead, moves too), so about own + 2(N-1)*ceil(own/(m-1)) moves is the least possible.
 * reclaim pays one extra move per such gain when a free member is free where the blocked one
 * takes (a two-move path), two when not (three moves), so the bound asserted is
 * own + 2 * 2(N-1)*ceil(own/(m-1)) + 2N, where there are free members (m-1 > 2(N-1)) and the
 * smaller ring can spread. With no free member every repair means shifting whole stretches of
 * the ring, and when ceil(Q/(m-1))*N = Q the only spread rings are round robin; reclaim may
 * fall back to a fresh claim there (counted, not asserted).
 */
t.test('removing one node from a fresh claim: balanced, spread, moves bounded when members are free', async (t) => {
  const rnd = mulberry32(2)
  const bad: string[] = []
  const slack = new Worst()
  const overLeast = new Worst()
  let cases = 0
  let asserted = 0
  const fallbacks: string[] = []
  for (let m = 2; m <= 16; m++) {
    for (const q of QS) {
      if (m > q) continue
      for (const n of NS) {
        const members = membersOf(m)
        const base = claim(members, q, n)
        const leaving = members[Math.floor(rnd() * m)]!
        const rest = shuffled(
          members.filter((x) => x !== leaving),
          rnd,
        )
        const label = `m=${m}->${m - 1} q=${q} n=${n} leaving ${leaving}`
        const { owners, fallback } = reclaimReport(base, rest, n)
        bad.push(...problems(owners, rest, q, n, label))
        cases++
        // No remaining member is free at the leaving node's partitions.
        const crowded = m - 1 <= 2 * (n - 1)
        if (fallback) fallbacks.push(`${m}/${q}/${n}`)
        if (fallback && !crowded && spreadPossible(m - 1, q, n)) bad.push(`${label}: fell back to a fresh claim`)
        const own = owned(base, leaving)
        const mv = moves(base, owners)
        if (!spreadPossible(m, q, n) || !spreadPossible(m - 1, q, n) || crowded) continue
        asserted++
        const blockedGains = 2 * (n - 1) * Math.ceil(own / (m - 1))
        slack.see(mv - own, label)
        if (blockedGains > 0) overLeast.see(Math.round(((mv - own) / blockedGains) * 100) / 100, label)
        const bound = own + 2 * blockedGains + 2 * n
        if (mv > bound) bad.push(`${label}: ${mv} moves for ${own} partitions, bound ${bound}`)
      }
    }
  }
  t.same(bad, [], `${cases} removals balanced and spread; ${asserted} within the movement bound`)
  t.comment(`worst moves over the leaving node's partitions (bounded cases): ${slack}`)
  t.comment(`worst (moves - own) / (2(N-1)*ceil(own/(m-1))), 1 being the least possible: ${overLeast}`)
  t.comment(`fallbacks to a fresh claim (m/Q/N, each with m-1 <= 2(N-1) or no spread possible): ${fallbacks.length} of ${cases}: ${fallbacks.join(' ')}`)
})

/**
 * Several changes at once. Minimal moves: every partition of a leaving node, and for the others
 * whatever it takes to bring them within floor..ceil. Not asserted against a bound (joins and
 * leaves interact); the result must keep every promise, and the ratio is reported.
 */
t.test('joining and leaving several nodes at once: balanced and spread', async (t) => {
  const rnd = mulberry32(3)
  const bad: string[] = []
  const ratio = new Worst()
  let fallbacks = 0
  const cases = 250
  for (let i = 0; i < cases; i++) {
    const q = QS[Math.floor(rnd() * QS.length)]!
    const n = NS[Math.floor(rnd() * NS.length)]!
    const m0 = 1 + Math.floor(rnd() * Math.min(16, q))
    const before = membersOf(m0)
    const base = claim(before, q, n)
    const kept = before.filter(() => rnd() < 0.7)
    const joining = Array.from({ length: Math.floor(rnd() * 5) }, (_, k) => name(16 + k))
    const after = [...kept, ...joining].slice(0, q)
    if (after.length === 0) after.push(name(31))
    const members = shuffled(after, rnd)
    const label = `#${i} q=${q} n=${n} ${m0} -> ${members.length} (${before.length - kept.length} left, ${joining.length} joined)`
    const { owners, fallback } = reclaimReport(base, members, n)
    bad.push(...problems(owners, members, q, n, label))
    if (fallback) fallbacks++
    const m = members.length
    let leaving = 0
    let surplus = 0
    let deficit = 0
    for (const x of new Set([...before, ...members])) {
      const c = owned(base, x)
      if (!members.includes(x)) leaving += c
      else {
        surplus += Math.max(0, c - Math.ceil(q / m))
        deficit += Math.max(0, Math.floor(q / m) - c)
      }
    }
    const least = Math.max(leaving + surplus, deficit)
    if (least > 0 && spreadPossible(m, q, n)) ratio.see(Math.round((moves(base, owners) / least) * 100) / 100, label)
  }
  t.same(bad, [], `${cases} random membership changes keep every promise`)
  t.comment(`worst moves / least possible moves (spreadable results): ${ratio}`)
  t.comment(`fallbacks to a fresh claim: ${fallbacks} of ${cases}`)
})

t.test('growing 1 -> 16 one node at a time, then shrinking back: every step keeps the promises', async (t) => {
  const rnd = mulberry32(4)
  const bad: string[] = []
  const slack = new Worst()
  let steps = 0
  let fallbacks = 0
  let notIdempotent = 0
  for (const q of QS) {
    for (const n of NS) {
      let ring = claim([name(0)], q, n)
      const top = Math.min(16, q)
      const step = (m: number, label: string): void => {
        const members = shuffled(membersOf(m), rnd)
        const { owners, fallback } = reclaimReport(ring, members, n)
        bad.push(...problems(owners, members, q, n, label))
        if (reclaim(owners, members, n).join() !== owners.join()) notIdempotent++
        steps++
        if (fallback) fallbacks++
        ring = owners
      }
      for (let m = 2; m <= top; m++) {
        const previous = ring
        step(m, `q=${q} n=${n} grow to ${m}`)
        const over = moves(previous, ring) - Math.ceil(q / m)
        // Same bound as for a fresh claim, now from a ring reclaim itself made.
        if (spreadPossible(m - 1, q, n)) {
          slack.see(over, `q=${q} n=${n} ${m - 1}->${m}`)
          if (over > 2 * n) bad.push(`q=${q} n=${n} grow to ${m}: ${over} moves over ceil(Q/m)`)
        }
      }
      for (let m = top - 1; m >= 1; m--) step(m, `q=${q} n=${n} shrink to ${m}`)
    }
  }
  t.same(bad, [], `${steps} steps balanced and spread; growth from spread rings within ceil(Q/m) + 2N moves`)
  t.equal(notIdempotent, 0, 'reclaiming any step again with the same members moves nothing')
  t.comment(`worst moves over ceil(Q/m) while growing from a spread ring: ${slack}`)
  t.comment(`fallbacks to a fresh claim: ${fallbacks} of ${steps} steps`)
})

t.test('idempotent: a balanced, spread ring with the same members moves nothing', async (t) => {
  const rnd = mulberry32(5)
  const bad: string[] = []
  for (let m = 1; m <= 16; m++) {
    for (const q of QS) {
      if (m > q) continue
      for (const n of NS) {
        const members = membersOf(m)
        const ring = claim(members, q, n)
        // Also rotated: any balanced ring that keeps the promises is left alone, not only claim's.
        const shift = Math.floor(rnd() * q)
        const rotated = ring.map((_, p) => ring[(p + shift) % q]!)
        for (const r of [ring, rotated]) {
          const again = reclaim(r, shuffled(members, rnd), n)
          if (moves(r, again) > 0) bad.push(`m=${m} q=${q} n=${n} shift=${shift}: ${moves(r, again)} moves`)
        }
      }
    }
  }
  t.same(bad, [], 'no moves for every m, Q and N')
})

t.test('deterministic: same result for any member order, duplicates, and repeated calls', async (t) => {
  const rnd = mulberry32(6)
  const diffs: string[] = []
  for (let i = 0; i < 150; i++) {
    const q = QS[Math.floor(rnd() * 6)]!
    const n = NS[Math.floor(rnd() * NS.length)]!
    const m0 = 1 + Math.floor(rnd() * Math.min(16, q))
    const base = claim(membersOf(m0), q, n)
    const members = membersOf(16)
      .filter(() => rnd() < 0.6)
      .slice(0, q)
    if (members.length === 0) members.push(name(3))
    const snapshot = [...base]
    const first = reclaim(base, members, n)
    const again = reclaim(base, members, n)
    const perm = reclaim(base, shuffled(members, rnd), n)
    const dup = reclaim(base, [...shuffled(members, rnd), members[0]!, members[members.length - 1]!], n)
    const label = `#${i} q=${q} n=${n}`
    if (first.join() !== again.join()) diffs.push(`${label}: repeat differs`)
    if (first.join() !== perm.join()) diffs.push(`${label}: shuffled members differ`)
    if (first.join() !== dup.join()) diffs.push(`${label}: duplicated members differ`)
    if (base.join() !== snapshot.join()) diffs.push(`${label}: input ring was modified`)
  }
  t.same(diffs, [], 'same owners every time')
  const source = readFileSync(new URL('./reclaim.ts', import.meta.url), 'utf8')
  t.notMatch(source, /Math\.random|Date\.now|performance\.now|setTimeout|setInterval|new Date/, 'no chance and no clocks in reclaim')
})

t.test('arbitrary current rings (unbalanced, strangers, unspread) come out balanced and spread', async (t) => {
  const rnd = mulberry32(7)
  const bad: string[] = []
  let fallbacks = 0
  const cases = 200
  for (let i = 0; i < cases; i++) {
    const q = QS[Math.floor(rnd() * 6)]!
    const n = NS[Math.floor(rnd() * NS.length)]!
    const pool = membersOf(20)
    const current = Array.from({ length: q }, () => pool[Math.floor(rnd() * pool.length)]!)
    const members = pool.slice(0, 16).filter(() => rnd() < 0.5).slice(0, q)
    if (members.length === 0) members.push(pool[0]!)
    const { owners, fallback } = reclaimReport(current, members, n)
    if (fallback) fallbacks++
    bad.push(...problems(owners, members, q, n, `#${i} q=${q} n=${n} m=${members.length}`))
    // Members keep partitions they have where they can: never more moves than partitions.
    if (moves(current, owners) > q) bad.push(`#${i}: more moves than partitions`)
  }
  t.same(bad, [], `${cases} random rings`)
  t.comment(`fallbacks to a fresh claim: ${fallbacks} of ${cases}`)
})

t.test('edge cases', async (t) => {
  t.throws(() => reclaim(['a', 'b'], [], 1), RangeError, 'no members')
  t.throws(() => reclaim(['a', 'b'], ['a'], 0), RangeError, 'N = 0')
  t.same(reclaim([], ['a'], 3), [], 'an empty ring stays empty')
  t.same(reclaim(['a', 'b', 'a', 'b'], ['c'], 3), ['c', 'c', 'c', 'c'], 'one member owns everything')
  const replaced = reclaim(claim(['a', 'b', 'c', 'd'], 64, 3), ['w', 'x', 'y', 'z'], 3)
  t.same(problems(replaced, ['w', 'x', 'y', 'z'], 64, 3, 'all replaced'), [], 'every owner replaced: still balanced and spread')
  // Two nodes joining a two-node ring with N = 3: spread becomes possible and is reached.
  const grown = reclaim(claim(['a', 'b'], 64, 3), ['a', 'b', 'c', 'd'], 3)
  t.same(problems(grown, ['a', 'b', 'c', 'd'], 64, 3, 'grown'), [], 'from an unspreadable ring to a spread one')
  t.ok(moves(claim(['a', 'b'], 64, 3), grown) <= 32 + 6, `two joins move about half the ring (${moves(claim(['a', 'b'], 64, 3), grown)})`)
})
