/**
 * Riak's object headers in: X-Riak-Vclock (checked at the edge, so a bad one is INVALID_CONTEXT
 * before any coordinator runs), Content-Type, X-Riak-Meta-* (user metadata), X-Riak-Index-*
 * (index entries, stored with the object) and Link. Out: the same headers of one sibling.
 */
import { SpineError } from '../../../shared/errors.js'
import type { Sibling } from '../../../core/object.js'
import { decodeContext, encodeContext } from '../../../core/objectCodec.js'
import type { VClock } from '../../../core/vclock.js'
import { indexEntry, normalIndexes, type IndexEntry } from '../../../kv/contentExtras.js'
import { parseMeta } from '../../../kv/forward.js'
import { vtagOf } from '../../riakNames.js'
import { formatLinks, parseLinks } from './links.js'
import type { PathStyle } from './paths.js'

export type Headers = Record<string, string | string[] | undefined>

export function header(h: Headers, name: string): string | undefined {
  const v = h[name]
  return Array.isArray(v) ? v.join(', ') : v
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** A base64 causal context from a header; absent or empty is none. */
export function contextHeader(h: Headers, name: string): Uint8Array | null {
  const v = header(h, name)?.trim()
  if (v === undefined || v === '') return null
  const label = name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())
  if (!BASE64.test(v)) throw new SpineError('INVALID_CONTEXT', `${label} is not base64`, { header: label })
  const bytes = Buffer.from(v, 'base64')
  try {
    decodeContext(bytes)
  } catch {
    throw new SpineError('INVALID_CONTEXT', `${label} does not decode to a causal context`, { header: label })
  }
  return bytes
}

export function vclockHeader(h: Headers): Uint8Array | null {
  return contextHeader(h, 'x-riak-vclock')
}

export function vclockOut(context: VClock): string {
  return encodeContext(context).toString('base64')
}

const META_PREFIX = 'x-riak-meta-'
const INDEX_PREFIX = 'x-riak-index-'

/** X-Riak-Meta-Name: value headers as user metadata (names lower-cased, as Node delivers them). */
export function metaHeaders(h: Headers): Record<string, string> {
  const meta: Record<string, string> = {}
  for (const name of Object.keys(h)) {
    if (!name.startsWith(META_PREFIX)) continue
    const key = name.slice(META_PREFIX.length)
    if (key === '') throw new SpineError('INVALID_ARGUMENT', 'X-Riak-Meta- header without a name', { header: name })
    meta[key] = header(h, name) ?? ''
  }
  return parseMeta(meta)
}

/** X-Riak-Index-field_bin / _int: value[, value...]: entries stored with the object (querying them is not served here). */
export function indexHeaders(h: Headers): IndexEntry[] {
  const entries: IndexEntry[] = []
  for (const name of Object.keys(h)) {
    if (!name.startsWith(INDEX_PREFIX)) continue
    const field = name.slice(INDEX_PREFIX.length)
    for (const v of (header(h, name) ?? '').split(',')) entries.push(indexEntry(field, v.trim()))
  }
  return normalIndexes(entries)
}

/** What a PUT stores besides the value: content type, metadata, index entries and links. */
export function contentHeaders(h: Headers): { contentType: string; meta: Record<string, string>; indexes?: IndexEntry[]; links?: Array<[string, string, string]> } {
  const ct = header(h, 'content-type')?.trim()
  const indexes = indexHeaders(h)
  const links = parseLinks(header(h, 'link'))
  return {
    contentType: ct === undefined || ct === '' ? 'application/octet-stream' : ct,
    meta: metaHeaders(h),
    ...(indexes.length > 0 ? { indexes } : {}),
    ...(links.length > 0 ? { links } : {}),
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/** A value written through the binary client may hold bytes a header cannot carry; those are left out. */
function safeValue(v: string): boolean {
  return FIELD_VALUE.test(v)
}

/** Content-Type, Last-Modified, ETag, X-Riak-Meta-*, X-Riak-Index-* and Link of one sibling. */
export function siblingHeaders(s: Sibling, style: PathStyle, type: string, bucket: string): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['content-type', safeValue(s.contentType) && s.contentType !== '' ? s.contentType : 'application/octet-stream'],
    ['last-modified', new Date(s.lastModified).toUTCString()],
    ['etag', `"${vtagOf(s)}"`],
  ]
  for (const [k, v] of Object.entries(s.meta)) {
    if (TOKEN.test(k) && safeValue(v)) out.push([`${META_PREFIX}${k}`, v])
  }
  const byField = new Map<string, string[]>()
  for (const [f, v] of s.indexes ?? []) byField.set(f, [...(byField.get(f) ?? []), v])
  for (const [f, vs] of byField) {
    if (TOKEN.test(f) && vs.every(safeValue)) out.push([`${INDEX_PREFIX}${f}`, vs.join(', ')])
  }
  out.push(['link', formatLinks(style, type, bucket, s.links ?? [])])
  return out
}
