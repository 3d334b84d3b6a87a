/**
 * Reclaim: owners for a changed member set that start from the current ring instead of from
 * scratch (the idea of Riak's claim_v2/v3), so a join or leave moves about Q/m partitions rather
 * than reshuffling the ring. It keeps claim()'s promises, checked by property tests:
 * - balance: every member owns floor(Q/m) or ceil(Q/m) partitions, non-members none;
 * - spread: no N consecutive partitions (wrapping) repeat a node whenever spreadPossible();
 *   otherwise no more violating windows than a fresh claim() would have.
 * Three steps:
 * 1. balance: members under their quota take partitions from leaving nodes and over-quota
 *    members along shortest "augmenting paths" (a takes from b, b takes from c, ... until a donor),
 *    where every hop lands on a partition with no partition of the taker within N-1, so balancing
 *    never creates a violation while such a path exists;
 * 2. repair: swaps (or single moves between a ceil and a floor member) that lower the number of
 *    violating windows, cheapest in moved partitions first;
 * 3. fallback: if violations remain above what is allowed, the fresh claim, rotated and relabelled
 *    to keep as many current owners as possible (correct, but it moves more).
 * Pure and deterministic: members are sorted, ties are broken by index, nothing random.
 */
import { claim, spreadPossible } from './claim.js'

/** New owners for a changed member set, moving as few partitions as possible. */
export function reclaim(current: readonly string[], members: readonly string[], n: number): string[] {
  return reclaimReport(current, members, n).owners
}

export interface ReclaimReport {
  owners: string[]
  /** the incremental steps could not reach the promised spread: owners are an aligned fresh claim */
  fallback: boolean
}

/** reclaim(), telling also whether it had to fall back to a fresh claim (for tests and plans). */
export function reclaimReport(current: readonly string[], members: readonly string[], n: number): ReclaimReport {
  const names = [...new Set(members)].sort()
  const m = names.length
  if (m === 0) throw new RangeError('reclaim needs at least one member')
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`reclaim needs n >= 1, got ${n}`)
  const q = current.length
  if (q === 0) return { owners: [], fallback: false }
  const ring = new Layout(current, names, n)
  balance(ring)
  const windows = ring.violatingWindows()
  const done = { owners: ring.ownerNames(), fallback: false }
  if (windows === 0) return done
  const fallback = (): ReclaimReport => ({ owners: alignedClaim(current, names, n), fallback: true })
  if (spreadPossible(m, q, n)) return repair(ring) ? { owners: ring.ownerNames(), fallback: false } : fallback()
  // Spread is impossible: the fresh claim (round robin) is the reference. A layout with no more
  // violating windows than it is round robin in all but name, which local repair rarely reaches.
  return windows <= violatingWindows(claim(names, q, n), n) ? done : fallback()
}

/** Windows of n consecutive partitions (wrapping) that hold some node twice. */
export function violatingWindows(owners: readonly string[], n: number): number {
  let bad = 0
  for (let s = 0; s < owners.length; s++) {
    const seen = new Set<string>()
    for (let k = 0; k < n; k++) seen.add(owners[(s + k) % owners.length]!)
    if (seen.size < n) bad++
  }
  return bad
}

/**
 * The ring being edited, with member indices instead of names (indices >= m are nodes that are
 * leaving) and, per member and partition, how many of that member's partitions lie within N-1:
 * that count makes "may a take p without a violation" an O(1) question.
 */
class Layout {
  readonly q: number
  readonly m: number
  readonly owner: Int32Array
  /** owners before reclaim, to count and minimise moves */
  readonly orig: Int32Array
  readonly count: Int32Array
  private readonly near: Int32Array

  constructor(
    current: readonly string[],
    private readonly names: readonly string[],
    readonly n: number,
  ) {
    this.q = current.length
    this.m = names.length
    const index = new Map(names.map((x, i) => [x, i]))
    const leaving = [...new Set(current.filter((o) => !index.has(o)))].sort()
    leaving.forEach((x, k) => index.set(x, this.m + k))
    this.owner = Int32Array.from(current, (o) => index.get(o)!)
    this.orig = this.owner.slice()
    this.count = new Int32Array(this.m)
    this.near = new Int32Array(this.m * this.q)
    for (let p = 0; p < this.q; p++) this.account(p, this.owner[p]!, 1)
  }

