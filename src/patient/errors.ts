/**
 * The patient layer's error codes, in the style of the PDS FHIR API: each code has an HTTP status, a
 * FHIR OperationOutcome issue type and the display PDS gives it. These are separate from the store's
 * registry (src/shared/errors.ts) because clients of the FHIR-shaped API switch on PDS's codes, which they
 * already know, not on the KV store's. The functions in src/patient/ return these as values (a Result);
 * only the HTTP layer turns them into a response, with httpStatusOf and operationOutcome.
 */

/** FHIR R4 IssueType codes used here (http://hl7.org/fhir/valueset-issue-type.html). */
export type FhirIssueType =
  | 'value'
  | 'required'
  | 'structure'
  | 'conflict'
  | 'not-found'
  | 'multiple-matches'
  | 'invalid'
  | 'too-long'
  | 'not-supported'
  | 'forbidden'
  | 'processing'
  | 'transient'
  | 'timeout'
  | 'exception'

interface PatientErrorSpec {
  readonly status: number
  readonly issueType: FhirIssueType
  readonly display: string
}

export const PATIENT_ERROR_CODES = {
  INVALID_RESOURCE_ID: { status: 400, issueType: 'value', display: 'Resource Id is invalid' },
  INVALID_VALUE: { status: 400, issueType: 'value', display: 'Provided value is invalid' },
  MISSING_VALUE: { status: 400, issueType: 'required', display: 'Required value is missing' },
  ADDITIONAL_PROPERTIES: { status: 400, issueType: 'structure', display: 'Additional properties should not be included' },
  INVALID_SEARCH_DATA: { status: 400, issueType: 'value', display: 'Search data is invalid' },
  /** PDS: a patch or replacement that is well-formed but may not be applied (e.g. it changes the NHS number). */
  INVALID_UPDATE: { status: 400, issueType: 'structure', display: 'Update is invalid' },
  /** PDS: an update the rules forbid — removing the usual name, gender, birthDate or deceasedDateTime, a second usual name. */
  FORBIDDEN_UPDATE: { status: 403, issueType: 'forbidden', display: 'Update is forbidden' },
  /** PDS: a legacy value an update may no longer set (gender other, a work address, death notification status U). */
  UNSUPPORTED_VALUE: { status: 400, issueType: 'value', display: 'Unsupported value' },
  /** PDS: the request is not one the service offers, e.g. a PATCH whose Content-Type is not application/json-patch+json. */
  UNSUPPORTED_SERVICE: { status: 400, issueType: 'processing', display: 'Unsupported Service' },
  RESOURCE_NOT_FOUND: { status: 404, issueType: 'not-found', display: 'Resource not found' },
  RESOURCE_VERSION_MISMATCH: { status: 409, issueType: 'conflict', display: 'Resource version mismatch' },
  /** Missing or malformed If-Match; PDS answers both with 412. */
  PRECONDITION_FAILED: { status: 412, issueType: 'structure', display: 'Required condition was not fulfilled' },
  /** PDS itself answers 200 with this code inside the searchset; spinekv uses 422 so a client cannot
   * mistake it for an empty result. */
  TOO_MANY_MATCHES: { status: 422, issueType: 'multiple-matches', display: 'Too many matches' },
  /** The request itself, not the record: a body that is not JSON, a wrong Content-Type. */
  INVALID_REQUEST: { status: 400, issueType: 'invalid', display: 'Request is invalid' },
  /** A body over PATIENT.maxBodyBytes, refused before it is read. */
  REQUEST_TOO_LARGE: { status: 413, issueType: 'too-long', display: 'Request is too large' },
  UNSUPPORTED_OPERATION: { status: 405, issueType: 'not-supported', display: 'Operation is not supported' },
  /** The store could not answer (a quorum not met, a node unreachable, overload): retry; data.storeCode says which. */
  SERVICE_UNAVAILABLE: { status: 503, issueType: 'transient', display: 'Service unavailable' },
  /** The store did not answer in time; the change may or may not have been made: read before retrying. */
  REQUEST_TIMEOUT: { status: 504, issueType: 'timeout', display: 'Request timed out' },
  SERVER_ERROR: { status: 500, issueType: 'exception', display: 'Unexpected server error' },
} as const satisfies Record<string, PatientErrorSpec>

