/**
 * Quorum values as callers write them (a number, or one|quorum|all|default) turned into the
 * number of replies a coordinator waits for, with the impossible ones refused up front.
 */
import { SpineError } from '../shared/errors.js'

export type QuorumSpec = number | 'one' | 'quorum' | 'all' | 'default'

export function isQuorumSpec(v: unknown): v is QuorumSpec {
  return (typeof v === 'number' && Number.isInteger(v)) || v === 'one' || v === 'quorum' || v === 'all' || v === 'default'
}

/**
 * @param min 1 for R and W (a coordinator always needs one answer), 0 for PR, PW and DW.
 */
export function resolveQuorum(name: string, spec: QuorumSpec, fallback: QuorumSpec, n: number, min: number): number {
  const v = spec === 'default' ? fallback : spec
  const value = v === 'one' ? 1 : v === 'quorum' ? Math.floor(n / 2) + 1 : v === 'all' ? n : v
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > n) {
    throw new SpineError('INVALID_QUORUM', `${name}=${String(spec)} is not possible with n=${n} (allowed ${min}..${n})`, {
      name,
      value: spec,
      n,
      min,
    })
  }
  return value
}
