/**
 * Validation of a Patient body: the zod schema, then the checks that depend on the current time, with
 * every failure turned into a field-level PDS error ({ code, path: 'name[0].family', message }). Never
 * throws for bad input: the HTTP layer answers 400 with the errors as an OperationOutcome.
 */
import type { core } from 'zod'
import type { FieldError, FieldErrorCode } from './errors.js'
import { dateInterval, isFhirDateTime, ukDate } from './dates.js'
import { PatientSchema } from './schema.js'
import type { Patient } from './record.js'
import { wireText } from '../shared/wireText.js'

export type ValidationResult =
  | { readonly ok: true; readonly value: Patient }
  | { readonly ok: false; readonly errors: readonly [FieldError, ...FieldError[]] }

type PathKey = PropertyKey

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** ['name', 0, 'family'] → 'name[0].family'; odd keys in brackets so the path stays unambiguous. */
export function formatPath(path: readonly PathKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`
    else out += `[${JSON.stringify(String(key))}]`
  }
  return out
}

/** The value at a path of the raw input, and whether the last key was present at all. */
function lookup(input: unknown, path: readonly PathKey[]): { present: boolean; value: unknown } {
  let cur: unknown = input
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || typeof key === 'symbol') return { present: false, value: undefined }
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return { present: false, value: undefined }
    cur = (cur as Record<string | number, unknown>)[key]
  }
  return { present: cur !== undefined, value: cur }
}

/**
 * A submitted value, short, for a diagnostic: enough to recognise, never a whole oversized field.
 * wireText, not JSON.stringify: a record from the client port can hold a bigint (msgpack's 64-bit
 * integers decode as one), which JSON.stringify throws on (found by src/api/clientHandler.fuzz.test.ts).
 */
function shown(value: unknown): string {
  const s = typeof value === 'string' ? value : wireText(value)
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}

/** Why a value is wrong, in words that do not depend on zod's wording (which changes between versions). */
function reason(issue: core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`
    case 'too_big':
      return issue.origin === 'array' ? `must have at most ${issue.maximum} entries` : `must be at most ${issue.maximum} characters`
    case 'too_small':
      return issue.origin === 'array' ? `must have at least ${issue.minimum} entries` : `must be at least ${issue.minimum} characters`
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => String(v)).join(', ')}`
    case 'invalid_union':
      // An extension told apart by its url names the url (zod's own message lists every url: too long to show).
      return issue.path.at(-1) === 'url' ? 'is not an extension url PDS defines here' : 'does not have a shape PDS allows here (see docs/api.md)'
    default:
      return issue.message // our own messages, given in schema.ts
  }
}

function fieldError(code: FieldErrorCode, path: string, message: string): FieldError {
  return { code, path, message }
}

/** One zod issue as PDS errors (an unrecognised-keys issue names several fields, so it gives several). */
function errorsOf(issue: core.$ZodIssue, input: unknown): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => {
      const path = formatPath([...issue.path, k])
      return fieldError('ADDITIONAL_PROPERTIES', path, `Additional property - '${path}' is not allowed`)
    })
  }
  const path = formatPath(issue.path)
  const at = lookup(input, issue.path)
  if (path === '') return [fieldError('INVALID_VALUE', path, `Invalid value - the body ${reason(issue)}`)]
  if (!at.present) return [fieldError('MISSING_VALUE', path, `Missing value - '${path}'`)]
  if (path === 'id') return [fieldError('INVALID_RESOURCE_ID', path, `Invalid NHS number - '${shown(at.value)}' in field 'id': ${reason(issue)}`)]
  return [fieldError('INVALID_VALUE', path, `Invalid value - '${shown(at.value)}' in field '${path}': ${reason(issue)}`)]
}

/** The dates that must not lie in the future, as paths into the body (a period may end in the future,
 * e.g. a temporary address, but PDS refuses one that starts there). */
function datesNotInFuture(input: unknown): PathKey[][] {
  const paths: PathKey[][] = [['birthDate'], ['deceasedDateTime']]
  for (const field of ['name', 'address', 'telecom', 'contact']) {
    const items = lookup(input, [field]).value
    if (Array.isArray(items)) items.forEach((_, i) => paths.push([field, i, 'period', 'start']))
  }
  return paths
}

/**
 * Checks against `now`, made on the raw input so that they are reported together with the schema's
 * errors; a value that is not a valid date is left to the schema.
 */
function futureDateErrors(input: unknown, now: Date): FieldError[] {
  const out: FieldError[] = []
  const today = ukDate(now) // once: formatting in a time zone is the costly part
  for (const keys of datesNotInFuture(input)) {
    const { value } = lookup(input, keys)
    if (typeof value !== 'string' || !isFhirDateTime(value) || dateInterval(value).first <= today) continue
    const path = formatPath(keys)
    out.push(fieldError('INVALID_VALUE', path, `Invalid value - '${value}' in field '${path}': must not be in the future`))
  }
  return out
}

/** One error per field, the first found: a value that is both too long and badly formed needs fixing once. */
function firstPerPath(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>()
  const out: FieldError[] = []
  for (const e of errors) {
    if (seen.has(e.path)) continue
    seen.add(e.path)
    out.push(e)
  }
  return out
}

/**
 * Validate a Patient body. `now` decides what "in the future" means (pass the request's time; never
 * read from the clock here, so tests and replays are repeatable). The value on success is the parsed
 * record, with postcodes in display form; on failure, every error found, schema errors first.
 */
export function validatePatient(input: unknown, now: Date): ValidationResult {
  const parsed = PatientSchema.safeParse(input)
  const schemaErrors = parsed.success ? [] : parsed.error.issues.flatMap((issue) => errorsOf(issue, input))
  const [first, ...rest] = firstPerPath([...schemaErrors, ...futureDateErrors(input, now)])
  if (first !== undefined) return { ok: false, errors: [first, ...rest] }
  if (parsed.success) return { ok: true, value: parsed.data }
  // zod never fails without an issue; this keeps the types honest rather than asserting.
  return { ok: false, errors: [fieldError('INVALID_VALUE', '', 'Invalid value - the body is not a Patient')] }
}
