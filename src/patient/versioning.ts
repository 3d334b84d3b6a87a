/**
 * Record versions, as PDS has them: meta.versionId is "1" on creation and goes up by one with every
 * change; a read returns it as the weak ETag W/"n"; an update must send that ETag back in If-Match and
 * is refused if the record has changed since (optimistic concurrency: nobody's edit is overwritten by
 * someone who never saw it). A missing or malformed If-Match is 412 PRECONDITION_FAILED, a stale one
 * 409 RESOURCE_VERSION_MISMATCH. Under the HTTP layer, versions ride on the store's causal context; this
 * file only decides, from values, whether an update may go ahead and what the new record is.
 */
import { fail, ok, patientError, type PatientError, type Result } from './errors.js'
import { PATIENT_LIMITS } from './limits.js'
import { versionOf, type Patient } from './record.js'
import { validatePatient } from './validate.js'
import { withElementIds } from './elementIds.js'

/** The ETag of a version: W/"3". Weak, as in PDS: it names a version of the record, not a byte string. */
export function formatEtag(version: number | string): string {
  return `W/"${version}"`
}

export function etagOf(p: Patient): string {
  return formatEtag(p.meta.versionId)
}

const ETAG = /^W\/"([1-9][0-9]{0,15})"$/

function malformed(header: string): PatientError<'PRECONDITION_FAILED'> {
  const shown = header.length > 40 ? `${header.slice(0, 37)}...` : header
  return patientError('PRECONDITION_FAILED', `Invalid If-Match header '${shown}': it must be the ETag of the version read, as W/"<version>"`, {
    parameter: 'If-Match',
  })
}

/**
 * The version an ETag names. Only PDS's form W/"n" is accepted: not `*` (an update must name the
 * version it was made from), not a list, not a strong "n" (which would claim byte-equality we do not give).
 */
export function parseEtag(header: string): Result<number, PatientError<'PRECONDITION_FAILED'>> {
  const m = ETAG.exec(header.trim())
  const version = m === null ? NaN : Number(m[1])
  if (!Number.isSafeInteger(version)) return fail(malformed(header))
  return ok(version)
}

/**
 * May an update sent with this If-Match go ahead against the current record? Gives the matched version.
 * Missing (or empty) → PRECONDITION_FAILED; malformed → PRECONDITION_FAILED; another version →
 * RESOURCE_VERSION_MISMATCH, with both versions in data so the client can tell it must read again.
 */
export function checkIfMatch(ifMatch: string | undefined, current: Patient): Result<number> {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    return fail(patientError('PRECONDITION_FAILED', 'Missing If-Match header: send the ETag of the version being updated', { parameter: 'If-Match' }))
  }
  const parsed = parseEtag(ifMatch)
  if (!parsed.ok) return parsed
  const currentVersion = versionOf(current)
  if (parsed.value !== currentVersion) {
    return fail(
      patientError('RESOURCE_VERSION_MISMATCH', `Version ${parsed.value} is not the current version ${currentVersion} of Patient ${current.id}: read it again and reapply the change`, {
        parameter: 'If-Match',
        data: { requested: parsed.value, current: currentVersion },
      }),
    )
  }
  return ok(currentVersion)
}

/** Fields only the server sets (meta.versionId, meta.lastUpdated, missing element ids); a body may repeat them as read, or leave them out. */
function withServerMeta(body: Patient, version: number, now: Date): Patient {
  return { ...withElementIds(body), meta: { ...body.meta, versionId: String(version), lastUpdated: now.toISOString() } }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

/** The body with meta.versionId filled in when the client left it (or meta) out; anything else as sent. */
function withDefaultVersion(body: unknown, versionId: string): unknown {
  const obj = asObject(body)
  if (obj === undefined) return body
  const meta = asObject(obj.meta)
  if (obj.meta !== undefined && meta === undefined) return body // a malformed meta is the schema's to report
  return { ...obj, meta: { ...meta, versionId: meta?.versionId ?? versionId } }
}

/**
 * A new record: version 1. The body may leave meta (or meta.versionId) out, as a client creating a
 * record has no version to give; any versionId it does give must be "1".
 */
export function prepareCreate(body: unknown, now: Date): Result<Patient> {
  const checked = validatePatient(withDefaultVersion(body, '1'), now)
  if (!checked.ok) return checked
  if (checked.value.meta.versionId !== '1') {
    return fail(patientError('INVALID_UPDATE', 'A new record starts at version 1: leave meta.versionId out or send "1"', { path: 'meta.versionId' }))
  }
  return ok(withServerMeta(checked.value, 1, now))
}

/**
 * A body without a security label keeps the current one: lifting a restriction must be said
 * (security [{ code: 'U' }]), never the side effect of a client that sent meta without it.
 */
function keepSecurity(current: Patient, next: Patient): Patient {
  if (next.meta.security !== undefined || current.meta.security === undefined) return next
  return { ...next, meta: { ...next.meta, security: structuredClone(current.meta.security) } }
}

/**
 * The record that replaces `current` (a PUT body, or the result of a patch): valid, the same NHS number
 * (an update cannot move a record; merging numbers is a separate operation), and carrying the version it
 * was made from — a body claiming another version would be a stale copy. If-Match must have been checked
 * first (checkIfMatch); this gives the new record at the next version. meta.versionId may be left out,
 * since If-Match already named the version.
 */
export function prepareUpdate(current: Patient, candidate: unknown, now: Date): Result<Patient> {
  const checked = validatePatient(withDefaultVersion(candidate, current.meta.versionId), now)
  if (!checked.ok) return checked
  const next = checked.value
  if (next.id !== current.id) {
    return fail(patientError('INVALID_UPDATE', `The NHS number cannot be changed by an update (from ${current.id} to ${next.id})`, { path: 'id' }))
  }
  if (next.meta.versionId !== current.meta.versionId) {
    return fail(
      patientError('INVALID_UPDATE', `meta.versionId is set by the server: send the version read (${current.meta.versionId}), not ${next.meta.versionId}`, {
        path: 'meta.versionId',
      }),
    )
  }
  const version = versionOf(current) + 1
  if (version > PATIENT_LIMITS.maxVersion) return fail(patientError('INVALID_UPDATE', 'The record has reached its last version number', { path: 'meta.versionId' }))
  return ok(withServerMeta(keepSecurity(current, next), version, now))
}

/** A whole PUT of an existing record: If-Match, then the replacement's checks. */
export function replacePatient(current: Patient, ifMatch: string | undefined, body: unknown, now: Date): Result<Patient> {
  const matched = checkIfMatch(ifMatch, current)
  if (!matched.ok) return matched
  return prepareUpdate(current, body, now)
}
