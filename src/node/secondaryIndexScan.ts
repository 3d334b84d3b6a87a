/**
 * A 2i query's share on one node (Riak's 2i coverage fold): the results of the vnodes its coverage
 * plan (core/coverage.ts) names, each answering only for the hash partitions the plan gives it, so
 * each key is counted on one node only; sorted (term, key) and at most `limit` of them.
 *
 * A `_bin`/`_int` field reads one range of the node's index partition, already in result order,
 * and stops at `limit`. `$key` and `$bucket` are not indexed (every write would pay for an entry):
 * they read the bucket's range of each planned vnode, as Riak folds keys, and sort what matches.
 * Tombstones are not keys to a reader, so `$key` and `$bucket` leave them out. Either way a node
 * reads at most INDEX.maxScanEntries entries for one query, or refuses it with QUERY_TOO_LARGE.
 */
import { INDEX } from '../config.js'
import { decodeBKey, partitionOf } from '../core/hash.js'
import { comparePositions, queryFromWire, type IndexQuery, type Position } from '../kv/indexQuery.js'
import { SpineError } from '../shared/errors.js'
import type { Backend } from '../storage/backend.js'
import { isLive, lengthPrefixed, rangeEnd } from './keyListing.js'
import { INDEX_PARTITION } from './partitionSpace.js'
import { fieldPrefix, parseEntry, scanRange } from './secondaryIndexEntries.js'

export interface IndexPlanEntry {
  readonly vnode: number
  readonly partitions: readonly number[]
}

function tooLarge(): SpineError {
  return new SpineError('QUERY_TOO_LARGE', `the query reads more than ${INDEX.maxScanEntries} entries on one node: narrow its range or drop term_regex`, { maxScanEntries: INDEX.maxScanEntries })
}

export async function scanIndex(backend: Backend, q: number, query: IndexQuery, plan: readonly IndexPlanEntry[], limit: number): Promise<Position[]> {
  const answers = new Map(plan.map((e) => [e.vnode, new Set(e.partitions)]))
  const regex = query.termRegex === undefined ? undefined : new RegExp(query.termRegex, 'u')
  if (query.field === '$key' || query.field === '$bucket') return scanKeys(backend, q, query, answers, regex, limit)
  const prefixLength = fieldPrefix(query.type, query.bucket, query.field).length
  const out: Position[] = []
  let read = 0
  for await (const [entry] of backend.fold(INDEX_PARTITION, scanRange(query.type, query.bucket, query.field, query.start, query.end, query.after))) {
    if (++read > INDEX.maxScanEntries) throw tooLarge()
    const e = parseEntry(entry, query.field, prefixLength)
    const mine = answers.get(e.vnode)
    // Another vnode's copy, or a key another vnode answers for: each key is counted where the plan says.
    if (!mine || !mine.has(partitionOf({ type: query.type, bucket: query.bucket, key: e.key }, q))) continue
    if (regex && !regex.test(e.term)) continue
    out.push([e.term, e.key])
    if (out.length >= limit) break
  }
  return out
}

async function scanKeys(backend: Backend, q: number, query: IndexQuery, answers: Map<number, Set<number>>, regex: RegExp | undefined, limit: number): Promise<Position[]> {
  const prefix = lengthPrefixed(query.type, query.bucket)
  const byKey = query.field === '$key'
  const found: Position[] = []
  let read = 0
  for (const [vnode, parts] of answers) {
    for await (const [storageKey, raw] of backend.fold(vnode, { after: prefix, before: rangeEnd(prefix) })) {
      if (++read > INDEX.maxScanEntries) throw tooLarge()
      const bk = decodeBKey(storageKey)
      if (!parts.has(partitionOf(bk, q))) continue
      const p: Position = byKey ? [bk.key, bk.key] : ['', bk.key]
      if (byKey && (comparePositions('$key', p, [query.start, query.start]) < 0 || comparePositions('$key', p, [query.end, query.end]) > 0)) continue
      if (query.after && comparePositions(query.field, p, query.after) <= 0) continue
      if (regex && !regex.test(bk.key)) continue
      if (isLive(raw)) found.push(p)
    }
  }
  return found.sort((a, b) => comparePositions(query.field, a, b)).slice(0, limit)
}

/** A peer coordinator's request: the query checked again here, the plan's partitions within the ring. */
export function serveIndexQuery(backend: Backend, q: number, wireQuery: unknown, plan: readonly IndexPlanEntry[], limit: number): Promise<Position[]> {
  const query = queryFromWire(wireQuery)
  for (const e of plan) {
    if (e.vnode < 0 || e.vnode >= q || e.partitions.some((p) => p < 0 || p >= q)) {
      throw new SpineError('INVALID_ARGUMENT', `index query plan names a partition outside 0..${q - 1}`, { vnode: e.vnode })
    }
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > INDEX.maxResults + 1) throw new SpineError('INVALID_ARGUMENT', 'index query limit out of range', { limit })
  return scanIndex(backend, q, query, plan, limit)
}
