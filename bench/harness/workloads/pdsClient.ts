/**
 * The patient API the PDS workload drives: the client's `patients` member (`kv.patients`), narrowed
 * to the calls the workload makes so the unit tests can drive it with an in-memory fake. Errors are
 * PatientApiError with a PDS `code` (RESOURCE_NOT_FOUND, RESOURCE_VERSION_MISMATCH, ...) and an
 * HTTP `status`.
 */
import type { SpineClient } from '../../../src/client/client.js'
import type { PatientsClient } from '../../../src/client/patients.js'

export type { PatientSearch } from '../../../src/client/patients.js'

export type PdsClient = Pick<PatientsClient, 'get' | 'create' | 'update' | 'search' | 'loadBatch'>

export function patientsOf(kv: SpineClient): PdsClient {
  return kv.patients
}
