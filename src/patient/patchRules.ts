/**
 * PDS's rules for a JSON Patch, checked operation by operation against the record as the earlier
 * operations left it (specification/components/paths/patient-patch.yaml; the diagnostics are the ones
 * PDS's own tests expect, karate-tests/.../updatePatientDetails/*.feature):
 *  - a new top-level list item is added at `/<list>/-`, never at an index;
 *  - an index beyond its list is INVALID_UPDATE "index 'n' is out of bounds" (for a `test` too);
 *  - removing a list item needs a `test` of that item (its id, its url, or the whole object)
 *    immediately before it;
 *  - any other change to an existing list item must name the item: a whole-item replace carries the
 *    item's id (extensions: url); a change inside an item comes after an operation on its id (or url)
 *    giving the item's current value, or after a `test` of the whole item;
 *  - the usual name, gender, birthDate and deceasedDateTime cannot be removed (403 FORBIDDEN_UPDATE);
 *    a second usual name cannot be added (checked on the result, in patch.ts);
 *  - legacy values PDS returns but no longer lets an update set (UNSUPPORTED_VALUE): gender `other`,
 *    a `work` address, death notification status `U`.
 * Items without an id or url (legacy data; an identifier) cannot be named, so they need no naming.
 */
import type { Operation } from 'fast-json-patch'
import { patientError, type PatientError } from './errors.js'
import { EXT, PATIENT_LISTS } from './codes.js'

type ListName = (typeof PATIENT_LISTS)[number]
const LISTS: ReadonlySet<string> = new Set(PATIENT_LISTS)

/** Elements PDS never lets an update remove (patient-patch.yaml: Date of birth, Date of death, Gender: "cannot be removed"). */
const NOT_REMOVABLE: ReadonlySet<string> = new Set(['gender', 'birthDate', 'deceasedDateTime'])

export type RuleError = PatientError<'INVALID_UPDATE' | 'FORBIDDEN_UPDATE' | 'UNSUPPORTED_VALUE'>

function invalid(message: string, index: number, op: Operation): RuleError {
  return patientError('INVALID_UPDATE', `Invalid update with error - ${message}`, { parameter: 'patch', data: { index, operation: op } })
}

function forbidden(message: string, index: number, op: Operation): RuleError {
  return patientError('FORBIDDEN_UPDATE', `Forbidden update with error - ${message}`, { parameter: 'patch', data: { index, operation: op } })
}

