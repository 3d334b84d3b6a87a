/**
 * What a load generator drives: a workload hands out operations one at a time from its seeded
 * stream. The generators call next() in the order the operations are scheduled, so the same seed
 * gives the same sequence of operations (which worker runs each one may differ).
 */
import type { SeededRandom } from '../../src/core/seededRandom.js'

export interface Operation {
  /** The operation's kind as the summary counts it: get, put, search, ... */
  readonly name: string
  /** Rejects with an error whose `code` (else message) is counted as the error's kind. */
  run(): Promise<void>
}

export interface Workload {
  readonly name: string
  /** Every operation kind this workload can hand out, in the order the summary lists them. */
  readonly opNames: readonly string[]
  next(): Operation
}

/** Weights by operation name, e.g. { get: 90, put: 10 }; they need not sum to 100. */
export type MixWeights = Readonly<Record<string, number>>

/** Draws operation names in proportion to their weights. */
export class Mix {
  private readonly names: string[]
  private readonly cumulative: number[]
  private readonly total: number

  constructor(
    weights: MixWeights,
    private readonly rng: SeededRandom,
  ) {
    this.names = Object.keys(weights).filter((k) => weights[k]! > 0)
    let sum = 0
    this.cumulative = this.names.map((k) => {
      const w = weights[k]!
      if (!Number.isFinite(w) || w < 0) throw new RangeError(`mix weight of ${k} must be a non-negative number`)
      return (sum += w)
    })
    this.total = sum
    if (!(this.total > 0)) throw new RangeError('the mix has no operation with a positive weight')
  }

  get opNames(): readonly string[] {
    return this.names
  }

  pick(): string {
    const x = this.rng.next() * this.total
    for (let i = 0; i < this.cumulative.length; i++) if (x < this.cumulative[i]!) return this.names[i]!
    return this.names[this.names.length - 1]!
  }
}

/** "get=90,put=10" → { get: 90, put: 10 }. */
export function parseMix(s: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const part of s.split(',')) {
    const m = /^\s*([A-Za-z][\w-]*)\s*[=:]\s*(\d+(?:\.\d+)?)\s*$/.exec(part)
    if (!m) throw new RangeError(`mix "${s}": expected name=weight,name=weight`)
    out[m[1]!] = Number(m[2])
  }
  return out
}

/** The error kind counted for a failed operation: its code when it has one, else its message. */
export function errorCode(e: unknown): string {
  const c = (e as { code?: unknown } | null)?.code
  if (typeof c === 'string' && c) return c
  const msg = e instanceof Error ? e.message : String(e)
  return msg.slice(0, 60) || 'ERROR'
}
