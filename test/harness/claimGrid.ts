/**
 * What the claim and reclaim property tests share: the grid of ring sizes and replica counts they
 * sweep, member names, a seeded shuffle, and the window checks — written here from the definition
 * (distinct owners of N consecutive partitions), not taken from the code under test.
 */
export const QS = [8, 16, 32, 64, 128, 256, 512, 1024]
export const NS = [1, 2, 3, 4, 5]

export const memberName = (i: number): string => `node${String(i).padStart(2, '0')}@host`
export const membersOf = (m: number): string[] => Array.from({ length: m }, (_, i) => memberName(i))

export function shuffled<T>(xs: readonly T[], rnd: () => number): T[] {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Distinct owners in the window of n consecutive partitions starting at s (wrapping). */
export function distinctIn(owners: readonly string[], s: number, n: number): number {
  const seen = new Set<string>()
  for (let k = 0; k < n; k++) seen.add(owners[(s + k) % owners.length]!)
  return seen.size
}

/** Windows of n consecutive partitions (wrapping) that repeat a node. */
export function violatingWindows(owners: readonly string[], n: number): number {
  let bad = 0
  for (let s = 0; s < owners.length; s++) if (distinctIn(owners, s, n) < n) bad++
  return bad
}
