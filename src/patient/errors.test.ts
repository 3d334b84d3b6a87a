import t from 'tap'
import { ERROR_CODES } from '../shared/errors.js'
import { PATIENT_ERROR_CODES, SPINE_ERROR_SYSTEM, httpStatusOf, isPatientErrorCode, operationOutcome, patientError } from './errors.js'

t.test('the registry has the PDS statuses', async (t) => {
  const expected: Record<string, number> = {
    INVALID_RESOURCE_ID: 400,
    INVALID_VALUE: 400,
    MISSING_VALUE: 400,
    ADDITIONAL_PROPERTIES: 400,
    INVALID_SEARCH_DATA: 400,
    INVALID_UPDATE: 400,
    // PDS's patient-patch.yaml error table: 403 FORBIDDEN_UPDATE, and 400 UNSUPPORTED_SERVICE (a wrong Content-Type).
    FORBIDDEN_UPDATE: 403,
    UNSUPPORTED_SERVICE: 400,
    UNSUPPORTED_VALUE: 400,
    RESOURCE_NOT_FOUND: 404,
    RESOURCE_VERSION_MISMATCH: 409,
    PRECONDITION_FAILED: 412,
    TOO_MANY_MATCHES: 422,
    INVALID_REQUEST: 400,
    REQUEST_TOO_LARGE: 413,
    UNSUPPORTED_OPERATION: 405,
    SERVICE_UNAVAILABLE: 503,
    REQUEST_TIMEOUT: 504,
    SERVER_ERROR: 500,
  }
  t.same(Object.fromEntries(Object.entries(PATIENT_ERROR_CODES).map(([k, v]) => [k, v.status])), expected)
  t.ok(isPatientErrorCode('TOO_MANY_MATCHES'))
  t.notOk(isPatientErrorCode('toString'))
})

t.test('no code is shared with the store registry, so a client can tell them apart', async (t) => {
  const shared = Object.keys(PATIENT_ERROR_CODES).filter((c) => Object.prototype.hasOwnProperty.call(ERROR_CODES, c))
  t.same(shared, [])
})

t.test('OperationOutcome', async (t) => {
  const field = patientError('INVALID_VALUE', "Invalid value - 'mal' in field 'gender'", { path: 'gender' })
  const param = patientError('INVALID_SEARCH_DATA', "Invalid search data - 'birthdate': is required", { parameter: 'birthdate' })
  const root = patientError('INVALID_VALUE', 'Invalid value - the body must be an object', { path: '' })
  const oo = operationOutcome([field, param, root])
  t.same(oo, {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: 'value',
        details: { coding: [{ system: SPINE_ERROR_SYSTEM, version: '1', code: 'INVALID_VALUE', display: 'Provided value is invalid' }] },
        diagnostics: "Invalid value - 'mal' in field 'gender'",
        expression: ['Patient.gender'],
      },
      {
        severity: 'error',
        code: 'value',
        details: { coding: [{ system: SPINE_ERROR_SYSTEM, version: '1', code: 'INVALID_SEARCH_DATA', display: 'Search data is invalid' }] },
        diagnostics: "Invalid search data - 'birthdate': is required",
      },
      {
        severity: 'error',
        code: 'value',
        details: { coding: [{ system: SPINE_ERROR_SYSTEM, version: '1', code: 'INVALID_VALUE', display: 'Provided value is invalid' }] },
        diagnostics: 'Invalid value - the body must be an object',
        expression: ['Patient'],
      },
    ],
  })
  t.equal(httpStatusOf([patientError('PRECONDITION_FAILED', 'x'), field]), 412, 'the first error decides the status')
  t.equal(operationOutcome([patientError('TOO_MANY_MATCHES', 'x')]).issue[0]?.code, 'multiple-matches')
  t.equal(operationOutcome([patientError('RESOURCE_VERSION_MISMATCH', 'x')]).issue[0]?.code, 'conflict')
  t.equal(operationOutcome([patientError('RESOURCE_NOT_FOUND', 'x')]).issue[0]?.code, 'not-found')
  t.equal(operationOutcome([patientError('MISSING_VALUE', 'x', { path: 'name' })]).issue[0]?.code, 'required')
})
