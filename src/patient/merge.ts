/**
 * The merge of concurrent versions (siblings) of one patient record.
 *
 * Siblings arise when writes reach the store without one having seen the other (a partition, two
 * coordinators). The store keeps both; a read must still return one record, and every node must pick
 * the same one, so the merge is a pure function of the *set* of siblings: the same siblings in any order
 * give a byte-identical record. The store keeps no common ancestor, so the merge cannot tell "A changed
 * this field" from "B changed it back"; it therefore never guesses that a value is obsolete. The rules:
 *
 *  1. Rank the siblings: higher versionId first (it has seen more updates), then later meta.lastUpdated,
 *     then the greater canonical JSON — arbitrary, but total, so the order never depends on arrival.
 *     Identical siblings count once.
 *  2. Single-valued fields (gender, birthDate, multipleBirthInteger, deceasedDateTime,
 *     managingOrganization): the highest-ranked sibling that has a
 *     value gives it. A value present on any sibling is never lost to a sibling without one — in
 *     particular a death recorded concurrently with an address change survives it. (The price: a
 *     concurrent *removal* of the field loses to the value; removals are rare and re-applicable.)
 *  3. Lists (name, address, telecom, contact, extension, identifier): the union. Elements are the same
 *     element when they share a FHIR element id (PDS gives every name, address, telecom and contact one),
 *     or an extension url (a record holds one extension of each url), or else when they are equal; for the
 *     same element, the highest-ranked sibling's version wins. Primary's elements come first in its order,
 *     then each further sibling's new elements in its order. A concurrent removal again loses.
 *  4. generalPractitioner holds one registration: the highest-ranked sibling's.
 *  5. meta.security: the most restrictive label wins (REDACTED > R > U). A patient who asked to be
 *     restricted must not become visible because someone updated their phone number at the same moment.
 *  6. meta.versionId: one more than the highest sibling's, because the merged record is a version no
 *     client has seen (an If-Match naming any sibling's version must fail); lastUpdated: the latest.
 *
 * Nothing is dropped silently: every value of a sibling that is not in the result (a lower-ranked
 * gender, the losing version of an element, list entries beyond a limit) is listed in `superseded`, for
 * the store to log and count. The result needs no clock and no randomness, so it is deterministic.
 */
import { canonicalJson } from './canonicalJson.js'
import { PATIENT_LIMITS } from './limits.js'
import { securityCodeOf, versionOf, type Patient, type SecurityCode } from './record.js'

/** A sibling's value that the merged record does not carry. */
export interface Superseded {
  /** Where it was in its sibling: `gender`, `address[1]`, `meta.security`. */
  readonly path: string
  readonly value: unknown
  /** The versionId of the sibling it came from. */
  readonly versionId: string
}

export interface MergeResult {
  readonly patient: Patient
  readonly superseded: readonly Superseded[]
}

interface Ranked {
  readonly p: Patient
  readonly json: string
}

