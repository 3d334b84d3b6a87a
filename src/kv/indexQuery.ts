/**
 * A Riak secondary index (2i) query as both ports give it, checked once here: an exact match or a
 * range on a `_bin` or `_int` field, or on `$key` (the keys themselves) or `$bucket` (every key of
 * the bucket); return_terms, max_results with an opaque continuation, term_regex. Riak's semantics:
 * - results are (term, key) pairs sorted by term then key (byte order; `_int` terms numerically),
 *   one per matching entry, so a range can name a key once per term of it in the range;
 * - return_terms applies to range queries only (an exact match's term is the one asked for, and
 *   `$bucket` has none); on `$key` the term is the key;
 * - term_regex applies to range queries on `_bin` and `$key`, never `_int`;
 * - a continuation is given when more results follow the page (Riak gives one whenever the page
 *   is full, even when nothing follows; here a full last page ends the query).
 * Also the merge of the nodes' sorted shares (pure), so it is tested without a cluster.
 */
import { SpineError } from '../shared/errors.js'
import { INDEX, LIMITS } from '../config.js'
import { indexEntry } from './contentExtras.js'

export type Position = readonly [term: string, key: string]

export interface IndexQuery {
  readonly type: string
  readonly bucket: string
  /** A lower-case `_bin`/`_int` field, `$key` or `$bucket`. */
  readonly field: string
  /** Terms from start to end, both included (an exact match: the same); `_int` canonical. */
  readonly start: string
  readonly end: string
  readonly range: boolean
  readonly returnTerms: boolean
  /** Results on one page (max_results), or undefined: all of them, up to INDEX.maxResults. */
  readonly maxResults: number | undefined
  /** Resume strictly after this (term, key): a decoded continuation. */
  readonly after: Position | undefined
  readonly termRegex: string | undefined
}

export interface IndexQueryArgs {
  type: string
  bucket: string
  field: string
  start: string
  /** Absent: an exact match on start. */
  end?: string
  returnTerms?: boolean
  maxResults?: number
  continuation?: string
  termRegex?: string
}

export interface IndexPage {
  readonly results: Position[]
  /** Present when more results follow: pass it back for the next page. */
  readonly continuation?: string
  /** Whether the results name their terms (return_terms on a range query). */
  readonly withTerms: boolean
}

const bad = (message: string, data: Record<string, unknown>): SpineError => new SpineError('INVALID_ARGUMENT', message, data)

function checkRegex(re: string): string {
  if (Buffer.byteLength(re, 'utf8') > INDEX.maxRegexBytes) throw bad(`term_regex is longer than ${INDEX.maxRegexBytes} bytes`, { field: 'term_regex', max: INDEX.maxRegexBytes })
  // A group holding a quantifier, itself quantified ((a+)+, (a|aa)*): the shape whose backtracking
  // grows exponentially with the term. JavaScript's engine backtracks, as Riak's (PCRE) does; refusing
  // the shape keeps one query's cost per term bounded by the term's length (LIMITS.maxIndexTermBytes).
  const plainGroups = re.replace(/\(\?(?:[:=!]|<[=!]?[A-Za-z0-9_]*>?)/g, '(')
  if (/\([^)]*[*+?}|][^)]*\)[*+?{]/.test(plainGroups)) throw bad('term_regex has a quantified group holding a quantifier or alternation; rewrite it without nesting', { field: 'term_regex' })
  try {
    new RegExp(re, 'u')
  } catch (e) {
    throw bad(`term_regex is not a regular expression: ${(e as Error).message}`, { field: 'term_regex' })
  }
  return re
}

/** A term of `field` as given: `_int` made canonical (so "007" is 7), `$key` checked as a key. */
function termOf(field: string, v: string, what: string): string {
  if (field === '$key' || field === '$bucket') {
    if (Buffer.byteLength(v, 'utf8') > LIMITS.maxKeyBytes) throw bad(`${what} is longer than a key may be`, { field: what, max: LIMITS.maxKeyBytes })
    return v
  }
  return indexEntry(field, v)[1]
}

export function encodeContinuation(p: Position): string {
  return Buffer.from(JSON.stringify(p), 'utf8').toString('base64url')
}

export function decodeContinuation(c: string): Position {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'))
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]]
  } catch {
    // fall through: not one of ours
  }
  throw bad('continuation is not one this store gave', { field: 'continuation' })
}

