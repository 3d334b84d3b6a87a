/**
 * Query parameters of Riak's HTTP resources. A parameter a resource does not use is ignored, as
 * Riak ignores it (clients send basic_quorum, notfound_ok, props=false... whatever the
 * resource); one it uses is checked with the client port's checks, and given twice is refused
 * rather than guessed at.
 */
import { SpineError } from '../../../shared/errors.js'
import type { QuorumSpec } from '../../../core/quorum.js'
import { checkQuorumSpec, checkTimeout } from '../../../kv/request.js'

export type Query = Record<string, unknown>

function one(q: Query, name: string): string | undefined {
  const v = q[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw new SpineError('INVALID_ARGUMENT', `query parameter ${name} given more than once`, { field: name })
  return v
}

/** r, pr, w, dw, pw, rw, node_confirms: a decimal number or one|quorum|all|default; the range for N is checked by the coordinator. */
export function quorumParam(q: Query, name: string): QuorumSpec | undefined {
  const v = one(q, name)
  if (v === undefined) return undefined
  return checkQuorumSpec(name, /^\d{1,9}$/.test(v) ? Number(v) : v)
}

/** Milliseconds; absent takes the default. */
export function timeoutParam(q: Query): number {
  const v = one(q, 'timeout')
  if (v === undefined) return checkTimeout(undefined)
  if (!/^\d{1,9}$/.test(v)) throw new SpineError('INVALID_ARGUMENT', 'timeout must be a whole number of milliseconds', { field: 'timeout', value: v })
  return checkTimeout(Number(v))
}

export function boolParam(q: Query, name: string): boolean | undefined {
  const v = one(q, name)
  if (v === undefined) return undefined
  if (v === 'true') return true
  if (v === 'false') return false
  throw new SpineError('INVALID_ARGUMENT', `${name} must be true or false`, { field: name, value: v })
}

export function stringParam(q: Query, name: string): string | undefined {
  return one(q, name)
}

/** keys= and buckets=: Riak's `true` (one JSON body) or `stream` (a JSON object per chunk). */
export function listParam(q: Query, name: string): 'true' | 'stream' | undefined {
  const v = one(q, name)
  if (v === undefined || v === 'false') return undefined
  if (v === 'true' || v === 'stream') return v
  throw new SpineError('INVALID_ARGUMENT', `${name} must be true, stream or false`, { field: name, value: v })
}
