/**
 * Reclaim: owners for a changed member set that start from the current ring instead of from
 * scratch (the idea of Riak's claim_v2/v3), so a join or leave moves about Q/m partitions rather
 * than reshuffling the ring. It keeps claim()'s promises, checked by property tests:
 * - balance: every member owns floor(Q/m) or ceil(Q/m) partitions, non-members none;
 * - spread: no N consecutive partitions (wrapping) repeat a node whenever spreadPossible();
 *   otherwise no more violating windows than a fresh claim() would have.
 * Three steps:
 * 1. balance: members under their quota take partitions from leaving nodes and over-quota
 *    members along shortest "augmenting paths" (a takes from b, b takes from c, ... until a
 *    donor), every hop landing where the taker has no partition within N-1, so balancing
 *    creates no violation while such a path exists (a new node walks round the ring taking one
 *    partition every Q/quota or so);
 * 2. repair (only if spread is possible and violations are left): move a conflicting partition's
 *    owner elsewhere along such a path, else re-lay a short stretch of the ring with the same
 *    owners by a small search, else swap owners to lower the conflicting pairs;
 * 3. fallback: if violations remain above what is allowed, the fresh claim, rotated and relabelled
 *    to keep as many current owners as possible (correct, but it moves more). In practice this
 *    happens when no remaining member can take a leaving node's partitions without a repeat
 *    (m-1 <= 2(N-1)), or when spread is impossible and only round robin is good enough.
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
function violatingWindows(owners: readonly string[], n: number): number {
  let bad = 0
  for (let s = 0; s < owners.length; s++) {
    const seen = new Set<string>()
    for (let k = 0; k < n; k++) seen.add(owners[(s + k) % owners.length]!)
    if (seen.size < n) bad++
  }
  return bad
}

/**
 * How much searching reclaim may do, per partition and member, before it settles for the
 * fallback: successful reclaims over the test grid stay well below it, and it keeps the hopeless
 * ones (a leaving node whose partitions no remaining member can take without shifting whole
 * stretches of the ring) from spending seconds on Q = 1024.
 */
