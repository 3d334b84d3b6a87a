/**
 * Riak's secondary index entries and links on a sibling, checked the same way whichever port or
 * peer they come from. Stored with the object (src/core/objectCodec.ts); querying indexes is a
 * separate feature. Index fields are lower case and end `_bin` or `_int`; an `_int` value is a
 * whole number, kept in its canonical decimal form so "007" and "7" are one entry.
 */
import { SpineError } from '../shared/errors.js'
import type { SiblingContent } from '../core/object.js'
import { LIMITS } from '../config.js'

export type IndexEntry = [string, string]
export type Link = [string, string, string]
export type ContentExtras = Pick<SiblingContent, 'indexes' | 'links'>

const FIELD = /^[a-z0-9_.$:@!-]+_(bin|int)$/
const INT = /^[+-]?\d{1,64}$/

function term(what: string, v: unknown): string {
  if (typeof v !== 'string') throw new SpineError('INVALID_ARGUMENT', `${what} must be a string`, { field: what })
  if (Buffer.byteLength(v, 'utf8') > LIMITS.maxIndexTermBytes) {
    throw new SpineError('INVALID_ARGUMENT', `${what} is longer than ${LIMITS.maxIndexTermBytes} bytes`, { field: what, max: LIMITS.maxIndexTermBytes })
  }
  return v
}

/** One index entry: the field lower-cased and checked, an _int value made canonical. */
export function indexEntry(field: string, value: string): IndexEntry {
  const f = term('index field', field).toLowerCase()
  if (!FIELD.test(f)) throw new SpineError('INVALID_ARGUMENT', `index field ${JSON.stringify(field)} must end in _bin or _int`, { field: 'indexes', index: field })
  const v = term('index value', value)
  if (f.endsWith('_bin')) return [f, v]
  const t = v.trim()
  if (!INT.test(t)) throw new SpineError('INVALID_ARGUMENT', `index ${f} takes whole numbers, not ${JSON.stringify(v)}`, { field: 'indexes', index: f, value: v })
  return [f, BigInt(t).toString()]
}

/** Sorted and without duplicates, as Riak keeps them; at most LIMITS.maxIndexEntries. */
export function normalIndexes(entries: IndexEntry[]): IndexEntry[] {
  const seen = new Map<string, IndexEntry>()
  for (const e of entries) seen.set(`${e[0]}\0${e[1]}`, e)
  if (seen.size > LIMITS.maxIndexEntries) {
    throw new SpineError('INVALID_ARGUMENT', `${seen.size} index entries, more than ${LIMITS.maxIndexEntries}`, { field: 'indexes', entries: seen.size, max: LIMITS.maxIndexEntries })
  }
  return [...seen.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
}

export function checkLinks(links: Link[]): Link[] {
  if (links.length > LIMITS.maxLinks) {
    throw new SpineError('INVALID_ARGUMENT', `${links.length} links, more than ${LIMITS.maxLinks}`, { field: 'links', links: links.length, max: LIMITS.maxLinks })
  }
  return links.map(([b, k, t]) => [term('link bucket', b), term('link key', k), term('link tag', t)])
}

function tuples(v: unknown, width: number, what: string): string[][] {
  if (!Array.isArray(v) || !v.every((e) => Array.isArray(e) && e.length === width)) {
    throw new SpineError('INVALID_ARGUMENT', `${what} must be a list of ${width}-element lists`, { field: what })
  }
  return v as string[][]
}

/**
 * `indexes` and `links` from a wire map (a forwarded put, a replica write), checked; absent or
 * empty ones are left out so the object encodes as one without them.
 */
export function parseExtras(v: Record<string, unknown>): ContentExtras {
  const out: ContentExtras = {}
  if (v.indexes !== undefined && v.indexes !== null) {
    const entries = normalIndexes(tuples(v.indexes, 2, 'indexes').map(([f, x]) => indexEntry(f as string, x as string)))
    if (entries.length > 0) out.indexes = entries
  }
  if (v.links !== undefined && v.links !== null) {
    const links = checkLinks(tuples(v.links, 3, 'links') as Link[])
    if (links.length > 0) out.links = links
  }
  return out
}

/**
 * A value's application index terms as a peer sends them (undefined: none). Only cluster messages
 * carry them: the coordinator's application (patient records) computes them, never a client.
 */
export function checkTerms(v: unknown): readonly string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.length > LIMITS.maxTerms) {
    throw new SpineError('INVALID_ARGUMENT', `terms must be a list of at most ${LIMITS.maxTerms} terms`, { field: 'terms', max: LIMITS.maxTerms })
  }
  return v.map((t: unknown) => term('term', t))
}