  set(p: number, a: number): void {
    const old = this.owner[p]!
    if (old === a) return
    this.account(p, old, -1)
    this.owner[p] = a
    this.account(p, a, 1)
  }

  /** a's partitions within distance 1..N-1 of p (p itself counts only if N-1 wraps onto it). */
  nearby(a: number, p: number): number {
    return this.near[a * this.q + p]!
  }

  /** How much a partition at g adds to nearby(_, p): the k in 1..N-1 with p+k or p-k at g. */
  between(p: number, g: number): number {
    const { q, n } = this
    let c = 0
    for (let k = 1; k < n; k++) c += ((p + k) % q === g ? 1 : 0) + ((((p - k) % q) + q) % q === g ? 1 : 0)
    return c
  }

  /** p's owner has another partition within N-1: p sits in a violating window. */
  conflicted(p: number): boolean {
    const a = this.owner[p]!
    return a < this.m && this.nearby(a, p) > 0
  }

  moved(p: number): number {
    return this.owner[p] === this.orig[p] ? 0 : 1
  }

  windowBad(s: number): boolean {
    const { q, n, owner } = this
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) if (owner[(s + i) % q] === owner[(s + j) % q]) return true
    }
    return false
  }

  violatingWindows(): number {
    let bad = 0
    for (let s = 0; s < this.q; s++) if (this.windowBad(s)) bad++
    return bad
  }

  ownerNames(): string[] {
    return Array.from(this.owner, (a) => this.names[a]!)
  }

  private account(p: number, a: number, delta: number): void {
    if (a >= this.m) return
    const { q, n } = this
    const { count, near } = this
    count[a] = count[a]! + delta
    const row = a * q
    for (let k = 1; k < n; k++) {
      const [r, l] = [row + ((p + k) % q), row + ((((p - k) % q) + q) % q)]
      near[r] = near[r]! + delta
      near[l] = near[l]! + delta
    }
  }
}

/** Lexicographic comparison of ranking keys (smaller is better). */
function better(a: readonly number[], b: readonly number[] | undefined): boolean {
  if (b === undefined) return true
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!
  return false
}

/**
 * Quotas: floor(Q/m) each, and the Q mod m ceil quotas go to the members that own the most now,
 * so a ring that is already balanced keeps its counts and nobody gives up a partition needlessly.
 */
function quotas(ring: Layout): Int32Array {
  const { q, m, count } = ring
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => count[b]! - count[a]! || a - b)
  const quota = new Int32Array(m).fill(Math.floor(q / m))
  for (let i = 0; i < q % m; i++) quota[order[i]!] = Math.floor(q / m) + 1
  return quota
}

/** taker takes partition p from its current owner */
interface Edge {
  taker: number
  p: number
}

/** Who may take partitions in a search and who must give them up. */
interface Roles {
  /** partitions a still wants (0: a can only pass partitions along a path) */
  deficit(a: number): number
  donor(b: number): boolean
  /** the spacing a's partitions would have if evenly spread */
  spacing(a: number): number
}

/**
 * Bring every member to its quota one augmenting path at a time; when no path avoids a
 * violation, a forced move, left for repair().
 */
function balance(ring: Layout): void {
  const quota = quotas(ring)
  const roles: Roles = {
    deficit: (a) => Math.max(0, quota[a]! - ring.count[a]!),
    donor: (b) => b >= ring.m || ring.count[b]! > quota[b]!,
    spacing: (a) => Math.floor(ring.q / Math.max(1, quota[a]!)),
  }
  const receivers = (): number[] => Array.from({ length: ring.m }, (_, a) => a).filter((a) => roles.deficit(a) > 0)
  for (let r = receivers(); r.length > 0; r = receivers()) {
    const path = augmentingPath(ring, r, roles) ?? [forcedEdge(ring, r, roles)]
    for (const e of path) ring.set(e.p, e.taker)
  }
}

