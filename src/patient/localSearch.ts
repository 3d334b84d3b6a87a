/**
 * A search's work on one node: scan the node's index once per range, keep the entries of the vnodes
 * its coverage plan names whose term carries a birth date the search can match, read each
 * candidate record from that vnode (one replica, as Riak 2i reads: a search is a trace, and the
 * record it returns is then read by NHS number at quorum), and score it. Only the hash partitions
 * the plan gives a vnode are answered, so each record is scored on one node only.
 */
import { decodeBKey, partitionOf } from '../core/hash.js'
import { decodeObject } from '../core/objectCodec.js'
import { INDEX_PARTITION } from '../node/partitionSpace.js'
import type { Backend } from '../storage/backend.js'
import { PATIENT_LIMITS } from './limits.js'
import { mergeSiblings } from './merge.js'
import { searchable } from './restrict.js'
import { MatchCollector, type ScoredPatient } from './score.js'
import { indexScans, termBornInScan } from './indexTerms.js'
import type { PatientSearchQuery } from './searchQuery.js'
import type { Patient } from './record.js'
import { parseIndexEntry, scanBounds, storedPatients } from './storeIndex.js'
import type { Result } from './errors.js'
import { SpineError } from '../shared/errors.js'
import { parseSearchQuery } from './searchQuery.js'
import { encodeLocalResult, type LocalPlanEntry, type LocalSearchResult, type WireSearchReply } from './searchWire.js'

export async function localSearch(backend: Backend, q: number, query: PatientSearchQuery, plan: readonly LocalPlanEntry[]): Promise<LocalSearchResult> {
  const collector = new MatchCollector(query)
  const scans = indexScans(query)
  const seen = new Set<string>()
  let entries = 0
  let candidates = 0
  const answers = new Map(plan.map((e) => [e.vnode, new Set(e.partitions)]))
  search: for (const scan of scans) {
    for await (const [entry] of backend.fold(INDEX_PARTITION, scanBounds(scan))) {
      if (++entries > PATIENT_LIMITS.maxSearchEntries) return tooManyEntries(entries, candidates)
      const { term, vnode, objectKey } = parseIndexEntry(entry)
      if (!termBornInScan(term, scan)) continue
      // Another vnode's copy, or a key another node answers for: each record is read once, where the plan says.
      const mine = answers.get(vnode)
      if (!mine) continue
      const id = Buffer.from(objectKey).toString('latin1')
      if (seen.has(id) || !mine.has(partitionOf(decodeBKey(objectKey), q))) continue
      seen.add(id)
      const patient = await readRecord(backend, vnode, objectKey)
      if (!patient || !searchable(patient, query)) continue
      candidates++
      if (!collector.offer(patient)) break search
    }
  }
  return { result: collector.result(), entries, candidates }
}

/** The record as a read would merge it; undefined if the entry is stale (the record has gone since). */
async function readRecord(backend: Backend, vnode: number, key: Uint8Array): Promise<Patient | undefined> {
  const raw = await backend.get(vnode, key)
  if (!raw) return undefined
  const [first, ...rest] = storedPatients(decodeObject(raw))
  // One sibling is the record as parsed just now, nobody else's: no merge, and no copy to make.
  if (rest.length === 0) return first
  return first ? mergeSiblings([first, ...rest]).patient : undefined
}

function tooManyEntries(entries: number, candidates: number): LocalSearchResult {
  const max = PATIENT_LIMITS.maxSearchEntries
  return {
    result: {
      ok: false,
      errors: [{ code: 'TOO_MANY_MATCHES', message: `The search reads more than ${max} index entries on one node: add a given name, gender or postcode, or narrow the birth date`, data: { maxSearchEntries: max } }],
    },
    entries,
    candidates,
  }
}

/** A peer coordinator's request: the query parsed again here, so this node trusts nothing it was sent. */
export async function servePatientSearch(backend: Backend, q: number, params: Record<string, string[]>, plan: readonly LocalPlanEntry[]): Promise<WireSearchReply> {
  const parsed = parseSearchQuery(params)
  if (!parsed.ok) return { errors: [...parsed.errors], entries: 0, candidates: 0 }
  for (const e of plan) {
    if (e.vnode < 0 || e.vnode >= q || e.partitions.some((p) => p < 0 || p >= q)) {
      throw new SpineError('INVALID_ARGUMENT', `search plan names a partition outside 0..${q - 1}`, { vnode: e.vnode })
    }
  }
  return encodeLocalResult(await localSearch(backend, q, parsed.value, plan))
}