function lastUpdatedMs(p: Patient): number {
  const t = p.meta.lastUpdated === undefined ? NaN : Date.parse(p.meta.lastUpdated)
  return Number.isNaN(t) ? -Infinity : t
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Negative when a ranks above b (rule 1). */
function compareRank(a: Ranked, b: Ranked): number {
  return cmp(versionOf(b.p), versionOf(a.p)) || cmp(lastUpdatedMs(b.p), lastUpdatedMs(a.p)) || cmp(b.json, a.json)
}

/** The distinct siblings, best first. */
function rank(siblings: readonly Patient[]): Ranked[] {
  const byJson = new Map<string, Patient>()
  for (const p of siblings) byJson.set(canonicalJson(p), p)
  return [...byJson].map(([json, p]) => ({ p, json })).sort(compareRank)
}

type ScalarField = 'gender' | 'birthDate' | 'multipleBirthInteger' | 'deceasedDateTime' | 'managingOrganization'

/** Rule 2: the best-ranked value, the others superseded. */
function mergeScalar<F extends ScalarField>(ranked: readonly Ranked[], field: F, out: Superseded[]): Patient[F] {
  let chosen: Patient[F] = undefined
  for (const { p } of ranked) {
    const v = p[field]
    if (v === undefined) continue
    if (chosen === undefined) chosen = v
    else if (canonicalJson(v) !== canonicalJson(chosen)) out.push({ path: field, value: v, versionId: p.meta.versionId })
  }
  return chosen
}

function identity(element: object): string {
  const e = element as { id?: unknown; url?: unknown }
  return typeof e.id === 'string' ? `id:${e.id}` : typeof e.url === 'string' ? `url:${e.url}` : `json:${canonicalJson(element)}`
}

type ListField = 'name' | 'address' | 'telecom' | 'contact' | 'generalPractitioner' | 'extension' | 'identifier'
type Element<F extends ListField> = NonNullable<Patient[F]>[number]

/** Rules 3 and 4: the union by element identity, best-ranked version of each, at most `limit` entries. */
function mergeList<F extends ListField>(ranked: readonly Ranked[], field: F, limit: number, out: Superseded[]): Element<F>[] {
  const chosen = new Map<string, { element: Element<F>; json: string }>()
  for (const { p } of ranked) {
    const list: readonly Element<F>[] = p[field] ?? []
    list.forEach((element, i) => {
      const key = identity(element)
      const json = canonicalJson(element)
      const kept = chosen.get(key)
      if (kept === undefined && chosen.size < limit) chosen.set(key, { element, json })
      else if (kept === undefined || kept.json !== json) out.push({ path: `${field}[${i}]`, value: element, versionId: p.meta.versionId })
    })
  }
  return [...chosen.values()].map((c) => structuredClone(c.element))
}

const RESTRICTION: Readonly<Record<SecurityCode, number>> = { U: 0, R: 1, V: 2, REDACTED: 3 }

/** Rule 5: the most restrictive label, from the best-ranked sibling that has it. */
function mergeSecurity(ranked: readonly Ranked[], out: Superseded[]): Patient['meta']['security'] {
  let best: Ranked | undefined
  for (const r of ranked) if (best === undefined || RESTRICTION[securityCodeOf(r.p)] > RESTRICTION[securityCodeOf(best.p)]) best = r
  const label = best?.p.meta.security
  const labelJson = canonicalJson(label)
  for (const { p } of ranked) {
    if (canonicalJson(p.meta.security) !== labelJson) out.push({ path: 'meta.security', value: p.meta.security ?? null, versionId: p.meta.versionId })
  }
  return label === undefined ? undefined : structuredClone(label)
}

/** Rule 6: the latest lastUpdated, as that sibling wrote it. */
function latestLastUpdated(ranked: readonly Ranked[]): string | undefined {
  let best: Patient | undefined
  for (const { p } of ranked) if (p.meta.lastUpdated !== undefined && (best === undefined || lastUpdatedMs(p) > lastUpdatedMs(best))) best = p
  return best?.meta.lastUpdated
}

/** Fields in a fixed order so that the merged record serialises the same whatever the siblings' key order. */
function assemble(fields: Patient): Patient {
  const identifier = fields.identifier !== undefined && fields.identifier.length > 0 ? { identifier: fields.identifier } : {}
  const p: Patient = { resourceType: 'Patient', id: fields.id, ...identifier, meta: { versionId: fields.meta.versionId } }
  if (fields.meta.lastUpdated !== undefined) p.meta.lastUpdated = fields.meta.lastUpdated
  if (fields.meta.security !== undefined) p.meta.security = fields.meta.security
  if (fields.name !== undefined && fields.name.length > 0) p.name = fields.name
  if (fields.gender !== undefined) p.gender = fields.gender
  if (fields.birthDate !== undefined) p.birthDate = fields.birthDate
  if (fields.multipleBirthInteger !== undefined) p.multipleBirthInteger = fields.multipleBirthInteger
  if (fields.deceasedDateTime !== undefined) p.deceasedDateTime = fields.deceasedDateTime
  if (fields.address !== undefined && fields.address.length > 0) p.address = fields.address
  if (fields.telecom !== undefined && fields.telecom.length > 0) p.telecom = fields.telecom
  if (fields.contact !== undefined && fields.contact.length > 0) p.contact = fields.contact
  if (fields.generalPractitioner !== undefined && fields.generalPractitioner.length > 0) p.generalPractitioner = fields.generalPractitioner
  if (fields.managingOrganization !== undefined) p.managingOrganization = fields.managingOrganization
  if (fields.extension !== undefined && fields.extension.length > 0) p.extension = fields.extension
  return p
}

/**
 * One record from the siblings of a key (see the rules above). A single distinct sibling is returned
 * as it is, version unchanged, so merging is idempotent and a key without conflict is never rewritten.
 */
export function mergeSiblings(siblings: readonly [Patient, ...Patient[]]): MergeResult {
  const ranked = rank(siblings)
  const primary = ranked[0] as Ranked // rank() keeps at least one of a non-empty list
  if (ranked.length === 1) return { patient: structuredClone(primary.p), superseded: [] }
  const superseded: Superseded[] = []
  for (const { p } of ranked.slice(1)) if (p.id !== primary.p.id) superseded.push({ path: 'id', value: p.id, versionId: p.meta.versionId })
  const L = PATIENT_LIMITS
  const maxVersion = Math.max(...ranked.map((r) => versionOf(r.p)))
  const security = mergeSecurity(ranked, superseded)
  const lastUpdated = latestLastUpdated(ranked)
  const patient = assemble({
    resourceType: 'Patient',
    id: primary.p.id,
    meta: {
      versionId: String(maxVersion + 1),
      ...(lastUpdated === undefined ? {} : { lastUpdated }),
      ...(security === undefined ? {} : { security }),
    },
    identifier: mergeList(ranked, 'identifier', 1, superseded),
    name: mergeList(ranked, 'name', L.maxNames, superseded),
    gender: mergeScalar(ranked, 'gender', superseded),
    birthDate: mergeScalar(ranked, 'birthDate', superseded),
    multipleBirthInteger: mergeScalar(ranked, 'multipleBirthInteger', superseded),
    deceasedDateTime: mergeScalar(ranked, 'deceasedDateTime', superseded),
    address: mergeList(ranked, 'address', L.maxAddresses, superseded),
    telecom: mergeList(ranked, 'telecom', L.maxTelecoms, superseded),
    contact: mergeList(ranked, 'contact', L.maxContacts, superseded),
    generalPractitioner: mergeList(ranked, 'generalPractitioner', L.maxGeneralPractitioners, superseded),
    managingOrganization: mergeScalar(ranked, 'managingOrganization', superseded),
    extension: mergeList(ranked, 'extension', 8, superseded),
  })
  return { patient, superseded }
}