/**
 * A breadth-first search over members from the receivers: an edge a -> b means a can take one
 * of b's partitions with no partition of its own within N-1; it stops at the first level that
 * reaches a donor. Along the path every member but the ends gains one partition and loses one,
 * so counts only change at the ends, and the shortest path is the fewest moves. Each taker
 * appears once, and losing a partition never creates a violation, so the checks made against the
 * current ring stay valid when the whole path is applied. Null when no such path exists.
 */
function augmentingPath(ring: Layout, receivers: readonly number[], roles: Roles): Edge[] | null {
  const { m, q, owner } = ring
  const root = Int32Array.from({ length: m }, (_, a) => a)
  const via = new Map<number, Edge>()
  const visited = new Uint8Array(m)
  for (const a of receivers) visited[a] = 1
  let frontier = [...receivers]
  while (frontier.length > 0) {
    let best: { edge: Edge; key: number[] } | undefined
    const reached = new Map<number, { edge: Edge; key: number[] }>()
    for (const a of frontier) {
      // A member inside a path gives one partition to the member before it, so that partition
      // does not count against where it may take one (a swap of neighbours is allowed).
      const gives = via.get(a)?.p ?? -1
      const gaps = gapsOf(ring, a)
      const spacing = roles.spacing(a)
      // Room a can spare beyond what it still needs (a path's middle members need none).
      const spare = gaps.room - roles.deficit(a)
      for (let p = 0; p < q; p++) {
        const b = owner[p]!
        if (b === a || ring.nearby(a, p) > (gives < 0 ? 0 : ring.between(p, gives))) continue
        const donor = roles.donor(b)
        if (!donor && visited[b]) continue
        // The largest remaining deficit first (receivers progress evenly); then partitions whose
        // move also clears a violation or empties a leaving node; then no waste of room the
        // taker still needs; then a place at least the even spacing from the taker's others,
        // the first such going round the ring (a new node walks round it at that stride).
        const urgent = b >= m || ring.conflicted(p) ? 0 : 1
        const wasteful = gaps.loss(p) - 1 > spare ? 1 : 0
        const key = [-roles.deficit(root[a]!), urgent, wasteful, -Math.min(gaps.even(p), spacing), p, a]
        if (donor) {
          if (better(key, best?.key)) best = { edge: { taker: a, p }, key }
        } else if (better(key, reached.get(b)?.key)) reached.set(b, { edge: { taker: a, p }, key })
      }
    }
    if (best) return unwind(best.edge, via, owner)
    frontier = [...reached.keys()].sort((x, y) => x - y)
    for (const b of frontier) {
      const edge = reached.get(b)!.edge
      visited[b] = 1
      via.set(b, edge)
      root[b] = root[edge.taker]!
    }
  }
  return null
}

/** The path from a donor's partition back to the receiver that started it. */
function unwind(last: Edge, via: Map<number, Edge>, owner: Int32Array): Edge[] {
  const path = [last]
  for (let e = via.get(last.taker); e !== undefined; e = via.get(e.taker)) path.push(e)
  // Sanity: each taker is the member whose partition the next edge along the path takes.
  for (let i = 0; i + 1 < path.length; i++) {
    if (owner[path[i + 1]!.p] !== path[i]!.taker) throw new Error('reclaim: broken augmenting path')
  }
  return path
}

/**
 * No path avoids a violation: give a receiver the donor partition where it has the fewest own
 * partitions nearby, and leave the violation to repair().
 */
function forcedEdge(ring: Layout, receivers: readonly number[], roles: Roles): Edge {
  const { m, q, owner } = ring
  let best: { edge: Edge; key: number[] } | undefined
  for (const a of receivers) {
    for (let p = 0; p < q; p++) {
      const b = owner[p]!
      if (b === a || !roles.donor(b)) continue
      const key = [ring.nearby(a, p), -roles.deficit(a), b >= m || ring.conflicted(p) ? 0 : 1, p, a]
      if (better(key, best?.key)) best = { edge: { taker: a, p }, key }
    }
  }
  if (!best) throw new Error('reclaim: a receiver without any donor partition')
  return best.edge
}

