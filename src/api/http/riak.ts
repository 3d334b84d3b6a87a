/**
 * Riak's HTTP shapes, as plain functions: query parameters and headers in (checked with the same
 * functions the client port uses), sibling headers, vtags and multipart bodies out.
 */
import { createHash, randomBytes } from 'node:crypto'
import { SpineError } from '../../shared/errors.js'
import type { Sibling } from '../../core/object.js'
import { decodeContext, encodeContext } from '../../core/objectCodec.js'
import type { QuorumSpec } from '../../core/quorum.js'
import type { VClock } from '../../core/vclock.js'
import { parseMeta } from '../../kv/forward.js'
import { checkQuorumSpec, checkTimeout } from '../../kv/request.js'

export type Query = Record<string, unknown>
export type Headers = Record<string, string | string[] | undefined>

/** Parameters a route does not list are refused, so a typo (`R=4`, `retunbody`) is not silently ignored. */
export function allowOnly(q: Query, allowed: readonly string[]): void {
  for (const name of Object.keys(q)) {
    if (!allowed.includes(name)) {
      throw new SpineError('INVALID_ARGUMENT', `unknown query parameter ${JSON.stringify(name)}; this route takes ${allowed.join(', ')}`, {
        field: name,
        allowed,
      })
    }
  }
}

function one(q: Query, name: string): string | undefined {
  const v = q[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string') throw new SpineError('INVALID_ARGUMENT', `query parameter ${name} given more than once`, { field: name })
  return v
}

/** r, pr, w, dw, pw: a decimal number or one|quorum|all|default; the range for N is checked by the coordinator. */
export function quorumParam(q: Query, name: string): QuorumSpec | undefined {
  const v = one(q, name)
  if (v === undefined) return undefined
  return checkQuorumSpec(name, /^\d{1,9}$/.test(v) ? Number(v) : v)
}

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

function header(h: Headers, name: string): string | undefined {
  const v = h[name]
  return Array.isArray(v) ? v.join(', ') : v
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * X-Riak-Vclock: base64 of the opaque context. Decoded here, at the edge, so a malformed one is
 * INVALID_CONTEXT before any coordinator runs. Absent or empty: no context.
 */
export function vclockHeader(h: Headers): Uint8Array | null {
  const v = header(h, 'x-riak-vclock')?.trim()
  if (v === undefined || v === '') return null
  if (!BASE64.test(v)) throw new SpineError('INVALID_CONTEXT', 'X-Riak-Vclock is not base64', { header: 'X-Riak-Vclock' })
  const bytes = Buffer.from(v, 'base64')
  try {
    decodeContext(bytes)
  } catch {
    throw new SpineError('INVALID_CONTEXT', 'X-Riak-Vclock does not decode to a causal context', { header: 'X-Riak-Vclock' })
  }
  return bytes
}

export function vclockOut(context: VClock): string {
  return encodeContext(context).toString('base64')
}

const META_PREFIX = 'x-riak-meta-'

/** X-Riak-Meta-Name: value headers as user metadata (names lower-cased, as Node delivers them). */
export function metaHeaders(h: Headers): Record<string, string> {
  const meta: Record<string, string> = {}
  for (const name of Object.keys(h)) {
    if (name.startsWith('x-riak-index-')) {
      throw new SpineError('INVALID_ARGUMENT', 'secondary indexes (X-Riak-Index-*) are not supported over HTTP', { header: name })
    }
    if (!name.startsWith(META_PREFIX)) continue
    const key = name.slice(META_PREFIX.length)
    if (key === '') throw new SpineError('INVALID_ARGUMENT', 'X-Riak-Meta- header without a name', { header: name })
    meta[key] = header(h, name) ?? ''
  }
  return parseMeta(meta)
}

export function contentTypeHeader(h: Headers): string {
  const v = header(h, 'content-type')?.trim()
  return v === undefined || v === '' ? 'application/octet-stream' : v
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** A value written through the binary client may hold bytes a header cannot carry; those are left out. */
function safeValue(v: string): boolean {
  return FIELD_VALUE.test(v)
}

/** Riak's vtag: names one sibling. Derived from the sibling's dot, so every node gives the same one. */
export function vtagOf(s: Sibling): string {
  return createHash('sha256').update(s.dot.actor).update('\0').update(String(s.dot.counter)).digest('base64url').slice(0, 22)
}

/** Content-Type, Last-Modified, ETag and X-Riak-Meta-* of one sibling. */
export function siblingHeaders(s: Sibling): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['content-type', safeValue(s.contentType) && s.contentType !== '' ? s.contentType : 'application/octet-stream'],
    ['last-modified', new Date(s.lastModified).toUTCString()],
    ['etag', `"${vtagOf(s)}"`],
  ]
  for (const [k, v] of Object.entries(s.meta)) {
    if (TOKEN.test(k) && safeValue(v)) out.push([`${META_PREFIX}${k}`, v])
  }
  return out
}

export function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

/** multipart/mixed of every sibling (Riak's 300 with `Accept: multipart/mixed`). */
export function multipart(siblings: Sibling[]): { boundary: string; body: Buffer } {
  const values = siblings.map((s) => asBuffer(s.value))
  let boundary = randomBytes(18).toString('base64url')
  while (values.some((v) => v.includes(boundary))) boundary = randomBytes(18).toString('base64url')
  const parts: Buffer[] = []
  siblings.forEach((s, i) => {
    const head = siblingHeaders(s)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')
    parts.push(Buffer.from(`--${boundary}\r\n${head}\r\n`, 'latin1'), values[i]!, Buffer.from('\r\n'))
  })
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { boundary, body: Buffer.concat(parts) }
}

/** The text/plain 300 body: "Siblings:" and one vtag per line. */
export function siblingList(siblings: Sibling[]): string {
  return ['Siblings:', ...siblings.map(vtagOf)].join('\n') + '\n'
}

export function accepts(h: Headers, type: string): boolean {
  const v = header(h, 'accept')
  return v !== undefined && v.split(',').some((p) => p.split(';')[0]!.trim().toLowerCase() === type)
}

/** A key for POST without one: 20 URL-safe characters. */
export function newKey(): string {
  return randomBytes(15).toString('base64url')
}