/** RFC 6901: '/name/0/given' → ['name', '0', 'given']. */
export function pointerTokens(path: string): string[] {
  return path === '' ? [] : path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function record(x: unknown): Record<string, unknown> | undefined {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined
}

/** What names an item of a list: its element id, or for an extension its url. */
function keyOf(list: ListName): 'id' | 'url' {
  return list === 'extension' ? 'url' : 'id'
}

/** The item's naming value, when it has one. */
function nameOf(list: ListName, item: unknown): string | undefined {
  const v = record(item)?.[keyOf(list)]
  return typeof v === 'string' ? v : undefined
}

/** Per patch: which existing items an earlier operation has named (by list and id/url, not index: indexes move). */
export class PatchState {
  private readonly named = new Set<string>()
  private previous: Operation | undefined

  mark(list: ListName, name: string): void {
    this.named.add(`${list}\u0000${name}`)
  }

  isNamed(list: ListName, name: string): boolean {
    return this.named.has(`${list}\u0000${name}`)
  }

  /** Called after each operation applies. */
  applied(op: Operation, doc: unknown): void {
    this.previous = op
    // A test that held of a whole item, or of its id/url, names that item for what follows.
    if (op.op !== 'test') return
    const [list, index, field, ...rest] = pointerTokens(op.path)
    if (list === undefined || !LISTS.has(list) || index === undefined || rest.length > 0) return
    const l = list as ListName
    if (field !== undefined && field !== keyOf(l)) return
    const item = (record(doc)?.[l] as unknown[] | undefined)?.[Number(index)]
    const name = nameOf(l, item)
    if (name !== undefined) this.mark(l, name)
  }

  get last(): Operation | undefined {
    return this.previous
  }
}

function isUsualName(item: unknown): boolean {
  return record(item)?.use === 'usual'
}

/** The reason `op` (the index-th) may not apply to `doc`, or undefined if PDS's rules let it. */
export function checkOperation(doc: unknown, op: Operation, index: number, state: PatchState): RuleError | undefined {
  const tokens = pointerTokens(op.path)
  const [top, itemToken, field] = tokens
  if (top === undefined) return undefined
  if (tokens.length === 1) {
    if (op.op === 'remove' && NOT_REMOVABLE.has(top)) return forbidden(`source not permitted to remove '${top}'`, index, op)
    if (op.op === 'remove' && top === 'name' && ((record(doc)?.name as unknown[] | undefined) ?? []).some(isUsualName)) {
      return forbidden('not permitted to remove usual name', index, op)
    }
    return undefined
  }
  if (!LISTS.has(top)) return undefined
  const list = top as ListName
  const items = record(doc)?.[list]
  if (itemToken === '-') {
    // Appending: only a new top-level item, with `add`; anything else is fast-json-patch's to refuse.
    return undefined
  }
  if (op.op === 'add' && tokens.length === 2) {
    return invalid(`a new '${list}' item is added at '/${list}/-', not at '${op.path}': the server decides the order of the list`, index, op)
  }
  if (itemToken === undefined || !/^(0|[1-9][0-9]*)$/.test(itemToken)) return undefined // not an index: fast-json-patch refuses it
  const root = `/${list}/${itemToken}`
  if (op.op === 'remove' && tokens.length === 2) {
    // The shape of the patch first, whatever the record holds (as PDS's sandbox checks it).
    const prev = state.last
    const tested = prev !== undefined && prev.op === 'test' && (prev.path === root || prev.path === `${root}/id` || prev.path === `${root}/url`)
    if (!tested) {
      const instead = prev === undefined ? 'the first item' : `'${prev.op} ${prev.path}'`
      return invalid(`removal '${op.path}' is not immediately preceded by equivalent test - instead it is ${instead}`, index, op)
    }
  }
  const at = Number(itemToken)
  if (!Array.isArray(items) || at >= items.length) return invalid(`Invalid patch - index '${itemToken}' is out of bounds`, index, op)
  const item: unknown = items[at]
  const name = nameOf(list, item)

  if (op.op === 'remove' && tokens.length === 2) return list === 'name' && isUsualName(item) ? forbidden('not permitted to remove usual name', index, op) : undefined
  if (op.op === 'test' || name === undefined) return undefined

  const key = keyOf(list)
  const missing = (): RuleError => invalid(`no id or url found for path with root ${root}`, index, op)
  const other = (given: unknown): RuleError => invalid(`no '${list}' resources with object ${key === 'id' ? 'id' : 'url'} '${String(given)}'`, index, op)
  if (tokens.length === 2) {
    // A whole-item replace: the new value carries the item's id (or url).
    const given = record((op as { value?: unknown }).value)?.[key]
    if (given === undefined) return missing()
    return given === name ? undefined : other(given)
  }
  if (field === key && tokens.length === 3) {
    if (op.op === 'remove') return invalid(`the ${key} of '${root}' is set by the server and cannot be removed`, index, op)
    const given = (op as { value?: unknown }).value
    if (given !== name) return other(given)
    state.mark(list, name)
    return undefined
  }
  return state.isNamed(list, name) ? undefined : missing()
}

/** The check on the patched record: at most one usual name (FORBIDDEN_UPDATE), and the usual name kept. */
export function checkResult(before: unknown, after: unknown, index: number, op: Operation): RuleError | undefined {
  if (record(after) === undefined) return undefined // not a record at all: validation reports that
  const usual = (doc: unknown): number => ((record(doc)?.name as unknown[] | undefined) ?? []).filter(isUsualName).length
  if (usual(after) > 1 && usual(after) > usual(before)) return forbidden('multiple usual names cannot be added', index, op)
  if (usual(before) > 0 && usual(after) === 0) return forbidden('not permitted to remove usual name', index, op)
  return undefined
}

/** The death notification status code of a record, if it has one. */
function deathStatus(doc: unknown): unknown {
  const ext = (record(doc)?.extension as unknown[] | undefined)?.find((e) => record(e)?.url === EXT.deathNotificationStatus)
  const sub = (record(ext)?.extension as unknown[] | undefined)?.find((e) => record(e)?.url === 'deathNotificationStatus')
  return ((record(record(sub)?.valueCodeableConcept)?.coding as unknown[] | undefined)?.[0] as { code?: unknown } | undefined)?.code
}

function unsupported(value: string, field: string): RuleError {
  return patientError('UNSUPPORTED_VALUE', `Unsupported value - '${value}' in field '${field}': PDS returns it for legacy data but an update cannot set it`, { path: field })
}

/**
 * Values the patched record may hold only if the record already held them (patient-patch.yaml: gender
 * "cannot set gender to other"; address "work ... cannot be added or replaced"; DeathNotificationStatus
 * "U - Removed ... cannot be used on an update"; the error table's UNSUPPORTED_VALUE).
 */
export function checkLegacyValues(before: unknown, after: unknown): RuleError | undefined {
  const a = record(after)
  if (a === undefined) return undefined
  if (a.gender === 'other' && record(before)?.gender !== 'other') return unsupported('other', 'gender')
  const kept = new Set(((record(before)?.address as unknown[] | undefined) ?? []).map((x) => JSON.stringify(x)))
  const work = ((a.address as unknown[] | undefined) ?? []).findIndex((x) => record(x)?.use === 'work' && !kept.has(JSON.stringify(x)))
  if (work >= 0) return unsupported('work', `address[${work}].use`)
  if (deathStatus(after) === 'U' && deathStatus(before) !== 'U') return unsupported('U', 'extension.deathNotificationStatus')
  return undefined
}

/**
 * Temporary and billing addresses added or changed by a patch (patient-patch.yaml, Address): "any temp
 * address must have both a period start and a period end date", likewise billing, and "where a temp
 * address is provided a description must be sent using the text field". An address the patch leaves
 * as it was is not judged (PDS returns legacy ones). INVALID_UPDATE, the error table's "client error
 * after the patch was accepted".
 */
export function checkChangedAddresses(before: unknown, after: unknown): RuleError | undefined {
  const kept = new Set(((record(before)?.address as unknown[] | undefined) ?? []).map((x) => JSON.stringify(x)))
  const addresses = (record(after)?.address as unknown[] | undefined) ?? []
  for (const [i, x] of addresses.entries()) {
    const a = record(x)
    if (a === undefined || kept.has(JSON.stringify(x)) || (a.use !== 'temp' && a.use !== 'billing')) continue
    const period = record(a.period)
    const fail = (why: string): RuleError => patientError('INVALID_UPDATE', `Invalid update with error - a ${String(a.use)} address ${why} (address[${i}])`, { path: `address[${i}]` })
    if (period?.start === undefined || period.end === undefined) return fail('must have a period with a start and an end date')
    if (a.use === 'temp' && a.text === undefined) return fail("must have a description in 'text' (e.g. Student Accommodation)")
  }
  return undefined
}
