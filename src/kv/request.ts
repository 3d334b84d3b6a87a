/**
 * What a coordinator accepts, checked once at the edge: key sizes, value size, quorum specs and
 * timeouts. A request that fails here touches nothing.
 */
import { SpineError } from '../shared/errors.js'
import type { BKey } from '../core/hash.js'
import { isQuorumSpec, type QuorumSpec } from '../core/quorum.js'
import { KV, LIMITS } from '../config.js'
import { wireText } from '../shared/wireText.js'

export interface ReadOptions {
  r?: QuorumSpec
  pr?: QuorumSpec
  notfoundOk?: boolean
  timeoutMs?: number
  /** false: ask the primaries only, even those the failure detector holds down (default true). */
  sloppyQuorum?: boolean
}

export interface WriteOptions {
  w?: QuorumSpec
  dw?: QuorumSpec
  pw?: QuorumSpec
  timeoutMs?: number
  /** Opaque causal context from an earlier read or write. */
  context?: Uint8Array | null
  returnBody?: boolean
  sloppyQuorum?: boolean
  /** Distinct physical nodes that must acknowledge (fallbacks may share a node with a primary). */
  nodeConfirms?: QuorumSpec
}

export interface DeleteOptions extends WriteOptions {
  r?: QuorumSpec
  pr?: QuorumSpec
}

export function checkBoolean(name: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw new SpineError('INVALID_ARGUMENT', `${name} must be true or false`, { field: name })
  return v
}

export const DEFAULT_TYPE = 'default'

function checkName(what: string, s: unknown, max: number): string {
  if (typeof s !== 'string') throw new SpineError('INVALID_ARGUMENT', `${what} must be a string`, { field: what })
  const len = Buffer.byteLength(s, 'utf8')
  if (len === 0 || len > max) {
    throw new SpineError('KEY_TOO_LONG', `${what} must be 1..${max} bytes, got ${len}`, { field: what, length: len, max })
  }
  return s
}

export function checkBKey(type: unknown, bucket: unknown, key: unknown): BKey {
  return {
    type: type === undefined || type === null ? DEFAULT_TYPE : checkName('type', type, LIMITS.maxBucketTypeBytes),
    bucket: checkName('bucket', bucket, LIMITS.maxBucketBytes),
    key: checkName('key', key, LIMITS.maxKeyBytes),
  }
}

export function checkValue(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new SpineError('INVALID_ARGUMENT', 'value must be bytes', { field: 'value' })
  if (value.byteLength > LIMITS.maxValueBytes) {
    throw new SpineError('VALUE_TOO_LARGE', `value is ${value.byteLength} bytes`, { size: value.byteLength, max: LIMITS.maxValueBytes })
  }
  return value
}

export function checkTimeout(t: unknown): number {
  if (t === undefined || t === null) return KV.defaultTimeoutMs
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > KV.maxTimeoutMs) {
    throw new SpineError('INVALID_ARGUMENT', `timeoutMs must be 1..${KV.maxTimeoutMs}`, { field: 'timeoutMs', value: t })
  }
  return t
}

export function checkQuorumSpec(name: string, v: unknown): QuorumSpec | undefined {
  if (v === undefined || v === null) return undefined
  if (!isQuorumSpec(v)) {
    throw new SpineError('INVALID_QUORUM', `${name} must be a number or one|quorum|all|default`, { name, value: wireText(v) })
  }
  return v
}
