/** Running ranges of simulator seeds in the tests, and the one-line report of those that fail. */
import { runSeed, type SeedResult } from '../../src/sim/runSeed.js'
import type { SimOptions } from '../../src/sim/params.js'
import { failureLine } from '../../src/sim/report.js'

export async function runRange(first: number, count: number, opts: SimOptions): Promise<SeedResult[]> {
  const out: SeedResult[] = []
  for (let seed = first; seed < first + count; seed++) out.push(await runSeed(seed, opts))
  return out
}

export function failuresOf(results: SeedResult[]): string[] {
  return results.filter((r) => r.failures.length > 0).map(failureLine)
}
