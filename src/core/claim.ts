/**
 * Claim: which node owns each partition. Two promises, checked by property tests:
 * - balance: every node owns floor(Q/m) or ceil(Q/m) partitions;
 * - spread: any N consecutive partitions (wrapping) sit on N distinct nodes, so a preference list
 *   never puts two replicas on one machine, whenever that is possible at all: a node owning
 *   ceil(Q/m) partitions needs them N apart around a ring of Q, so ceil(Q/m)*N <= Q is necessary
 *   (with m = N = 3 and Q a power of two it never holds; Riak has the same "tail violation").
 *   When it is impossible, round robin confines the repeats to the N-1 windows across the wrap.
 * Members are sorted first so every node computes the same ring from the same member list.
 */

export function claim(members: readonly string[], q: number, n: number): string[] {
  const sorted = [...new Set(members)].sort()
  const m = sorted.length
  if (m === 0) throw new RangeError('claim needs at least one member')
  const r = q % m
  if (m < n || r === 0 || r >= n || !spreadPossible(m, q, n)) return roundRobin(sorted, q)
  return spreadClaim(sorted, q, n)
}

export function spreadPossible(m: number, q: number, n: number): boolean {
  return m >= n && Math.ceil(q / m) * n <= q
}

/**
 * Round robin is balanced, and its only N-window that could repeat a node is the one that
 * wraps from partition Q-1 to 0; with Q mod m = 0 or >= N it does not.
 */
function roundRobin(sorted: string[], q: number): string[] {
  return Array.from({ length: q }, (_, i) => sorted[i % sorted.length]!)
}

/**
 * For 0 < Q mod m < N round robin repeats a node across the wrap. Place partitions in order,
 * each time choosing the node with the most partitions still owed that is not among the
 * previous N-1 owners (nor, near the end, the first owners it wraps onto). That is the classic
 * greedy for "same symbol at least N apart"; a depth-first search undoes a choice in the rare
 * case the greedy paints itself into a corner at the wrap.
 */
function spreadClaim(sorted: string[], q: number, n: number): string[] {
  const m = sorted.length
  const quota = sorted.map((_, i) => Math.floor(q / m) + (i < q % m ? 1 : 0))
  const owners: number[] = []
  let budget = 200_000
  const place = (pos: number): boolean => {
    if (pos === q) return true
    if (--budget < 0) return false
    for (const c of candidates(pos)) {
      owners.push(c)
      quota[c]!--
      if (place(pos + 1)) return true
      owners.pop()
      quota[c]!++
    }
    return false
  }
  const candidates = (pos: number): number[] => {
    const banned = new Set<number>()
    for (let k = 1; k < n && pos - k >= 0; k++) banned.add(owners[pos - k]!)
    // The window starting here runs past Q-1 onto partitions 0..pos+N-1-Q.
    for (let k = 0; k <= pos + n - 1 - q; k++) banned.add(owners[k]!)
    return quota
      .map((left, i) => ({ left, i }))
      .filter(({ left, i }) => left > 0 && !banned.has(i))
      .sort((a, b) => b.left - a.left || a.i - b.i)
      .map(({ i }) => i)
  }
  if (!place(0)) return roundRobin(sorted, q)
  return owners.map((i) => sorted[i]!)
}
