/** A put as it travels when a node outside the preference list hands it to a primary. */
import { SpineError } from '../shared/errors.js'
import type { BKey } from '../core/hash.js'
import type { SiblingContent } from '../core/object.js'
import { LIMITS } from '../config.js'
import { checkTerms, parseExtras } from './contentExtras.js'
import { checkBKey, checkBoolean, checkQuorumSpec, checkTimeout, checkValue, type WriteOptions } from './request.js'

export interface PutRequest {
  bk: BKey
  content: Omit<SiblingContent, 'lastModified'>
  opts: WriteOptions
}

export function encodeForward(req: PutRequest): Record<string, unknown> {
  return { ...req.bk, ...req.content, opts: req.opts }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function parseMeta(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {}
  if (!isRecord(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new SpineError('INVALID_ARGUMENT', 'meta must map strings to strings', { field: 'meta' })
  }
  const entries = Object.keys(v).length
  if (entries > LIMITS.maxUserMeta) {
    throw new SpineError('INVALID_ARGUMENT', `meta has ${entries} entries, more than ${LIMITS.maxUserMeta}`, { field: 'meta', entries, max: LIMITS.maxUserMeta })
  }
  return v as Record<string, string>
}

/** A causal context as it came from a client: bytes, or null for none (decoded later, by the vnode). */
export function checkContext(v: unknown): Uint8Array | null {
  if (v === undefined || v === null) return null
  if (!(v instanceof Uint8Array)) throw new SpineError('INVALID_CONTEXT', 'context must be bytes')
  return v
}

export function parseWriteOptions(v: unknown): WriteOptions {
  if (v === undefined || v === null) return {}
  if (!isRecord(v)) throw new SpineError('INVALID_ARGUMENT', 'options must be a map', { field: 'opts' })
  const context = checkContext(v.context)
  return {
    w: checkQuorumSpec('w', v.w),
    dw: checkQuorumSpec('dw', v.dw),
    pw: checkQuorumSpec('pw', v.pw),
    timeoutMs: checkTimeout(v.timeoutMs),
    context,
    returnBody: v.returnBody === true,
    sloppyQuorum: checkBoolean('sloppyQuorum', v.sloppyQuorum),
    nodeConfirms: checkQuorumSpec('nodeConfirms', v.nodeConfirms),
  }
}

export function parseForward(v: unknown): PutRequest {
  if (!isRecord(v)) throw new SpineError('INVALID_ARGUMENT', 'put request must be a map')
  const contentType = v.contentType ?? 'application/octet-stream'
  if (typeof contentType !== 'string') throw new SpineError('INVALID_ARGUMENT', 'contentType must be a string')
  return {
    bk: checkBKey(v.type, v.bucket, v.key),
    content: { value: checkValue(v.value), contentType, meta: parseMeta(v.meta), deleted: v.deleted === true, ...parseExtras(v) },
    opts: parseWriteOptions(v.opts),
  }
}

/** A put a peer forwarded: as a client's, plus the index terms its coordinator computed. */
export function parseForwardFromPeer(v: unknown): PutRequest {
  const req = parseForward(v)
  const terms = checkTerms(isRecord(v) ? v.terms : undefined)
  if (terms !== undefined) req.content.terms = terms
  return req
}