/**
 * Where member a's partitions sit around p. A gap of g positions between two of a's partitions
 * has room for floor(g/N)-1 more; loss(p) is how much of a's room taking p uses up (1, or 2 when
 * p lands badly in its gap) and room the total, so a taker that needs its room can avoid waste.
 */
function gapsOf(ring: Layout, a: number): { room: number; loss(p: number): number; even(p: number): number } {
  const { q, n, owner } = ring
  const back = new Int32Array(q).fill(-1)
  const ahead = new Int32Array(q).fill(-1)
  const roomIn = (g: number): number => Math.max(0, Math.floor(g / n) - 1)
  let last = -1
  let room = 0
  for (let i = 0; i < 2 * q; i++) {
    const p = i % q
    if (last >= 0) back[p] = i - last
    if (owner[p] !== a) continue
    if (last >= 0 && i >= q) room += roomIn(i - last)
    last = i
  }
  last = -1
  for (let i = 2 * q - 1; i >= 0; i--) {
    const p = i % q
    if (last >= 0) ahead[p] = last - i
    if (owner[p] === a) last = i
  }
  return {
    room: back[0]! < 0 ? Math.floor(q / n) : room,
    loss: (p) => (back[p]! < 0 ? 1 : roomIn(back[p]! + ahead[p]!) - roomIn(back[p]!) - roomIn(ahead[p]!)),
    even: (p) => (back[p]! < 0 ? q : Math.min(back[p]!, ahead[p]!)),
  }
}

interface Step {
  p: number
  /** swap partner partition, or -1 for a single move of p to member `to` */
  other: number
  to: number
  key: number[]
}

/**
 * Clear the violations balance() had to leave (and any the current ring had). Each round either
 * relocates one conflicting partition along a violation-free path, or takes the best swap that
 * lowers (violating windows, conflicting pairs); both lower that pair, so this terminates. True
 * when no violation is left.
 */
function repair(ring: Layout): boolean {
  for (let round = 0; round < 4 * ring.q; round++) {
    if (ring.violatingWindows() === 0) return true
    if (relocate(ring)) continue
    const step = bestStep(ring)
    if (!step) return false
    apply(ring, step)
  }
  return ring.violatingWindows() === 0
}

/**
 * Take a conflicting partition p from its owner x (it becomes vacant, a donor) and search for an
 * augmenting path that refills it: x takes a partition elsewhere from y, y takes p, say, or
 * longer chains. When x owns a ceil quota any floor member may end up with one more instead, a
 * single move. Every hop is violation-free, so the conflict at p goes and none is added. The
 * shortest path over the conflicting partitions wins (the first of length <= 2 at once).
 */
function relocate(ring: Layout): boolean {
  const { q, m, count } = ring
  const floor = Math.floor(q / m)
  const ceil = Math.ceil(q / m)
  let best: { p: number; path: Edge[] } | undefined
  for (let p = 0; p < q && !(best && best.path.length <= 2); p++) {
    if (!ring.conflicted(p)) continue
    const x = ring.owner[p]!
    ring.set(p, m)
    // x below floor must win its partition back; otherwise whoever has room under ceil may.
    const receivers = Array.from({ length: m }, (_, a) => a).filter((a) => (count[x]! < floor ? a === x : count[a]! < ceil))
    const roles: Roles = { deficit: () => 1, donor: (b) => b >= m, spacing: () => q }
    const path = augmentingPath(ring, receivers, roles)
    ring.set(p, x)
    if (path && (!best || path.length < best.path.length)) best = { p, path }
  }
  if (!best) return false
  ring.set(best.p, m)
  for (const e of best.path) ring.set(e.p, e.taker)
  return true
}

function apply(ring: Layout, step: Step): void {
  if (step.other < 0) return ring.set(step.p, step.to)
  const x = ring.owner[step.p]!
  ring.set(step.p, ring.owner[step.other]!)
  ring.set(step.other, x)
}

