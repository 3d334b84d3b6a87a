/**
 * HTTP conditional requests on Riak objects, judged against the vtag (ETag) and Last-Modified of
 * the stored value, as Riak's webmachine resource does. GET: If-None-Match, else
 * If-Modified-Since, may answer 304. PUT: If-Match, If-None-Match, If-Unmodified-Since,
 * If-Modified-Since and X-Riak-If-Not-Modified (the base64 vclock the object must still have)
 * refuse the write with 412 when not met. A read then a write, not atomic (as in Riak).
 */
import { SpineError } from '../../../shared/errors.js'
import type { Sibling } from '../../../core/object.js'
import { decodeContext } from '../../../core/objectCodec.js'
import { equal, type VClock } from '../../../core/vclock.js'
import { vtagOf } from '../../riakNames.js'
import { contextHeader, header, type Headers } from './headers.js'

const PUT_CONDITIONS = ['if-match', 'if-none-match', 'if-unmodified-since', 'if-modified-since', 'x-riak-if-not-modified'] as const

/** `*`, or the entity tags listed (weak ones compare by their tag, as If-None-Match does). */
function tags(v: string): '*' | string[] {
  if (v.trim() === '*') return '*'
  return v.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1')).filter((t) => t !== '')
}

function matches(v: string, live: Sibling[]): boolean {
  const want = tags(v)
  if (want === '*') return live.length > 0
  return live.some((s) => want.includes(vtagOf(s)))
}

/** HTTP dates have whole seconds: compare the stored time at that resolution. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000)
}

function dateHeader(h: Headers, name: string): number | undefined {
  const v = header(h, name)
  if (v === undefined) return undefined
  const t = Date.parse(v)
  // An unparseable date is ignored, as RFC 9110 says for If-Modified-Since and If-Unmodified-Since.
  return Number.isNaN(t) ? undefined : seconds(t)
}

function newest(live: Sibling[]): number {
  return seconds(Math.max(...live.map((s) => s.lastModified)))
}

/** A GET that may answer 304: the client's copy (named by ETag or date) is the stored one. */
export function notModified(h: Headers, s: Sibling): boolean {
  const inm = header(h, 'if-none-match')
  if (inm !== undefined) return matches(inm, [s])
  const since = dateHeader(h, 'if-modified-since')
  return since !== undefined && seconds(s.lastModified) <= since
}

export function hasPutConditions(h: Headers): boolean {
  return PUT_CONDITIONS.some((n) => h[n] !== undefined)
}

/** Checked before the write's read, so a malformed X-Riak-If-Not-Modified is INVALID_CONTEXT up front. */
export function notModifiedContext(h: Headers): Uint8Array | null {
  return contextHeader(h, 'x-riak-if-not-modified')
}

function failed(condition: string, detail: string): SpineError {
  return new SpineError('CONDITION_NOT_MET', `${condition}: ${detail}; nothing was stored`, { condition })
}

/** Throws CONDITION_NOT_MET naming the first condition the stored object does not meet. */
export function checkPutConditions(h: Headers, live: Sibling[], context: VClock, ifNotModified: Uint8Array | null): void {
  const im = header(h, 'if-match')
  if (im !== undefined && !(tags(im) === '*' ? live.length > 0 : live.length === 1 && matches(im, live))) {
    throw failed('If-Match', live.length === 0 ? 'no value is stored' : 'the stored value has another ETag')
  }
  const inm = header(h, 'if-none-match')
  if (inm !== undefined && matches(inm, live)) throw failed('If-None-Match', tags(inm) === '*' ? 'a value is already stored' : 'the stored value has that ETag')
  const ius = dateHeader(h, 'if-unmodified-since')
  if (ius !== undefined && live.length > 0 && newest(live) > ius) throw failed('If-Unmodified-Since', 'the stored value was modified after that date')
  const ims = dateHeader(h, 'if-modified-since')
  if (ims !== undefined && live.length > 0 && newest(live) <= ims) throw failed('If-Modified-Since', 'the stored value was not modified after that date')
  if (ifNotModified !== null) {
    if (live.length === 0) throw failed('X-Riak-If-Not-Modified', 'no value is stored')
    if (!equal(decodeContext(ifNotModified), context)) throw failed('X-Riak-If-Not-Modified', 'the stored object has changed since that vclock')
  }
}
