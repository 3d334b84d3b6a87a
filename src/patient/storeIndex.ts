/**
 * The patient search index as the store keeps it: local to each vnode's copies, beside the objects
 * (Riak 2i's choice; docs/decisions.md "Patient search indexes" gives the measurement). Each vnode
 * indexes the patient records it holds, in the same atomic batch as the record; the entries of all
 * a node's vnodes share one index partition (partitionSpace.ts), each naming its vnode, so a search
 * reads one range per node and keeps the entries of the vnodes its coverage plan (core/coverage.ts) names.
 *
 * Entry key: the term's UTF-8 bytes, a 0x00, the vnode as 4 big-endian bytes, then the object's
 * storage key. No value: the key says everything, and a scan is one ordered range read. Terms never
 * contain 0x00 (names are letters, dates digits and '-', postcodes letters and digits), so the first
 * 0x00 ends the term.
 */
import { encodeBKey, type BKey } from '../core/hash.js'
import type { KvObject, Sibling } from '../core/object.js'
import { INDEX_PARTITION } from '../node/partitionSpace.js'
import type { VnodeChange, VnodeWriteHook } from '../node/vnodeHooks.js'
import type { BatchOp } from '../storage/backend.js'
import { indexTermChangesOfSets, type IndexScan } from './indexTerms.js'
import { indexTerms } from './indexTerms.js'
import type { Patient } from './record.js'
import { PATIENT_LIMITS } from './limits.js'

/** Where patient records live: bucket type `pds`, bucket `Patient`, key the NHS number. */
export const PATIENT_TYPE = 'pds'
export const PATIENT_BUCKET = 'Patient'
/** A superseded NHS number's value: a pointer to the retained record, not a record. */
export const ALIAS_CONTENT_TYPE = 'application/vnd.spinekv.patient-alias+json'
export const PATIENT_CONTENT_TYPE = 'application/fhir+json'

export function patientBKey(nhs: string): BKey {
  return { type: PATIENT_TYPE, bucket: PATIENT_BUCKET, key: nhs }
}

/** encodeBKey of the patient bucket without the key's field: every patient key starts with it. */
const KEY_PREFIX = (() => {
  const whole = encodeBKey(patientBKey(''))
  return whole.subarray(0, whole.length - 2)
})()

export function isPatientKey(key: Uint8Array): boolean {
  if (key.length < KEY_PREFIX.length) return false
  return Buffer.compare(Buffer.from(key.buffer, key.byteOffset, KEY_PREFIX.length), KEY_PREFIX) === 0
}

/**
 * Records this process has just serialised, by their bytes. The coordinating vnode of a patient
 * write runs in the same process as the PatientStore that encoded it, and its index hook then
 * takes the terms from the record instead of parsing the JSON back (a tenth of a load's CPU on a
 * node). Weak: an entry lives only as long as the bytes do.
 */
const encodedHere = new WeakMap<Uint8Array, Patient>()

/** A validated record as the store keeps it: UTF-8 JSON. */
export function encodePatient(p: Patient): Buffer {
  const bytes = Buffer.from(JSON.stringify(p), 'utf8')
  encodedHere.set(bytes, p)
  return bytes
}

/** A stored sibling's record, or undefined if it is not one (a tombstone, an alias, bytes a raw KV write left). */
export function parseStoredPatient(value: Uint8Array, contentType: string): Patient | undefined {
  if (contentType === ALIAS_CONTENT_TYPE) return undefined
  // Larger than the patient API ever writes: not a record, and it would swell a search reply past a frame.
  if (value.byteLength > PATIENT_LIMITS.maxRecordBytes) return undefined
  const known = encodedHere.get(value)
  if (known) return known
  try {
    const v: unknown = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'))
    // Records reach the bucket through the patient API, which validates them; anything else is not indexed.
    if (typeof v === 'object' && v !== null && (v as { resourceType?: unknown }).resourceType === 'Patient') return v as Patient
  } catch {
    // not JSON: nothing to index
  }
  return undefined
}

