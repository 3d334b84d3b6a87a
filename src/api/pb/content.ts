/**
 * RpbContent, both ways. Out: one per sibling, with Riak's vtag (the HTTP port's, so both ports
 * name a sibling alike), last_mod in seconds and microseconds, user metadata, and `deleted` on a
 * tombstone, and its secondary index entries. In: the value, its metadata and index entries
 * (checked as the HTTP port checks X-Riak-Index-*, kv/contentExtras.ts); what spinekv does not
 * take on this port (links, a content encoding) is refused rather than dropped, so a client never
 * believes it kept something it did not.
 */
import { SpineError } from '../../shared/errors.js'
import type { Sibling, SiblingContent } from '../../core/object.js'
import { parseMeta } from '../../kv/forward.js'
import { checkValue } from '../../kv/request.js'
import { indexEntry, normalIndexes } from '../../kv/contentExtras.js'
import { vtagOf } from '../riakNames.js'

export interface RpbPair {
  key: Uint8Array
  value?: Uint8Array
}

export interface RpbContent {
  value: Uint8Array
  content_type?: Uint8Array
  charset?: Uint8Array
  content_encoding?: Uint8Array
  vtag?: Uint8Array
  links?: unknown[]
  last_mod?: number
  last_mod_usecs?: number
  usermeta?: RpbPair[]
  indexes?: RpbPair[]
  deleted?: boolean
}

const DEFAULT_TYPE = 'application/octet-stream'
const CHARSET = /;\s*charset=([^;]+)$/i

/** A UTF-8 field from the wire; bytes that are not UTF-8 would not survive as a string, so they are refused. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export function utf8Field(name: string, b: Uint8Array): string {
  try {
    return UTF8.decode(b)
  } catch {
    throw new SpineError('INVALID_ARGUMENT', `${name} must be UTF-8 text`, { field: name })
  }
}

function text(s: string): Buffer {
  return Buffer.from(s, 'utf8')
}

export function contentOut(s: Sibling, head: boolean): RpbContent {
  // A charset given on the way in was kept in the content type, as HTTP carries it; split it out again.
  const m = CHARSET.exec(s.contentType)
  const type = m ? s.contentType.slice(0, m.index) : s.contentType
  const out: RpbContent = {
    value: head ? new Uint8Array(0) : s.value,
    content_type: text(type === '' ? DEFAULT_TYPE : type),
    vtag: text(vtagOf(s)),
    last_mod: Math.floor(s.lastModified / 1000),
    last_mod_usecs: (s.lastModified % 1000) * 1000,
    usermeta: Object.entries(s.meta).map(([key, value]) => ({ key: text(key), value: text(value) })),
  }
  if (m) out.charset = text(m[1]!.trim())
  if (s.indexes && s.indexes.length > 0) out.indexes = s.indexes.map(([f, v]) => ({ key: text(f), value: text(v) }))
  if (s.deleted) out.deleted = true
  return out
}

/** What a put stores from a client's RpbContent (the vnode stamps last-modified). */
export function contentIn(c: RpbContent): Omit<SiblingContent, 'lastModified'> {
  if ((c.links?.length ?? 0) > 0) {
    throw new SpineError('INVALID_ARGUMENT', 'links (RpbContent.links) are not stored by spinekv; the object was not stored', { field: 'links' })
  }
  if (c.content_encoding !== undefined && c.content_encoding.byteLength > 0) {
    throw new SpineError('INVALID_ARGUMENT', 'content_encoding is not stored by spinekv; send the value decoded, or name the encoding in usermeta', { field: 'content_encoding' })
  }
  const type = c.content_type !== undefined && c.content_type.byteLength > 0 ? utf8Field('content_type', c.content_type) : DEFAULT_TYPE
  const charset = c.charset !== undefined && c.charset.byteLength > 0 ? utf8Field('charset', c.charset) : undefined
  const meta: Record<string, string> = {}
  for (const p of c.usermeta ?? []) meta[utf8Field('usermeta key', p.key)] = p.value === undefined ? '' : utf8Field('usermeta value', p.value)
  const indexes = normalIndexes((c.indexes ?? []).map((p) => indexEntry(utf8Field('index field', p.key), p.value === undefined ? '' : utf8Field('index value', p.value))))
  return {
    value: checkValue(c.value),
    contentType: charset === undefined ? type : `${type}; charset=${charset}`,
    meta: parseMeta(meta),
    deleted: false,
    ...(indexes.length > 0 ? { indexes } : {}),
  }
}
