/**
 * Updates by JSON Patch (RFC 6902), applied with fast-json-patch. PDS takes the operations either as the
 * RFC's bare array or wrapped as { "patches": [...] }; both are accepted. A patch applies as a whole or
 * not at all: it is applied to a copy, and the first failing operation (a path that does not resolve, a
 * `test` that does not hold) refuses the update with INVALID_VALUE naming that operation. The patched
 * record is then checked like a replacement (prepareUpdate), so a patch cannot produce what a PUT could not.
 */
import jsonpatch from 'fast-json-patch'
import type { Operation } from 'fast-json-patch'
import { fail, ok, patientError, type PatientError, type Result } from './errors.js'
import { PATIENT_LIMITS } from './limits.js'
import type { Patient } from './record.js'
import { checkIfMatch, prepareUpdate } from './versioning.js'

/** The operations of RFC 6902 (fast-json-patch also runs an internal `_get`, which a client must not send). */
const RFC6902_OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])

const EXPLANATIONS: Readonly<Record<string, string>> = {
  OPERATION_NOT_AN_OBJECT: 'each operation must be an object',
  OPERATION_OP_INVALID: 'op must be add, remove, replace, move, copy or test',
  OPERATION_PATH_INVALID: 'path must be a JSON Pointer such as /name/0/family',
  OPERATION_FROM_REQUIRED: 'from is required for move and copy',
  OPERATION_VALUE_REQUIRED: 'value is required for add, replace and test',
  OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED: 'value must be JSON',
  OPERATION_PATH_CANNOT_ADD: 'the parent of path does not exist',
  OPERATION_PATH_UNRESOLVABLE: 'path does not exist in the record',
  OPERATION_FROM_UNRESOLVABLE: 'from does not exist in the record',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'an array index must be a number or -',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'the array index is beyond the end of the list',
  TEST_OPERATION_FAILED: 'the test does not hold: the record is not as the patch expected',
}

function opError(index: number, operation: unknown, explanation: string): PatientError<'INVALID_VALUE'> {
  const o = typeof operation === 'object' && operation !== null ? (operation as Record<string, unknown>) : {}
  const label = typeof o.op === 'string' && typeof o.path === 'string' ? ` (${o.op} ${o.path})` : ''
  return patientError('INVALID_VALUE', `Invalid patch - operation ${index}${label}: ${explanation}`, { parameter: 'patch', data: { index, operation } })
}

function bodyError(message: string): PatientError<'INVALID_VALUE'> {
  return patientError('INVALID_VALUE', `Invalid patch - ${message}`, { parameter: 'patch' })
}

/** A deep copy, or undefined for values JSON cannot hold (a body from JSON.parse never has them). */
function copyOf(ops: unknown[]): Operation[] | undefined {
  try {
    return structuredClone(ops) as Operation[]
  } catch {
    return undefined
  }
}

/** The operations of a patch body, checked for shape (not yet against a record). */
export function parsePatch(body: unknown): Result<Operation[]> {
  const wrapped = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).patches : body
  if (!Array.isArray(wrapped)) return fail(bodyError('the body must be a JSON Patch array, or an object with a "patches" array'))
  if (wrapped.length === 0) return fail(bodyError('the patch has no operations'))
  if (wrapped.length > PATIENT_LIMITS.maxPatchOperations) return fail(bodyError(`at most ${PATIENT_LIMITS.maxPatchOperations} operations are allowed, not ${wrapped.length}`))
  const ops: unknown[] = wrapped
  for (const [i, op] of ops.entries()) {
    const name = typeof op === 'object' && op !== null ? (op as Record<string, unknown>).op : undefined
    if (typeof name !== 'string' || !RFC6902_OPS.has(name)) return fail(opError(i, op, EXPLANATIONS.OPERATION_OP_INVALID as string))
  }
  // A copy: fast-json-patch inserts operation values into the document by reference.
  const operations = copyOf(ops)
  if (operations === undefined) return fail(bodyError('the operations must be JSON'))
  const invalid = jsonpatch.validate(operations)
  if (invalid !== undefined) return fail(opError(invalid.index ?? 0, invalid.operation, EXPLANATIONS[invalid.name] ?? invalid.message))
  return ok(operations)
}

/** The document a patch makes of the record: not yet validated (prepareUpdate does that). */
export function applyJsonPatch(current: Patient, body: unknown): Result<unknown> {
  const parsed = parsePatch(body)
  if (!parsed.ok) return parsed
  const doc: unknown = structuredClone(current)
  try {
    // validateOperation true: check each operation against the document as it goes;
    // mutateDocument true: on our copy, so no second clone; banPrototypeModifications true: never touch __proto__.
    return ok(jsonpatch.applyPatch(doc, parsed.value, true, true, true).newDocument)
  } catch (e) {
    if (e instanceof jsonpatch.JsonPatchError) return fail(opError(e.index ?? 0, e.operation, EXPLANATIONS[e.name] ?? e.message))
    // fast-json-patch throws a plain Error for a __proto__ path: that is bad input too, not a fault.
    return fail(bodyError(e instanceof Error ? e.message : String(e)))
  }
}

/** A whole PATCH: If-Match, then the operations, then the checks every update gets. */
export function patchPatient(current: Patient, ifMatch: string | undefined, body: unknown, now: Date): Result<Patient> {
  const matched = checkIfMatch(ifMatch, current)
  if (!matched.ok) return matched
  const patched = applyJsonPatch(current, body)
  if (!patched.ok) return patched
  return prepareUpdate(current, patched.value, now)
}
