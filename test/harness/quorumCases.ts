/**
 * Enumerations shared by the exhaustive quorum tests (GetCore and PutCore): which replicas are
 * primaries, in which order replies arrive, and every assignment of reply kinds.
 */

export function permutations(n: number): number[][] {
  const go = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => go([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]))
  return go(Array.from({ length: n }, (_, i) => i))
}

/** Every way to give each of n replicas one of the kinds. */
export function kindAssignments<K>(n: number, kinds: readonly K[]): K[][] {
  let out: K[][] = [[]]
  for (let i = 0; i < n; i++) out = out.flatMap((a) => kinds.map((k) => [...a, k]))
  return out
}

/** all primary; the last replica a fallback; the first a fallback */
export function primaryPatterns(n: number): boolean[][] {
  const all = Array.from({ length: n }, () => true)
  if (n === 1) return [all, [false]]
  return [all, all.map((_, i) => i !== n - 1), all.map((_, i) => i !== 0)]
}

/**
 * Arrival orders to try. For n <= 3 every permutation of the replicas with every primary pattern.
 * For n = 4 that is 24x more than the decision can tell apart, so: all replicas primary in index
 * order, and one fallback (the last replica) arriving at each position, plus two fallbacks.
 */
export function arrivals(n: number): Array<{ prim: boolean[]; orders: number[][] }> {
  if (n <= 3) return primaryPatterns(n).map((prim) => ({ prim, orders: permutations(n) }))
  const ids = Array.from({ length: n }, (_, i) => i)
  const fallbackAt = (j: number) => {
    const rest = ids.slice(0, n - 1)
    return [...rest.slice(0, j), n - 1, ...rest.slice(j)]
  }
  return [
    { prim: ids.map(() => true), orders: [ids] },
    { prim: ids.map((i) => i !== n - 1), orders: ids.map(fallbackAt) },
    { prim: ids.map((i) => i % 2 === 0), orders: [ids, [...ids].reverse()] },
  ]
}

/** Error stacks cost more than everything else in these loops, and nothing reads them. */
export function withoutStacks<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return fn()
  } finally {
    Error.stackTraceLimit = limit
  }
}
