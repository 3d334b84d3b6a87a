/**
 * The patient API the PDS workload drives: the shape of the client's `patients` member
 * (`kv.patients`), declared here so the workload does not depend on how the client implements it,
 * and so the unit tests can drive it with an in-memory fake. Errors are thrown with a PDS `code`
 * (RESOURCE_NOT_FOUND, RESOURCE_VERSION_MISMATCH, ...) and an HTTP `status`.
 */
import type { Operation as JsonPatchOperation } from 'fast-json-patch'
import type { SpineClient } from '../../../src/client/client.js'
import type { Patient } from '../../../src/patient/record.js'

export interface PatientSearch {
  family?: string
  given?: string
  gender?: string
  birthdate: string | string[]
  postcode?: string
  fuzzy?: boolean
  maxResults?: number
}

export interface PdsClient {
  get(nhs: string): Promise<{ patient: Patient; etag: string }>
  create(record: Patient | unknown): Promise<{ patient: Patient; etag: string }>
  update(nhs: string, change: Patient | JsonPatchOperation[], opts: { ifMatch: string }): Promise<{ patient: Patient; etag: string }>
  search(q: PatientSearch): Promise<{ total: number; entries: { patient: Patient; score: number }[] }>
  loadBatch(records: Patient[]): Promise<{ stored: number; errors: { id: string; code: string }[] }>
}

/**
 * The client's patient API, or undefined when this build of the client has none yet. Read through
 * a structural cast because the member is arriving on main separately from the harness.
 */
export function patientsOf(kv: SpineClient): PdsClient | undefined {
  const p = (kv as unknown as { patients?: PdsClient }).patients
  return p && typeof p.get === 'function' ? p : undefined
}
