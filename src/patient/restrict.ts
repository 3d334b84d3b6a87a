/**
 * What a read or a search may show of a record, by its security label (meta.security):
 *  - U (or no label): everything.
 *  - R, restricted ("sensitive" in PDS): the patient may be at risk if found, so nothing that locates
 *    them is ever shown — no address, telecom or GP practice — to a read or a search; and a search that
 *    names a postcode or a GP practice never returns them at all, even when they match (PDS's rule), so
 *    that a yes/no answer cannot confirm where they live.
 *  - REDACTED, invalidated: the record must not be used; it reads as not found.
 * Every view is a copy: the caller may serialise or change it without touching the stored record.
 */
import { patientError, type PatientError } from './errors.js'
import { EXT, securityCodeOf, type Patient } from './record.js'

export type PatientView =
  | { readonly visible: true; readonly patient: Patient; readonly restricted: boolean }
  | { readonly visible: false; readonly error: PatientError<'RESOURCE_NOT_FOUND'> }

/** Patient.yaml: "When a patient tagged as restricted is retrieved, the pharmacy and birth place extensions are removed". */
const LOCATING_EXTENSIONS: ReadonlySet<string> = new Set([EXT.nominatedPharmacy, EXT.preferredDispenserOrganization, EXT.medicalApplianceSupplier, EXT.birthPlace])

/** The record without the fields that would locate a restricted patient (address, telecom, contacts, GP, pharmacies, birthplace). */
function withoutLocation(p: Patient): Patient {
  const { address: _address, telecom: _telecom, contact: _contact, generalPractitioner: _gp, extension, ...rest } = structuredClone(p)
  const kept = extension?.filter((e) => !LOCATING_EXTENSIONS.has(e.url))
  return kept === undefined || kept.length === 0 ? rest : { ...rest, extension: kept }
}

function notFound(p: Patient): PatientView {
  // Same message as for a number never stored: a redacted record must not be told apart from a missing one.
  return { visible: false, error: patientError('RESOURCE_NOT_FOUND', `Patient ${p.id} not found`, { data: { id: p.id } }) }
}

/** What a read by NHS number returns. */
export function readView(p: Patient): PatientView {
  switch (securityCodeOf(p)) {
    case 'REDACTED':
      return notFound(p)
    case 'R':
    case 'V': // very restricted (Meta.yaml): shown no more than restricted
      return { visible: true, patient: withoutLocation(p), restricted: true }
    case 'U':
      return { visible: true, patient: structuredClone(p), restricted: false }
  }
}

/** The search parameters that locate a patient; naming one excludes restricted records from the results. */
export interface LocatingCriteria {
  readonly postalCode?: string | undefined
  readonly generalPractitioner?: string | undefined
}

/** True if a search with these criteria may return this record at all. */
export function searchable(p: Patient, criteria: LocatingCriteria): boolean {
  const code = securityCodeOf(p)
  if (code === 'REDACTED') return false
  if (code === 'R' || code === 'V') return criteria.postalCode === undefined && criteria.generalPractitioner === undefined
  return true
}

/** What a search returns for a record it may show: the same fields as a read. */
export function searchView(p: Patient, criteria: LocatingCriteria): PatientView {
  if (!searchable(p, criteria)) return notFound(p)
  return readView(p)
}

/** True if the record's address, telecom and GP may be used or shown (to score, to index, to return). */
export function exposesLocation(p: Patient): boolean {
  return securityCodeOf(p) === 'U'
}