const WORK_PER_POSITION = 1_000

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
  /** member indices in use: members, leaving nodes, and one spare for a vacated partition */
  readonly indices: number
  /** each member's partitions in ascending order, for the gaps around a place */
  private readonly sorted: number[][]
  /** positions looked at by searches so far, against a budget that bounds a hopeless repair */
  private work = 0
  private readonly budget: number

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
    this.indices = this.m + Math.max(1, leaving.length)
    this.sorted = Array.from({ length: this.m }, () => [])
    this.owner = Int32Array.from(current, (o) => index.get(o)!)
    this.orig = this.owner.slice()
    this.count = new Int32Array(this.m)
    this.near = new Int32Array(this.m * this.q)
    for (let p = 0; p < this.q; p++) {
      const a = this.owner[p]!
      this.account(p, a, 1)
      if (a < this.m) this.sorted[a]!.push(p)
    }
    this.budget = WORK_PER_POSITION * this.q * Math.max(this.m, 8)
  }

  spend(positions: number): void {
    this.work += positions
  }

  exhausted(): boolean {
    return this.work > this.budget
  }

  set(p: number, a: number): void {
    const old = this.owner[p]!
    if (old === a) return
    this.account(p, old, -1)
    this.owner[p] = a
    this.account(p, a, 1)
    // Plain loops: splice and copyWithin are far slower on these arrays.
    if (old < this.m) {
      const ps = this.sorted[old]!
      for (let i = lowerBound(ps, p); i + 1 < ps.length; i++) ps[i] = ps[i + 1]!
      ps.pop()
    }
    if (a < this.m) {
      const ps = this.sorted[a]!
      const at = lowerBound(ps, p)
      ps.push(p)
      for (let i = ps.length - 1; i > at; i--) ps[i] = ps[i - 1]!
      ps[at] = p
    }
  }

  positions(a: number): readonly number[] {
    return this.sorted[a]!
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

/** taker takes partition p from its current owner; prev is how the taker itself was reached */
interface Edge {
  taker: number
  p: number
  prev?: Edge | undefined
}

/** Who may take partitions in a search and who must give them up. */
interface Roles {
  /** partitions a still wants (0: a can only pass partitions along a path) */
  deficit(a: number): number
  donor(b: number): boolean
  /** the spacing a's partitions would have if evenly spread; without it, only path length counts */
  spacing?: (a: number) => number
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
 * so counts only change at the ends, and the shortest path is the fewest moves (a receiver may
 * be in the middle of another receiver's path). Each taker appears once, and losing a partition
 * never creates a violation, so the checks made against the current ring stay valid when the
 * whole path is applied. Null when no such path exists.
 */
function augmentingPath(ring: Layout, receivers: readonly number[], roles: Roles): Edge[] | null {
  const { m, q, owner } = ring
  const inner = new Uint8Array(m)
  const isDonor = Uint8Array.from({ length: ring.indices }, (_, b) => (roles.donor(b) ? 1 : 0))
  // Donors' partitions (where a path can end) and the rest (where it can go on), ascending.
  const ends: number[] = []
  const hops: number[] = []
  for (let p = 0; p < q; p++) (isDonor[owner[p]!] ? ends : hops).push(p)
  interface Node {
    a: number
    /** the edge by which a was reached, undefined for a receiver */
    into?: Edge | undefined
  }
  /**
   * Every place among `places` that a may take without a violation, with its rank (a tuple
   * packed into one number; this is the hot loop): the largest remaining deficit first
   * (receivers progress evenly); then partitions whose move also clears a violation or empties a
   * leaving node; then no waste of room the taker still needs; then a place at least the even
   * spacing from the taker's others, the first such going round the ring (a new node walks round
   * it at that stride).
   */
  const scan = ({ a, into }: Node, places: readonly number[], take: (p: number, key: number) => void): void => {
    const root = rootOf(into) ?? a
    const rootDeficit = roles.deficit(root)
    // A member inside a path gives one partition to the member before it, so that partition
    // does not count against where it may take one (a swap of neighbours is allowed).
    const gives = into?.p ?? -1
    ring.spend(places.length)
    // Where to take matters for the receiver, which keeps what it takes; a member in the middle
    // of a path only needs its hop to be violation-free.
    const gaps = roles.spacing && !into ? new GapWalk(ring.positions(a), q, ring.n) : undefined
    const spacing = roles.spacing?.(a) ?? 0
    const spare = (gaps?.room ?? q) - roles.deficit(a)
    for (const p of places) {
      const b = owner[p]!
      if (b === a || b === root || (b < m && inner[b])) continue
      const near = ring.nearby(a, p)
      if (near > 0 && (gives < 0 || near > ring.between(p, gives))) continue
      const urgent = b >= m || ring.conflicted(p) ? 0 : 2
      gaps?.at(p)
      const wasteful = gaps && gaps.loss - 1 > spare ? 1 : 0
      const uneven = gaps ? q - Math.min(gaps.even, spacing) : 0
      take(p, ((((q - rootDeficit) * 4 + urgent + wasteful) * (q + 1) + uneven) * q + p) * m + a)
    }
  }
  // Receivers by deficit, largest first, as the deficit leads the ranking.
  let frontier: Node[] = [...receivers].sort((x, y) => roles.deficit(y) - roles.deficit(x) || x - y).map((a) => ({ a }))
  const reachedKey = new Float64Array(m)
  const reached: (Edge | undefined)[] = []
  for (let level = 0; frontier.length > 0; level++) {
    let best: { edge: Edge; key: number } | undefined
    for (const node of frontier) {
      // Receivers are served one at a time: the next one is only scanned if this one has no
      // direct edge (one scan per path, not one per receiver, and still complete).
      if (best && level === 0) break
      scan(node, ends, (p, key) => {
        if (!best || key < best.key) best = { edge: { taker: node.a, p, prev: node.into }, key }
      })
    }
    if (best) return unwind(best.edge, owner)
    // No donor within reach: one hop further, to the members the frontier can take from.
    reachedKey.fill(Infinity)
    for (const node of frontier) {
      scan(node, hops, (p, key) => {
        const b = owner[p]!
        if (key >= reachedKey[b]!) return
        reachedKey[b] = key
        reached[b] = { taker: node.a, p, prev: node.into }
      })
    }
    frontier = []
    for (let b = 0; b < m; b++) {
      if (reachedKey[b] === Infinity) continue
      inner[b] = 1
      frontier.push({ a: b, into: reached[b] })
    }
  }
  return null
}

/** The receiver a path starts from (undefined for a receiver itself). */
function rootOf(into: Edge | undefined): number | undefined {
  let e = into
  while (e?.prev) e = e.prev
  return e?.taker
}

/** The path from a donor's partition back to the receiver that started it. */
function unwind(last: Edge, owner: Int32Array): Edge[] {
  const path: Edge[] = []
  for (let e: Edge | undefined = last; e; e = e.prev) path.push(e)
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

/** The first index in ascending xs whose value is >= x. */
function lowerBound(xs: readonly number[], x: number): number {
  let [lo, hi] = [0, xs.length]
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (xs[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Where member a's partitions sit around places it might take, visited in ascending order. A gap
 * of g positions between two of a's partitions has room for floor(g/N)-1 more; `loss` is how
 * much of a's room taking p uses up (1, or 2 when p lands badly in its gap) and `room` the
 * total, so a taker that needs its room can avoid waste; `even` is the distance to a's nearer
 * partition.
 */
class GapWalk {
  readonly room: number
  loss = 1
  even = 0
  private j = 0

  constructor(
    private readonly ps: readonly number[],
    private readonly q: number,
    private readonly n: number,
  ) {
    const c = ps.length
    let room = c === 0 ? Math.floor(q / n) : this.roomIn(ps[0]! + q - ps[c - 1]!)
    for (let i = 1; i < c; i++) room += this.roomIn(ps[i]! - ps[i - 1]!)
    this.room = room
  }

  /** Look at p, a place a does not own, after any smaller one. */
  at(p: number): void {
    const { ps, q } = this
    const c = ps.length
    if (c === 0) {
      this.loss = 1
      this.even = q
      return
    }
    while (this.j < c && ps[this.j]! < p) this.j++
    const back = p - (this.j > 0 ? ps[this.j - 1]! : ps[c - 1]! - q)
    const ahead = (this.j < c ? ps[this.j]! : ps[0]! + q) - p
    this.loss = this.roomIn(back + ahead) - this.roomIn(back) - this.roomIn(ahead)
    this.even = Math.min(back, ahead)
  }

  private roomIn(gap: number): number {
    return Math.max(0, Math.floor(gap / this.n) - 1)
  }
}

interface Step {
  p: number
  /** swap partner partition, or -1 for a single move of p to member `to` */
  other: number
  to: number
  key: number
}

/**
 * Clear the violations balance() had to leave (and any the current ring had). Each round
 * relocates one conflicting partition along a violation-free path, or re-lays a stretch round
 * one, or takes the best swap that lowers the conflicting pairs; each lowers the number of
 * conflicting pairs, so this terminates (and the work budget bounds it). True when no violation
 * is left.
 */
function repair(ring: Layout): boolean {
  let cursor = 0
  for (let round = 0; round < 4 * ring.q && !ring.exhausted(); round++) {
    if (ring.violatingWindows() === 0) return true
    const next = relocate(ring, cursor)
    if (next >= 0) {
      cursor = next
      continue
    }
    if (relayAround(ring)) continue
    const step = bestStep(ring)
    if (!step) return false
    apply(ring, step)
  }
  return ring.violatingWindows() === 0
}

/** Nodes one relay() may visit; a stretch that cannot be laid out within it is left alone. */
const RELAY_BUDGET = 20_000

/**
 * Re-lay a stretch of the ring round the first conflicting partition: the same owners (so the
 * counts stay), in an order that leaves no violating window touching the stretch, found by a
 * depth-first search that tries each partition's current owner first (so few move). Stretches
 * of growing length are tried. The windows it touches end up clear and no other changes, so the
 * count of violations falls.
 */
function relayAround(ring: Layout): boolean {
  let p = 0
  while (p < ring.q && !ring.conflicted(p)) p++
  if (p === ring.q) return false
  for (let radius = ring.n; 2 * radius + 2 * ring.n <= ring.q; radius *= 2) {
    if (relay(ring, (p - radius + ring.q) % ring.q, 2 * radius + 1)) return true
    if (radius >= 8 * ring.n) break
  }
  return false
}

function relay(ring: Layout, start: number, len: number): boolean {
  const { q, n, m } = ring
  const at = (i: number): number => (((start + i) % q) + q) % q
  const current = Int32Array.from({ length: len }, (_, i) => ring.owner[at(i)]!)
  const left = new Int32Array(m)
  for (const a of current) left[a] = left[a]! + 1
  const chosen = new Int32Array(len)
  // Owner at offset i from start: chosen inside the stretch, the ring's own outside it.
  const ownerAt = (i: number): number => (i >= 0 && i < len ? chosen[i]! : ring.owner[at(i)]!)
  const fits = (i: number, a: number): boolean => {
    for (let k = 1; k < n; k++) {
      if (ownerAt(i - k) === a) return false
      if (i + k >= len && ring.owner[at(i + k)] === a) return false
    }
    return true
  }
  // After the current owner, the owners with the most partitions in the stretch first: they are
  // the hardest to fit, as in claim's spreadClaim.
  const owners = [...new Set(current)].sort((x, y) => left[y]! - left[x]! || x - y)
  let budget = RELAY_BUDGET
  const place = (i: number): boolean => {
    if (i === len) return true
    if (--budget < 0) return false
    for (let c = -1; c < owners.length; c++) {
      const a = c < 0 ? current[i]! : owners[c]!
      if ((c >= 0 && a === current[i]) || left[a] === 0 || !fits(i, a)) continue
      chosen[i] = a
      left[a] = left[a]! - 1
      if (place(i + 1)) return true
      left[a] = left[a]! + 1
    }
    return false
  }
  const found = place(0)
  ring.spend((RELAY_BUDGET - Math.max(0, budget)) * owners.length * n)
  if (!found) return false
  for (let i = 0; i < len; i++) ring.set(at(i), chosen[i]!)
  return true
}

/** Conflicting partitions tried after the first one that has a path, looking for a shorter one. */
const LOOKAHEAD = 8

/**
 * Take a conflicting partition p from its owner x (it becomes vacant, a donor) and search for an
 * augmenting path that refills it: x takes a partition elsewhere from y, y takes p, say, or
 * longer chains. When x owns a ceil quota any floor member may end up with one more instead, a
 * single move. Every hop is violation-free, so the conflict at p goes and none is added. The
 * search goes round the ring from `from` (where the last round stopped, so no conflict is tried
 * over and over) and takes the shortest path among the first few found. Returns where to go on
 * from, or -1 if no conflicting partition can be relocated.
 */
function relocate(ring: Layout, from: number): number {
  const { q, m, count } = ring
  const floor = Math.floor(q / m)
  const ceil = Math.ceil(q / m)
  const roles: Roles = { deficit: () => 1, donor: (b) => b >= m }
  let best: { p: number; path: Edge[] } | undefined
  let more = LOOKAHEAD
  for (let i = 0; i < q && !ring.exhausted() && (!best || (best.path.length > 2 && more-- > 0)); i++) {
    const p = (from + i) % q
    if (!ring.conflicted(p)) continue
    const x = ring.owner[p]!
    ring.set(p, m)
    // x below floor must win its partition back; otherwise whoever has room under ceil may.
    const receivers = Array.from({ length: m }, (_, a) => a).filter((a) => (count[x]! < floor ? a === x : count[a]! < ceil))
    const path = augmentingPath(ring, receivers, roles)
    ring.set(p, x)
    if (path && (!best || path.length < best.path.length)) best = { p, path }
  }
  if (!best) return -1
  ring.set(best.p, m)
  for (const e of best.path) ring.set(e.p, e.taker)
  return (best.p + 1) % q
}

function apply(ring: Layout, step: Step): void {
  if (step.other < 0) return ring.set(step.p, step.to)
  const x = ring.owner[step.p]!
  ring.set(step.p, ring.owner[step.other]!)
  ring.set(step.other, x)
}

/**
 * The cheapest step that lowers the number of conflicting pairs (two partitions of one member
 * within N-1), for the first conflicting partition that has one: a swap of owners, or a move
 * from a ceil member to a floor member. No violating window is left once no pair is, and every
 * step lowers the count, so repair() terminates. Swaps that clear both sides are already found by
 * relocate(); this is for the partial improvements left when none is.
 */
function bestStep(ring: Layout): Step | undefined {
  const { q, m, owner, count } = ring
  const floor = Math.floor(q / m)
  const moved = (t: number, a: number): number => (ring.orig[t] === a ? 0 : 1)
  for (let p = 0; p < q && !ring.exhausted(); p++) {
    if (!ring.conflicted(p)) continue
    ring.spend(q)
    const x = owner[p]!
    const here = ring.nearby(x, p)
    let best: Step | undefined
    const consider = (other: number, to: number, dPairs: number, dMoves: number): void => {
      if (dPairs >= 0) return
      const key = ((dMoves + 2) * (4 * ring.n * q + 1) + dPairs + 2 * ring.n * q) * (q + 1) * m + (other + 1) * m + to
      if (!best || key < best.key) best = { p, other, to, key }
    }
    for (let o = 0; o < q; o++) {
      const y = owner[o]!
      if (y === x) continue
      // After the swap y sits at p and x at o; the pair they formed with each other goes.
      const shared = 2 * ring.between(p, o)
      const dPairs = ring.nearby(y, p) + ring.nearby(x, o) - shared - here - ring.nearby(y, o)
      consider(o, y, dPairs, moved(p, y) + moved(o, x) - moved(p, x) - moved(o, y))
    }
    if (count[x] === floor + 1 && q % m !== 0) {
      for (let y = 0; y < m; y++) {
        if (count[y] === floor) consider(-1, y, ring.nearby(y, p) - here, moved(p, y) - moved(p, x))
      }
    }
    if (best) return best
  }
  return undefined
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
  const fresh = Int32Array.from(claim(names, q, n), (x) => index.get(x)!)
  const cur = Int32Array.from(current, (x) => index.get(x) ?? -1)
  // overlap[f * m + a]: partitions fresh label f would give to current owner a, for one shift.
  const overlap = new Int32Array(m * m)
  const touched: number[] = []
  let best = { kept: -1, shift: 0, label: new Int32Array(m) }
  for (let shift = 0; shift < q; shift++) {
    for (let p = 0; p < q; p++) {
      if (cur[p]! < 0) continue
      const k = fresh[(p + shift) % q]! * m + cur[p]!
      const c = overlap[k]!
      overlap[k] = c + 1
      if (c === 0) touched.push(k)
    }
    touched.sort((x, y) => overlap[y]! - overlap[x]! || x - y)
    const label = new Int32Array(m).fill(-1)
    const used = new Uint8Array(m)
    let kept = 0
    for (const k of touched) {
      const [from, to] = [Math.floor(k / m), k % m]
      if (label[from]! < 0 && !used[to]) {
        label[from] = to
        used[to] = 1
        kept += overlap[k]!
      }
      overlap[k] = 0
    }
    touched.length = 0
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