export function checkIndexQuery(a: IndexQueryArgs): IndexQuery {
  const field = a.field === '$key' || a.field === '$bucket' ? a.field : indexEntry(a.field, '0')[0]
  const range = a.end !== undefined && field !== '$bucket'
  const start = field === '$bucket' ? '' : termOf(field, a.start, 'index value')
  const end = range ? termOf(field, a.end!, 'range end') : start
  if (range && compareTerms(field, start, end) > 0) throw bad('a range query starts after it ends', { field: 'range', start, end })
  if (a.maxResults !== undefined && (!Number.isInteger(a.maxResults) || a.maxResults < 1 || a.maxResults > INDEX.maxResults)) {
    throw bad(`max_results must be a whole number from 1 to ${INDEX.maxResults}`, { field: 'max_results', max: INDEX.maxResults })
  }
  if (a.termRegex !== undefined) {
    if (!range) throw bad('term_regex applies to range queries only', { field: 'term_regex' })
    if (field.endsWith('_int')) throw bad('term_regex cannot be used on an integer index', { field: 'term_regex' })
    checkRegex(a.termRegex)
  }
  return {
    type: a.type,
    bucket: a.bucket,
    field,
    start,
    end,
    range,
    returnTerms: range && a.returnTerms === true,
    maxResults: a.maxResults,
    after: a.continuation === undefined || a.continuation === '' ? undefined : decodeContinuation(a.continuation),
    termRegex: a.termRegex,
  }
}

function compareBytes(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/** Riak's term order: numeric for `_int`, byte order otherwise. */
export function compareTerms(field: string, a: string, b: string): number {
  if (!field.endsWith('_int')) return compareBytes(a, b)
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

export function comparePositions(field: string, a: Position, b: Position): number {
  return compareTerms(field, a[0], b[0]) || compareBytes(a[1], b[1])
}

/**
 * The page from every node's share (each sorted, each at most `limit` long): merged in order,
 * duplicates (the same pair from two replicas) once, cut at `limit` - 1 when a page size was asked
 * (limit = maxResults + 1, so a longer merge says more follow). Without max_results, more than
 * INDEX.maxResults results is refused rather than cut short.
 */
export function mergeShares(q: IndexQuery, shares: readonly (readonly Position[])[]): IndexPage {
  // Each term parsed (or encoded) once, not once per comparison: a merge sorts up to nodes × (page + 1) pairs.
  const isInt = q.field.endsWith('_int')
  const decorated = shares.flat().map((p) => ({ p, t: isInt ? BigInt(p[0]) : Buffer.from(p[0], 'utf8'), k: Buffer.from(p[1], 'utf8') }))
  decorated.sort((a, b) => {
    const byTerm = typeof a.t === 'bigint' ? (a.t < (b.t as bigint) ? -1 : a.t > (b.t as bigint) ? 1 : 0) : Buffer.compare(a.t, b.t as Buffer)
    return byTerm || Buffer.compare(a.k, b.k)
  })
  const all = decorated.map((d) => d.p)
  const results: Position[] = []
  for (const p of all) {
    const last = results[results.length - 1]
    if (last && last[0] === p[0] && last[1] === p[1]) continue
    results.push(p)
  }
  const page = q.maxResults ?? INDEX.maxResults
  if (results.length <= page) return { results, withTerms: q.returnTerms }
  if (q.maxResults === undefined) {
    throw new SpineError('QUERY_TOO_LARGE', `the query finds more than ${INDEX.maxResults} results: page it with max_results`, { maxResults: INDEX.maxResults })
  }
  const kept = results.slice(0, page)
  return { results: kept, continuation: encodeContinuation(kept[kept.length - 1]!), withTerms: q.returnTerms }
}

/** How many results each node returns at most: one more than a page, so the merge knows whether more follow. */
export function shareLimit(q: IndexQuery): number {
  return (q.maxResults ?? INDEX.maxResults) + 1
}

/** The query as a node is asked it; the node checks it again (checkIndexQuery), trusting nothing it was sent. */
export interface WireIndexQuery {
  type: string
  bucket: string
  field: string
  start: string
  end: string | null
  termRegex: string | null
  after: [string, string] | null
}

export function queryToWire(q: IndexQuery): WireIndexQuery {
  return { type: q.type, bucket: q.bucket, field: q.field, start: q.start, end: q.range ? q.end : null, termRegex: q.termRegex ?? null, after: q.after ? [q.after[0], q.after[1]] : null }
}

export function queryFromWire(v: unknown): IndexQuery {
  const w = (typeof v === 'object' && v !== null ? v : {}) as Partial<Record<keyof WireIndexQuery, unknown>>
  const str = (x: unknown, name: string): string => {
    if (typeof x !== 'string') throw bad(`index query ${name} must be a string`, { field: name })
    return x
  }
  const opt = (x: unknown, name: string): string | undefined => (x === null || x === undefined ? undefined : str(x, name))
  if (w.after !== null && w.after !== undefined && !(Array.isArray(w.after) && w.after.length === 2)) throw bad('index query after must be [term, key]', { field: 'after' })
  const after = Array.isArray(w.after) ? encodeContinuation([str(w.after[0], 'after'), str(w.after[1], 'after')]) : undefined
  const args: IndexQueryArgs = { type: str(w.type, 'type'), bucket: str(w.bucket, 'bucket'), field: str(w.field, 'field'), start: str(w.start, 'start') }
  const end = opt(w.end, 'end')
  const termRegex = opt(w.termRegex, 'termRegex')
  return checkIndexQuery({ ...args, ...(end !== undefined ? { end } : {}), ...(termRegex !== undefined ? { termRegex } : {}), ...(after !== undefined ? { continuation: after } : {}) })
}