/** The live records among an object's siblings. */
export function storedPatients(obj: KvObject | undefined): Patient[] {
  const out: Patient[] = []
  for (const s of obj?.siblings ?? []) {
    if (s.deleted) continue
    const p = parseStoredPatient(s.value, s.contentType)
    if (p) out.push(p)
  }
  return out
}

/**
 * Every term of every live sibling: a record with siblings is found by any of them. A sibling's own
 * terms (set by the coordinator that wrote it, PatientStore.putOf) are taken as they are; only a
 * sibling stored without them, by an older node, is parsed and indexed here.
 */
export function objectTerms(obj: KvObject | undefined): Set<string> {
  const terms = new Set<string>()
  for (const s of obj?.siblings ?? []) {
    if (s.deleted) continue
    for (const t of s.terms ?? termsOfValue(s)) terms.add(t)
  }
  return terms
}

function termsOfValue(s: Sibling): readonly string[] {
  const p = parseStoredPatient(s.value, s.contentType)
  if (!p) return []
  try {
    return indexTerms(p)
  } catch {
    // A malformed record written around the API: unsearchable, but the write itself stands.
    return []
  }
}

export function indexEntryKey(term: string, vnode: number, objectKey: Uint8Array): Buffer {
  const termBytes = Buffer.byteLength(term, 'utf8')
  const out = Buffer.allocUnsafe(termBytes + 5 + objectKey.byteLength)
  out.write(term, 0, 'utf8')
  out[termBytes] = 0
  out.writeUInt32BE(vnode, termBytes + 1)
  out.set(objectKey, termBytes + 5)
  return out
}

/** The term of an entry, the vnode holding the copy, and the object's key. */
export function parseIndexEntry(entry: Uint8Array): { term: string; vnode: number; objectKey: Uint8Array } {
  const b = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength)
  const zero = b.indexOf(0)
  return { term: b.toString('utf8', 0, zero), vnode: b.readUInt32BE(zero + 1), objectKey: b.subarray(zero + 5) }
}

/**
 * Byte bounds of a scan: entries after `after` and before `before`. An entry is term + 0x00 + ...,
 * so every entry of a term up to the end term sorts below end + 0x01, and every greater term above it.
 */
export function scanBounds(scan: IndexScan): { after: Buffer; before: Buffer } {
  // A wildcard's end is its prefix then \uffff. In UTF-8 that is EF BF BF, below the 4-byte letters
  // beyond the BMP (SM𠀀 would be past SM*), so the byte bound is the prefix then 0xFF, which no UTF-8 holds.
  const last = scan.end.endsWith('\uffff')
    ? Buffer.concat([Buffer.from(`${scan.index}:${scan.end.slice(0, -1)}`, 'utf8'), Buffer.of(0xff)])
    : Buffer.from(`${scan.index}:${scan.end}`, 'utf8')
  return { after: Buffer.from(`${scan.index}:${scan.start}`, 'utf8'), before: Buffer.concat([last, Buffer.of(1)]) }
}

/** The vnode hook that keeps the index in step with the patient records a vnode stores. */
export function patientIndexHook(): VnodeWriteHook {
  return {
    ops(change: VnodeChange): BatchOp[] {
      if (!isPatientKey(change.key)) return []
      const { add, remove } = indexTermChangesOfSets(objectTerms(change.before), objectTerms(change.after))
      const p = change.partition
      return [
        ...remove.map((t): BatchOp => ({ type: 'del', partition: INDEX_PARTITION, key: indexEntryKey(t, p, change.key), scanOnly: true })),
        ...add.map((t): BatchOp => ({ type: 'put', partition: INDEX_PARTITION, key: indexEntryKey(t, p, change.key), value: EMPTY, scanOnly: true })),
      ]
    },
  }
}

const EMPTY = new Uint8Array(0)
