/**
 * `kv.patients`: typed patient records over the client port. Reads and writes go straight to a
 * primary of the NHS number's preference list; searches to any member, in turn. A record failure
 * (invalid body, stale If-Match, not found, too many matches) is a PatientApiError carrying the PDS
 * code and HTTP status the `/Patient` routes use; a store failure stays a SpineError.
 */
import type { Operation } from 'fast-json-patch'
import { PATIENT_ERROR_CODES, type PatientError, type PatientErrorCode } from '../patient/errors.js'
import type { Patient } from '../patient/record.js'
import { PATIENT } from '../config.js'
import { sendInParts } from './batches.js'

export type { Patient } from '../patient/record.js'
export type JsonPatchOperation = Operation
/** PDS's form of a patch (patient-patch.yaml): the operations wrapped in an object. */
export interface PdsPatch {
  patches: readonly JsonPatchOperation[]
}

export class PatientApiError extends Error {
  readonly code: PatientErrorCode
  readonly status: number
  /** Every error the server reported (a body can fail in several fields at once). */
  readonly errors: readonly PatientError[]

  constructor(errors: readonly [PatientError, ...PatientError[]]) {
    super(errors.map((e) => e.message).join('; '))
    this.name = 'PatientApiError'
    this.code = errors[0].code
    this.status = PATIENT_ERROR_CODES[errors[0].code]?.status ?? 500
    this.errors = errors
  }
}

export interface PatientResult {
  readonly patient: Patient
  /** W/"n": send it back as ifMatch to update. */
  readonly etag: string
  /** The number asked for, when it was superseded and this is the retained record. */
  readonly supersededFrom?: string
}

export interface PatientSearch {
  family?: string
  given?: string | string[]
  gender?: 'male' | 'female' | 'other' | 'unknown'
  /** `1970-01-01`, `eq1970-01-01`, or `['ge1970-01-01', 'le1975-12-31']`. Required. */
  birthdate: string | string[]
  postcode?: string
  generalPractitioner?: string
  fuzzy?: boolean
  history?: boolean
  exactMatch?: boolean
  maxResults?: number
}

export interface PatientSearchResult {
  readonly total: number
  readonly entries: readonly { readonly patient: Patient; readonly score: number }[]
  readonly stats: { readonly nodes: number; readonly indexEntries: number; readonly candidates: number }
}

export interface LoadResult {
  readonly stored: number
  readonly errors: readonly { index: number; code: string; message: string }[]
}

/** How the client reaches nodes: by key (a primary first) or any member. */
export interface PatientTransport {
  byKey(nhs: string, body: Record<string, unknown>, idempotent: boolean): Promise<unknown>
  any(body: Record<string, unknown>, idempotent: boolean, timeoutMs?: number): Promise<unknown>
}

type Wire<T> = ({ ok: true } & T) | { ok: false; errors: [PatientError, ...PatientError[]] }

function unwrap<T>(reply: unknown): T {
  const r = reply as Wire<T>
  if (!r.ok) throw new PatientApiError(r.errors)
  const { ok: _ok, ...rest } = r
  return rest as unknown as T
}

/** The typed query as PDS's search parameters. */
export function searchParams(q: PatientSearch): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  const put = (k: string, v: string | string[] | number | boolean | undefined): void => {
    if (v === undefined) return
    out[k] = Array.isArray(v) ? v : [String(v)]
  }
  put('family', q.family)
  put('given', q.given)
  put('gender', q.gender)
  put('birthdate', q.birthdate)
  put('address-postalcode', q.postcode)
  put('general-practitioner', q.generalPractitioner)
  put('_fuzzy-match', q.fuzzy)
  put('_history', q.history)
  put('_exact-match', q.exactMatch)
  put('_max-results', q.maxResults)
  return out
}

export class PatientsClient {
  constructor(private readonly t: PatientTransport) {}

  async get(nhs: string): Promise<PatientResult> {
    return unwrap(await this.t.byKey(nhs, { op: 'pget', nhs }, true))
  }

  /** A new record (its id is the NHS number); INVALID_UPDATE if the number is in use. */
  async create(record: Patient | Record<string, unknown>): Promise<PatientResult> {
    const nhs = typeof record.id === 'string' ? record.id : ''
    return unwrap(await this.t.byKey(nhs, { op: 'pcreate', record }, false))
  }

  /**
   * A whole replacement, or JSON Patch operations (the RFC's array, or PDS's { patches: [...] }), made
   * from the version `ifMatch` names. Patches follow PDS's rules (docs/api.md): a `test` before a
   * list-item `remove`, the item's id (or an extension's url) for a change inside it.
   */
  async update(nhs: string, change: Patient | PdsPatch | readonly JsonPatchOperation[], opts: { ifMatch: string }): Promise<PatientResult> {
    const isPatch = Array.isArray(change) || (typeof change === 'object' && change !== null && 'patches' in change)
    const body = isPatch ? { op: 'ppatch', nhs, ifMatch: opts.ifMatch, patch: change } : { op: 'pput', nhs, ifMatch: opts.ifMatch, record: change }
    return unwrap(await this.t.byKey(nhs, body, false))
  }

  async search(q: PatientSearch): Promise<PatientSearchResult> {
    const r = unwrap<Omit<PatientSearchResult, 'total'>>(await this.t.any({ op: 'psearch', params: searchParams(q) }, true))
    return { ...r, total: r.entries.length }
  }

  /** `source` becomes an alias of `target` (two registrations of one patient); gives the retained record. */
  async merge(source: string, target: string): Promise<PatientResult> {
    return unwrap(await this.t.byKey(source, { op: 'pmerge', source, target }, false))
  }

  /**
   * Bulk load of new records (at most PATIENT.maxLoadBatch): validated, written without a read. A
   * batch whose request would not fit a frame (records of up to PATIENT.maxRecordBytes each) is
   * halved and sent as parts, one after another; nothing is measured on the way when it fits.
   */
  async loadBatch(records: readonly unknown[]): Promise<LoadResult> {
    // A batch is many writes: it gets its own, longer budget than one operation's.
    const r = await sendInParts([records], async (part) => (await this.t.any({ op: 'pload', records: part }, false, PATIENT.loadBatchTimeoutMs)) as LoadResult)
    return { stored: r.stored, errors: [...r.errors] }
  }
}