function bestStep(ring: Layout): Step | undefined {
  const { q, m, owner, count } = ring
  const floor = Math.floor(q / m)
  for (let p = 0; p < q; p++) {
    if (!ring.conflicted(p)) continue
    const x = owner[p]!
    let best: Step | undefined
    const consider = (other: number, to: number): void => {
      const step = evaluate(ring, p, other, to)
      if (step && better(step.key, best?.key)) best = step
    }
    // A swap can only help if neither side lands next to two or more of its own partitions.
    for (let o = 0; o < q; o++) {
      const y = owner[o]!
      if (y !== x && ring.nearby(y, p) <= 1 && ring.nearby(x, o) <= 1) consider(o, y)
    }
    if (count[x] === floor + 1) {
      for (let y = 0; y < m; y++) if (count[y] === floor && q % m !== 0) consider(-1, y)
    }
    if (best) return best
  }
  return undefined
}

/** The effect of a step, measured by doing and undoing it; undefined if it does not improve. */
function evaluate(ring: Layout, p: number, other: number, to: number): Step | undefined {
  const touched = other < 0 ? [p] : [p, other]
  const starts = new Set<number>()
  for (const t of touched) for (let k = 0; k < ring.n; k++) starts.add((((t - k) % ring.q) + ring.q) % ring.q)
  const measure = (): [number, number, number] => {
    let bad = 0
    for (const s of starts) if (ring.windowBad(s)) bad++
    let pairs = 0
    let moves = 0
    for (const t of touched) {
      pairs += ring.nearby(ring.owner[t]!, t)
      moves += ring.moved(t)
    }
    return [bad, pairs, moves]
  }
  const before = measure()
  const saved = touched.map((t) => ring.owner[t]!)
  if (other < 0) ring.set(p, to)
  else {
    ring.set(p, to)
    ring.set(other, saved[0]!)
  }
  const after = measure()
  touched.forEach((t, i) => ring.set(t, saved[i]!))
  const [dWindows, dPairs, dMoves] = [after[0] - before[0], after[1] - before[1], after[2] - before[2]]
  if (dWindows > 0 || (dWindows === 0 && dPairs >= 0)) return undefined
  return { p, other, to, key: [dMoves, dWindows, dPairs, other, to] }
}

/**
 * The fallback: a fresh claim has the best spread we know how to reach, and rotating it or
 * renaming its members keeps both balance and spread, so pick the rotation and renaming that
 * leave the most partitions with their current owner (greedy matching on overlap counts).
 */
function alignedClaim(current: readonly string[], names: readonly string[], n: number): string[] {
  const q = current.length
  const m = names.length
  const index = new Map(names.map((x, i) => [x, i]))
  const fresh = claim(names, q, n).map((x) => index.get(x)!)
  const cur = current.map((x) => index.get(x) ?? -1)
  let best = { kept: -1, shift: 0, label: new Int32Array(m) }
  for (let shift = 0; shift < q; shift++) {
    const overlap = new Map<number, number>()
    for (let p = 0; p < q; p++) {
      if (cur[p]! < 0) continue
      const k = fresh[(p + shift) % q]! * m + cur[p]!
      overlap.set(k, (overlap.get(k) ?? 0) + 1)
    }
    const entries = [...overlap].sort((a, b) => b[1] - a[1] || a[0] - b[0])
    const label = new Int32Array(m).fill(-1)
    const used = new Uint8Array(m)
    let kept = 0
    for (const [k, c] of entries) {
      const [from, to] = [Math.floor(k / m), k % m]
      if (label[from]! >= 0 || used[to]) continue
      label[from] = to
      used[to] = 1
      kept += c
    }
    if (kept <= best.kept) continue
    // Labels no current owner matched take the remaining members in order.
    let next = 0
    for (let f = 0; f < m; f++) {
      if (label[f]! >= 0) continue
      while (used[next]) next++
      label[f] = next
      used[next] = 1
    }
    best = { kept, shift, label }
  }
  return Array.from({ length: q }, (_, p) => names[best.label[fresh[(p + best.shift) % q]!]!]!)
}
