/** spinekv's embeddable client: `import { connect } from 'spinekv'`. */
export { connect, SpineClient } from './client.js'
export { SpineError, ERROR_CODES, type ErrorCode } from '../shared/errors.js'
export type * from './types.js'
export type { QuorumSpec } from '../core/quorum.js'
export { PatientApiError, PatientsClient, type PatientResult, type PatientSearch, type PatientSearchResult, type LoadResult, type JsonPatchOperation, type PdsPatch } from './patients.js'
export type { Patient } from '../patient/record.js'
export { syntheticPatient, syntheticPatients, syntheticNhsNumber, type SyntheticOptions } from '../patient/synthetic.js'