export type PatientErrorCode = keyof typeof PATIENT_ERROR_CODES

/** The codes a field of a Patient body can fail with. */
export type FieldErrorCode = 'INVALID_RESOURCE_ID' | 'INVALID_VALUE' | 'MISSING_VALUE' | 'ADDITIONAL_PROPERTIES'

export interface PatientError<C extends PatientErrorCode = PatientErrorCode> {
  readonly code: C
  readonly message: string
  /** The body field at fault, as `name[0].family`; '' for the body as a whole. */
  readonly path?: string
  /** The query parameter or header at fault, as `birthdate` or `If-Match`. */
  readonly parameter?: string
  readonly data?: Readonly<Record<string, unknown>>
}

/** A validation error of one field of a Patient body: always has a path. */
export interface FieldError extends PatientError<FieldErrorCode> {
  readonly path: string
}

/** What every fallible function here returns instead of throwing. errors is never empty. */
export type Result<T, E extends PatientError = PatientError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly [E, ...E[]] }

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value }
}

export function fail<E extends PatientError>(first: E, ...rest: E[]): { readonly ok: false; readonly errors: readonly [E, ...E[]] } {
  return { ok: false, errors: [first, ...rest] }
}

export function patientError<C extends PatientErrorCode>(
  code: C,
  message: string,
  where: { path?: string; parameter?: string; data?: Readonly<Record<string, unknown>> } = {},
): PatientError<C> {
  return { code, message, ...where }
}

export function isPatientErrorCode(s: unknown): s is PatientErrorCode {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(PATIENT_ERROR_CODES, s)
}

/** The HTTP status of a failed request: that of its first error, which is the one that decided the outcome. */
export function httpStatusOf(errors: readonly [PatientError, ...PatientError[]]): number {
  return PATIENT_ERROR_CODES[errors[0].code].status
}

export const SPINE_ERROR_SYSTEM = 'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode'

export interface OperationOutcomeIssue {
  severity: 'error'
  code: FhirIssueType
  details: { coding: [{ system: typeof SPINE_ERROR_SYSTEM; version: '1'; code: PatientErrorCode; display: string }] }
  diagnostics: string
  /** FHIRPath of the offending element of a body, e.g. `Patient.name[0].family`. */
  expression?: string[]
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome'
  issue: OperationOutcomeIssue[]
}

function issueOf(e: PatientError): OperationOutcomeIssue {
  const spec = PATIENT_ERROR_CODES[e.code]
  const issue: OperationOutcomeIssue = {
    severity: 'error',
    code: spec.issueType,
    details: { coding: [{ system: SPINE_ERROR_SYSTEM, version: '1', code: e.code, display: spec.display }] },
    diagnostics: e.message,
  }
  if (e.path !== undefined) issue.expression = [e.path === '' ? 'Patient' : `Patient.${e.path}`]
  return issue
}

/** The FHIR OperationOutcome body of a failed request: one issue per error, in order. */
export function operationOutcome(errors: readonly PatientError[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: errors.map(issueOf) }
}

const FROM_STORE: Readonly<Record<string, PatientErrorCode>> = {
  TIMEOUT: 'REQUEST_TIMEOUT',
  VALUE_TOO_LARGE: 'REQUEST_TOO_LARGE',
  OBJECT_TOO_LARGE: 'REQUEST_TOO_LARGE',
  INTERNAL: 'SERVER_ERROR',
  INVALID_ARGUMENT: 'INVALID_REQUEST',
  UNKNOWN_OPERATION: 'INVALID_REQUEST',
}

/** A store failure (src/shared/errors.ts) as the patient API reports it, with the store's code kept in data; any other is SERVICE_UNAVAILABLE. */
export function fromStoreError(e: { code: string; message: string; data?: Readonly<Record<string, unknown>> }): PatientError {
  const code = Object.prototype.hasOwnProperty.call(FROM_STORE, e.code) ? FROM_STORE[e.code]! : 'SERVICE_UNAVAILABLE'
  return patientError(code, `${e.code}: ${e.message}`, { data: { ...e.data, storeCode: e.code } })
}
