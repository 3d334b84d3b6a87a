/**
 * Updates by JSON Patch (RFC 6902) as PDS takes them (specification/components/paths/patient-patch.yaml):
 * the operations wrapped as { "patches": [...] } (the RFC's bare array is accepted too, as the client
 * library sends it), only add, remove, replace and test (JsonPatch.yaml), and PDS's rules on list items
 * and on what may not be removed (patchRules.ts). A patch applies as a whole or not at all: operations
 * apply one by one to a copy, each first checked against the copy as the earlier ones left it, and the
 * first failure refuses the update. The patched record is then checked like a replacement
 * (prepareUpdate), so a patch cannot produce what a PUT could not.
 */
import jsonpatch from 'fast-json-patch'
import type { Operation } from 'fast-json-patch'
import { fail, ok, patientError, type PatientError, type Result } from './errors.js'
import { PATIENT_LIMITS } from './limits.js'
import type { Patient } from './record.js'
import { checkIfMatch, prepareUpdate } from './versioning.js'
import { checkChangedAddresses, checkLegacyValues, checkOperation, checkResult, PatchState, pointerTokens } from './patchRules.js'
import { PATIENT_LISTS } from './codes.js'

/** JsonPatch.yaml: `op` is one of remove, add, replace, test (no move, copy, or fast-json-patch's internal `_get`). */
const PDS_OPS = new Set(['add', 'remove', 'replace', 'test'])

const EXPLANATIONS: Readonly<Record<string, string>> = {
  OPERATION_NOT_AN_OBJECT: 'each operation must be an object',
  OPERATION_PATH_INVALID: 'path must be a JSON Pointer such as /name/0/family',
  OPERATION_VALUE_REQUIRED: 'value is required for add, replace and test',
  OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED: 'value must be JSON',
  OPERATION_PATH_CANNOT_ADD: 'the parent of path does not exist',
  OPERATION_PATH_UNRESOLVABLE: 'path does not exist in the record',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'an array index must be a number or -',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'the array index is beyond the end of the list',
}

