/**
 * Key distributions: which of the records an operation touches. uniform; pareto (Gray et al.'s
 * self-similar "80/20": a share h of the keys takes 1-h of the accesses, recursively, so there is
 * a hot core inside the hot set); hotset (a fraction f of the keys takes a share s of the accesses,
 * uniform within each part). Hot keys are spread over the key space by a fixed permutation so they
 * do not all fall in one partition.
 */
import type { SeededRandom } from '../../src/core/seededRandom.js'

export type KeyDist = { kind: 'uniform' } | { kind: 'pareto'; h: number } | { kind: 'hotset'; fraction: number; share: number }

/** "uniform", "pareto" / "pareto:0.2", "hotset" / "hotset:0.01:0.9". */
export function parseKeyDist(s: string): KeyDist {
  const [kind, a, b] = s.split(':')
  const num = (v: string | undefined, dflt: number): number => {
    const n = v === undefined ? dflt : Number(v)
    if (!(n > 0 && n < 1)) throw new RangeError(`key distribution "${s}": parameters are fractions between 0 and 1`)
    return n
  }
  if (kind === 'uniform' && a === undefined) return { kind: 'uniform' }
  if (kind === 'pareto' && b === undefined) return { kind: 'pareto', h: num(a, 0.2) }
  if (kind === 'hotset') return { kind: 'hotset', fraction: num(a, 0.2), share: num(b, 0.8) }
  throw new RangeError(`unknown key distribution "${s}" (uniform, pareto[:h], hotset[:fraction:share])`)
}

export function keyDistName(d: KeyDist): string {
  return d.kind === 'uniform' ? 'uniform' : d.kind === 'pareto' ? `pareto:${d.h}` : `hotset:${d.fraction}:${d.share}`
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** A draw of a record index in [0, count) by the distribution, from the given stream. */
export function keyChooser(d: KeyDist, count: number, rng: SeededRandom): () => number {
  // Rank r (0 = hottest) to index: a multiplicative permutation with a stride coprime to count.
  let stride = Math.max(1, Math.floor(count * 0.6180339887))
  while (gcd(stride, count) !== 1) stride++
  const spread = (rank: number): number => (rank * stride) % count
  if (d.kind === 'uniform') return () => rng.int(count)
  if (d.kind === 'pareto') {
    const exponent = Math.log(d.h) / Math.log(1 - d.h)
    return () => spread(Math.min(count - 1, Math.floor(count * rng.next() ** exponent)))
  }
  const hot = Math.max(1, Math.round(count * d.fraction))
  return () => spread(rng.next() < d.share || hot >= count ? rng.int(hot) : hot + rng.int(count - hot))
}
