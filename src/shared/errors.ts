/**
 * One registry of error codes. Every failure that crosses a module or a wire boundary is a
 * SpineError with one of these codes and a data object; docs/api.md lists each code and
 * test/docs.test.ts checks that it does. Codes are stable: clients switch on them.
 */

export const ERROR_CODES = {
  // quorum outcomes
  R_UNSATISFIED: { status: 503, exit: 1, summary: 'fewer replicas answered a read than R required' },
  PR_UNSATISFIED: { status: 503, exit: 1, summary: 'fewer primary replicas answered a read than PR required' },
  W_UNSATISFIED: { status: 503, exit: 1, summary: 'fewer replicas acknowledged a write than W required' },
  DW_UNSATISFIED: { status: 503, exit: 1, summary: 'fewer replicas durably stored a write than DW required' },
  PW_UNSATISFIED: { status: 503, exit: 1, summary: 'fewer primary replicas acknowledged a write than PW required' },
  NODE_CONFIRMS_UNSATISFIED: { status: 503, exit: 1, summary: 'fewer distinct physical nodes acknowledged a write than nodeConfirms required' },
  INSUFFICIENT_VNODES: { status: 503, exit: 1, summary: 'a query that must see every key (patient search) found a partition with no primary up' },
  TIMEOUT: { status: 504, exit: 1, summary: 'the operation did not finish within its timeout' },
  NOT_FOUND: { status: 404, exit: 3, summary: 'no live value is stored under the key' },
  // bad input
  INVALID_ARGUMENT: { status: 400, exit: 1, summary: 'a request field is missing or malformed' },
  INVALID_QUORUM: { status: 400, exit: 1, summary: 'a quorum value is not one, quorum, all, default or a number within its range for N' },
  KEY_TOO_LONG: { status: 400, exit: 1, summary: 'the key, bucket or bucket type is empty or longer than its limit' },
  VALUE_TOO_LARGE: { status: 413, exit: 1, summary: 'the value is larger than LIMITS.maxValueBytes' },
  OBJECT_TOO_LARGE: { status: 413, exit: 1, summary: 'the stored object with this write would exceed LIMITS.maxObjectBytes' },
  TOO_MANY_SIBLINGS: { status: 409, exit: 1, summary: 'the write would leave more siblings than LIMITS.maxSiblings' },
  INVALID_CONTEXT: { status: 400, exit: 1, summary: 'the causal context is not one this store produced' },
  CONDITION_NOT_MET: { status: 412, exit: 1, summary: 'a conditional write (If-Match, If-None-Match, If-Unmodified-Since, X-Riak-If-Not-Modified) found the stored object not as the condition required' },
  QUERY_TOO_LARGE: { status: 413, exit: 1, summary: 'a secondary index query would return more than INDEX.maxResults results (page it with max_results) or read more than INDEX.maxScanEntries entries on one node' },
  UNKNOWN_OPERATION: { status: 400, exit: 1, summary: 'the request names an operation this node does not know' },
  // transport and node state
  UNREACHABLE: { status: 503, exit: 1, summary: 'no connection could be made to the node' },
  NO_SEED_ANSWERED: { status: 503, exit: 1, summary: 'none of the seed nodes given to connect() answered' },
  FRAME_TOO_LARGE: { status: 413, exit: 1, summary: 'a frame was larger than NET.maxFrameBytes; the connection was closed' },
  MALFORMED_FRAME: { status: 400, exit: 1, summary: 'a frame could not be decoded; the connection was closed' },
  CONNECTION_CLOSED: { status: 503, exit: 1, summary: 'the connection closed before the reply arrived' },
  OVERLOADED: { status: 503, exit: 1, summary: 'a queue limit was reached; retry later' },
  HINTED_STORE_FULL: { status: 503, exit: 1, summary: 'a fallback holds HANDOFF.maxHintedKeys hinted keys and refuses more' },
  RING_MISMATCH: { status: 409, exit: 1, summary: 'a handoff came from a node with a different ring; the sender retries later' },
  NOT_OWNER: { status: 409, exit: 1, summary: 'the node does not hold the partition the request named' },
  INVALID_MEMBERSHIP: { status: 409, exit: 1, summary: 'a membership change that the ring does not allow now (not a member, already staged, moves still running, last member)' },
  NO_CLAIMANT: { status: 503, exit: 1, summary: 'no valid member is up to act as claimant for a ring change' },
  SHUTTING_DOWN: { status: 503, exit: 1, summary: 'the node is stopping' },
  INTERNAL: { status: 500, exit: 1, summary: 'an unexpected fault; the node logged it and kept running' },
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export type ErrorData = Record<string, unknown>

export class SpineError extends Error {
  readonly code: ErrorCode
  readonly data: ErrorData

  constructor(code: ErrorCode, message?: string, data: ErrorData = {}) {
    super(message ?? ERROR_CODES[code].summary)
    this.name = 'SpineError'
    this.code = code
    this.data = data
  }

  /** The wire form: plain data that msgpack carries and fromWire restores. */
  toWire(): WireError {
    return { code: this.code, message: this.message, data: this.data }
  }

  static fromWire(w: WireError): SpineError {
    const code = isErrorCode(w.code) ? w.code : 'INTERNAL'
    return new SpineError(code, w.message, w.data ?? {})
  }
}

export interface WireError {
  code: string
  message: string
  data?: ErrorData
}

export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, s)
}

/** Any thrown thing as a SpineError; unknown faults become INTERNAL with their message kept. */
export function toSpineError(e: unknown): SpineError {
  if (e instanceof SpineError) return e
  const message = e instanceof Error ? e.message : String(e)
  return new SpineError('INTERNAL', message)
}