function shown(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

function opError(index: number, operation: unknown, explanation: string): PatientError<'INVALID_VALUE'> {
  const o = typeof operation === 'object' && operation !== null ? (operation as Record<string, unknown>) : {}
  const label = typeof o.op === 'string' && typeof o.path === 'string' ? ` (${o.op} ${o.path})` : ''
  return patientError('INVALID_VALUE', `Invalid patch - operation ${index}${label}: ${explanation}`, { parameter: 'patch', data: { index, operation } })
}

function bodyError(message: string): PatientError<'INVALID_VALUE'> {
  return patientError('INVALID_VALUE', `Invalid patch - ${message}`, { parameter: 'patch' })
}

function invalidUpdate(message: string, data?: Readonly<Record<string, unknown>>): PatientError<'INVALID_UPDATE'> {
  return patientError('INVALID_UPDATE', `Invalid update with error - ${message}`, { parameter: 'patch', ...(data === undefined ? {} : { data }) })
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
  // PDS: a body without operations (no `patches`, or an empty list) is "No patches found" (requestErrors.feature).
  if (wrapped === undefined || (Array.isArray(wrapped) && wrapped.length === 0)) return fail(invalidUpdate('No patches found'))
  if (!Array.isArray(wrapped)) return fail(bodyError('the body must be {"patches": [...]} with a JSON Patch array, or the array itself'))
  if (wrapped.length > PATIENT_LIMITS.maxPatchOperations) return fail(bodyError(`at most ${PATIENT_LIMITS.maxPatchOperations} operations are allowed, not ${wrapped.length}`))
  const ops: unknown[] = wrapped
  for (const [i, op] of ops.entries()) {
    const name = typeof op === 'object' && op !== null ? (op as Record<string, unknown>).op : op
    if (typeof name !== 'string' || !PDS_OPS.has(name)) {
      // PDS's wording (requestErrors.feature, "Invalid patch"), with the reason after it.
      const message = `Invalid value - '${shown(name)}' in field '${i}/op': op must be add, remove, replace or test`
      return fail(patientError('INVALID_VALUE', message, { parameter: 'patch', data: { index: i, operation: op } }))
    }
  }
  // A copy: fast-json-patch inserts operation values into the document by reference.
  const operations = copyOf(ops)
  if (operations === undefined) return fail(bodyError('the operations must be JSON'))
  const invalid = jsonpatch.validate(operations)
  if (invalid !== undefined) return fail(opError(invalid.index ?? 0, invalid.operation, EXPLANATIONS[invalid.name] ?? invalid.message))
  return ok(operations)
}

/** A failure of fast-json-patch applying one operation, as PDS reports it. */
function applyError(e: unknown, index: number, op: Operation): PatientError {
  if (!(e instanceof jsonpatch.JsonPatchError)) {
    // fast-json-patch throws a plain Error for a __proto__ path: that is bad input too, not a fault.
    return bodyError(e instanceof Error ? e.message : String(e))
  }
  const data = { index, operation: op }
  const last = pointerTokens(op.path).at(-1) ?? ''
  switch (e.name) {
    case 'TEST_OPERATION_FAILED':
      return invalidUpdate(`Invalid patch - test failed: operation ${index} (test ${op.path}) does not hold, the record is not as the patch expected`, data)
    case 'OPERATION_PATH_UNRESOLVABLE':
      if (op.op === 'remove' || op.op === 'replace') return invalidUpdate(`Invalid patch - can't ${op.op} non-existent object '${last}'`, data)
      return invalidUpdate(`Invalid patch - operation ${index} (${op.op} ${op.path}): path does not exist in the record`, data)
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return invalidUpdate(`Invalid patch - index '${last}' is out of bounds`, data)
    default:
      return opError(index, op, EXPLANATIONS[e.name] ?? e.message)
  }
}

/**
 * `add /<list>/-` to a record without that list starts the list: PDS's minimal record (no name, no
 * address) takes its first name this way (patient-patch.yaml: "use the patient with minimal data,
 * 9000000033, to test adding all data types"), where RFC 6902 alone would find no parent.
 */
function startList(doc: unknown, op: Operation): void {
  if (op.op !== 'add') return
  const [list, index, ...rest] = pointerTokens(op.path)
  if (index !== '-' || rest.length > 0 || list === undefined || !(PATIENT_LISTS as readonly string[]).includes(list)) return
  const d = doc as Record<string, unknown>
  if (typeof doc === 'object' && doc !== null && d[list] === undefined) d[list] = []
}

/** The document a patch makes of the record: not yet validated (prepareUpdate does that). */
export function applyJsonPatch(current: Patient, body: unknown): Result<unknown> {
  const parsed = parsePatch(body)
  if (!parsed.ok) return parsed
  let doc: unknown = structuredClone(current)
  const state = new PatchState()
  for (const [i, op] of parsed.value.entries()) {
    const refused = checkOperation(doc, op, i, state)
    if (refused !== undefined) return fail(refused)
    startList(doc, op)
    const before = op.path.startsWith('/name') || op.path === '' ? structuredClone(doc) : doc
    try {
      // validate true: check the operation against the document; mutate true: on our copy, so no
      // clone per operation; banPrototypeModifications true: never touch __proto__.
      doc = jsonpatch.applyOperation(doc, op, true, true, true, i).newDocument
    } catch (e) {
      return fail(applyError(e, i, op))
    }
    const afterwards = checkResult(before, doc, i, op)
    if (afterwards !== undefined) return fail(afterwards)
    state.applied(op, doc)
  }
  const legacy = checkLegacyValues(current, doc) ?? checkChangedAddresses(current, doc)
  if (legacy !== undefined) return fail(legacy)
  return ok(doc)
}

/** A whole PATCH: If-Match, then the operations, then the checks every update gets. */
export function patchPatient(current: Patient, ifMatch: string | undefined, body: unknown, now: Date): Result<Patient> {
  const matched = checkIfMatch(ifMatch, current)
  if (!matched.ok) return matched
  const patched = applyJsonPatch(current, body)
  if (!patched.ok) return patched
  return prepareUpdate(current, patched.value, now)
}
