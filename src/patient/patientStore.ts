/**
 * Patient records over the KV store: the operations behind `/Patient` and the client's
 * `kv.patients`. A record is the value of key NHS number in bucket pds/Patient; its version rides
 * on the object's causal context, so an update is a read (R), an If-Match check on the merged
 * record, and a write with the read's context (W). Two updates that pass the check at once both
 * write with the same context and become siblings; every later read merges them (merge.ts) and
 * the next update, sent with the read's context, replaces both with one record.
 * Failures of the record (bad body, stale version, not found) are Results; failures of the store
 * (quorum, timeout) are thrown SpineErrors.
 */
import { liveSiblings, type KvObject } from '../core/object.js'
import type { VClock } from '../core/vclock.js'
import { encodeContext } from '../core/objectCodec.js'
import type { KvEnv } from '../kv/env.js'
import { kvGet } from '../kv/getFsm.js'
import { kvPut } from '../kv/putFsm.js'
import { batchReport, kvPutMany } from '../kv/putMany.js'
import type { PutRequest } from '../kv/forward.js'
import { decodeAlias, encodeAlias } from './alias.js'
import { fail, fromStoreError, ok, patientError, type Result } from './errors.js'
import { SpineError, toSpineError } from '../shared/errors.js'
import { PATIENT_LIMITS } from './limits.js'
import { mergeSiblings } from './merge.js'
import { isValidNhsNumber } from './nhsNumber.js'
import { patchPatient } from './patch.js'
import { securityCodeOf, type Patient } from './record.js'
import { readView, searchView } from './restrict.js'
import { parseSearchQuery } from './searchQuery.js'
import { coordinateSearch } from './searchCoordinator.js'
import type { LocalPlanEntry, LocalSearchResult, WireParams } from './searchWire.js'
import type { PatientSearchQuery } from './searchQuery.js'
import { ALIAS_CONTENT_TYPE, PATIENT_CONTENT_TYPE, encodePatient, patientBKey, storedPatients } from './storeIndex.js'
import { etagOf, prepareCreate, replacePatient } from './versioning.js'
import { indexTerms } from './indexTerms.js'

/** A record as a client sees it: the view its security label allows, and its ETag. */
export interface PatientReply {
  readonly patient: Patient
  readonly etag: string
  /** Set when the number asked for was superseded: the record is the retained one. */
  readonly supersededFrom?: string
}

export interface SearchReply {
  readonly entries: { readonly patient: Patient; readonly score: number }[]
  readonly stats: { readonly nodes: number; readonly indexEntries: number; readonly candidates: number }
}

export interface LoadReply {
  readonly stored: number
  /** Records not stored: their position in the batch and why (a PDS code, or the store's). */
  readonly errors: { index: number; code: string; message: string }[]
}

/** The key's content: a record (siblings merged), an alias, or nothing. */
type Stored =
  | { kind: 'absent'; context: VClock }
  | { kind: 'record'; patient: Patient; context: VClock }
  | { kind: 'alias'; to: string; context: VClock }

export interface PatientStoreDeps {
  env: KvEnv
  /** This node's part of a search (localSearch over its backend). */
  localSearch(query: PatientSearchQuery, plan: LocalPlanEntry[]): Promise<LocalSearchResult>
}

export class PatientStore {
  constructor(private readonly deps: PatientStoreDeps) {}

  private now(): Date {
    return new Date(this.deps.env.clock.now())
  }

  private async fetch(nhs: string): Promise<Stored> {
    const { obj, context } = await kvGet(this.deps.env, patientBKey(nhs))
    return storedOf(obj, context, (n, merged) => this.deps.env.log.info({ nhs, superseded: n, versionId: merged }, 'patient siblings merged'))
  }

  /** The record a number reads as, following superseded numbers; RESOURCE_NOT_FOUND for none. */
  private async resolve(nhs: string): Promise<Result<{ patient: Patient; supersededFrom?: string }>> {
    let at = nhs
    for (let hop = 0; hop <= PATIENT_LIMITS.maxAliasHops; hop++) {
      const s = await this.fetch(at)
      if (s.kind === 'record') return ok(at === nhs ? { patient: s.patient } : { patient: s.patient, supersededFrom: nhs })
      if (s.kind === 'absent') break
      at = s.to
    }
    return fail(notFound(nhs))
  }

  async get(nhs: string): Promise<Result<PatientReply>> {
    const bad = checkNhs(nhs)
    if (bad) return bad
    const r = await this.resolve(nhs)
    if (!r.ok) return r
    const view = readView(r.value.patient)
    if (!view.visible) return fail(notFound(nhs))
    return ok({ patient: view.patient, etag: etagOf(r.value.patient), ...(r.value.supersededFrom ? { supersededFrom: r.value.supersededFrom } : {}) })
  }

  /** A new record at version 1; a number already in use (record or alias) is refused. */
  async create(body: unknown): Promise<Result<PatientReply>> {
    const prepared = prepareCreate(body, this.now())
    if (!prepared.ok) return prepared
    return this.insert(prepared.value, await this.fetch(prepared.value.id))
  }

  /** Store a prepared new record, given what its key holds now. */
  private async insert(p: Patient, current: Stored): Promise<Result<PatientReply>> {
    if (current.kind !== 'absent') {
      return fail(patientError('INVALID_UPDATE', `Patient ${p.id} already exists: read it and update it with If-Match`, { path: 'id', data: { id: p.id } }))
    }
    await this.write(p, current.context)
    return ok(reply(p))
  }

  /** PUT: a whole replacement with If-Match, or a create when the number is not in use and no If-Match is sent. */
  async replace(nhs: string, ifMatch: string | undefined, body: unknown): Promise<Result<PatientReply & { created: boolean }>> {
    const bad = checkNhs(nhs)
    if (bad) return bad
    const id = (body as { id?: unknown } | null)?.id
    if (typeof body === 'object' && body !== null && id !== nhs) {
      return fail(patientError('INVALID_UPDATE', `The body's id (${String(id)}) must be the NHS number in the URL (${nhs})`, { path: 'id' }))
    }
    const current = await this.fetch(nhs)
    if (current.kind === 'absent' && ifMatch === undefined) {
      // The read just made tells whether the number is free: no second read as create() would make.
      const prepared = prepareCreate(body, this.now())
      if (!prepared.ok) return prepared
      const created = await this.insert(prepared.value, current)
      return created.ok ? ok({ ...created.value, created: true }) : created
    }
    return this.update(nhs, current, (p) => replacePatient(p, ifMatch, withHiddenFields(p, body), this.now()))
  }

  /** PATCH: JSON Patch operations on the current record, with If-Match. */
  async patch(nhs: string, ifMatch: string | undefined, body: unknown): Promise<Result<PatientReply & { created: boolean }>> {
    const bad = checkNhs(nhs)
    if (bad) return bad
    return this.update(nhs, await this.fetch(nhs), (p) => patchPatient(p, ifMatch, body, this.now()))
  }

  private async update(nhs: string, current: Stored, change: (p: Patient) => Result<Patient>): Promise<Result<PatientReply & { created: boolean }>> {
    if (current.kind === 'alias') {
      return fail(
        patientError('INVALID_UPDATE', `Patient ${nhs} was superseded by ${current.to}: update the retained record`, { data: { id: nhs, supersededBy: current.to } }),
      )
    }
    // A redacted record reads as not found, so it updates as not found too.
    if (current.kind === 'absent' || securityCodeOf(current.patient) === 'REDACTED') return fail(notFound(nhs))
    const next = change(current.patient)
    if (!next.ok) return next
    await this.write(next.value, current.context)
    return ok({ ...reply(next.value), created: false })
  }

  /**
   * Merge two registrations of one patient: `source` becomes an alias of `target`, which is kept as
   * it is. Both must be records; neither may be an alias; they must differ.
   */
  async supersede(source: string, target: string): Promise<Result<PatientReply>> {
    const bad = checkNhs(source) ?? checkNhs(target)
    if (bad) return bad
    if (source === target) return fail(patientError('INVALID_UPDATE', 'A record cannot supersede itself', { data: { source, target } }))
    const [from, to] = [await this.fetch(source), await this.fetch(target)]
    if (from.kind !== 'record') return fail(from.kind === 'absent' ? notFound(source) : supersededAlready(source, from.to))
    if (to.kind !== 'record') return fail(to.kind === 'absent' ? notFound(target) : supersededAlready(target, to.to))
    const { env } = this.deps
    await kvPut(env, {
      bk: patientBKey(source),
      content: { value: encodeAlias({ id: source, supersededBy: target }), contentType: ALIAS_CONTENT_TYPE, meta: {}, deleted: false },
      opts: { context: encodeContext(from.context) },
    })
    env.log.info({ source, target }, 'patient record superseded')
    const view = readView(to.patient)
    return view.visible ? ok({ patient: view.patient, etag: etagOf(to.patient), supersededFrom: source }) : fail(notFound(target))
  }

  async search(params: WireParams): Promise<Result<SearchReply>> {
    const parsed = parseSearchQuery(params)
    if (!parsed.ok) return parsed
    const query = parsed.value
    const out = await coordinateSearch(this.deps.env, query, params, (plan) => this.deps.localSearch(query, plan))
    if (!out.result.ok) return out.result
    const entries = []
    for (const m of out.result.value) {
      const view = searchView(m.patient, query)
      if (view.visible) entries.push({ patient: view.patient, score: m.score })
    }
    return ok({ entries, stats: { nodes: out.nodes, indexEntries: out.entries, candidates: out.candidates } })
  }

  /**
   * A bulk load of new records (`spinekv load`, the bench's load phase): each validated as a create,
   * then written without the read a create makes, all in one batched quorum write (kvPutMany), so
   * a load costs one write per record and replica and a few messages per batch. Meant for numbers
   * not yet in use; a number that is gets a sibling, which the next read merges.
   */
  async load(records: readonly unknown[]): Promise<LoadReply> {
    const errors: LoadReply['errors'] = []
    const now = this.now()
    const writes: { index: number; req: PutRequest }[] = []
    records.forEach((body, index) => {
      const prepared = prepareCreate(body, now)
      if (!prepared.ok) return void errors.push({ index, code: prepared.errors[0].code, message: prepared.errors[0].message })
      try {
        writes.push({ index, req: this.putOf(prepared.value, []) })
      } catch (e) {
        const err = fromStoreError(toSpineError(e))
        errors.push({ index, code: err.code, message: err.message })
      }
    })
    const outcomes = await kvPutMany(this.deps.env, writes.map((w) => w.req))
    return batchReport(writes.map((w) => w.index), outcomes, errors)
  }

  /** The write of a record; VALUE_TOO_LARGE above PATIENT.maxRecordBytes, which bounds a search reply. */
  private putOf(p: Patient, context: VClock): PutRequest {
    const value = encodePatient(p)
    if (value.byteLength > PATIENT_LIMITS.maxRecordBytes) {
      throw new SpineError('VALUE_TOO_LARGE', `record ${p.id} is ${value.byteLength} bytes; at most ${PATIENT_LIMITS.maxRecordBytes}`, { size: value.byteLength, max: PATIENT_LIMITS.maxRecordBytes })
    }
    return {
      bk: patientBKey(p.id),
      content: { value, contentType: PATIENT_CONTENT_TYPE, meta: {}, deleted: false, terms: indexTerms(p) },
      opts: { context: context.length ? encodeContext(context) : null },
    }
  }

  private async write(p: Patient, context: VClock): Promise<void> {
    await kvPut(this.deps.env, this.putOf(p, context))
  }
}
function storedOf(obj: KvObject | undefined, context: VClock, onMerge: (superseded: number, versionId: string) => void): Stored {
  const live = obj ? liveSiblings(obj) : []
  // An alias concurrent with an update of the old record: the merge of the two registrations stands.
  const alias = live.filter((s) => s.contentType === ALIAS_CONTENT_TYPE).map((s) => decodeAlias(s.value)).find((a) => a !== undefined)
  if (alias) return { kind: 'alias', to: alias.supersededBy, context }
  const [first, ...rest] = obj ? storedPatients(obj) : []
  if (!first) return { kind: 'absent', context }
  if (rest.length === 0) return { kind: 'record', patient: first, context }
  const merged = mergeSiblings([first, ...rest])
  onMerge(merged.superseded.length, merged.patient.meta.versionId)
  return { kind: 'record', patient: merged.patient, context }
}

/**
 * A restricted record is read without address, telecom and GP, so a client replacing it sends a
 * body without them: that is not a request to erase what it was never shown. Fields the body
 * leaves out are kept from the current record; a body that sends them replaces them.
 */
function withHiddenFields(current: Patient, body: unknown): unknown {
  if (securityCodeOf(current) !== 'R' || typeof body !== 'object' || body === null || Array.isArray(body)) return body
  const b = body as Record<string, unknown>
  const kept: Record<string, unknown> = {}
  for (const f of ['address', 'telecom', 'generalPractitioner'] as const) if (b[f] === undefined && current[f] !== undefined) kept[f] = current[f]
  return { ...b, ...kept }
}

function reply(p: Patient): PatientReply {
  const view = readView(p)
  // A client that writes a redacted record gets back what it wrote: it already holds every field.
  return { patient: view.visible ? view.patient : p, etag: etagOf(p) }
}

function checkNhs(nhs: string): Result<never> | undefined {
  if (isValidNhsNumber(nhs)) return undefined
  return fail(patientError('INVALID_RESOURCE_ID', `Invalid NHS number '${String(nhs).slice(0, 20)}': ten digits with a valid modulus 11 check digit`, { parameter: 'id' }))
}

function notFound(nhs: string) {
  return patientError('RESOURCE_NOT_FOUND', `Patient ${nhs} not found`, { data: { id: nhs } })
}

function supersededAlready(nhs: string, by: string) {
  return patientError('INVALID_UPDATE', `Patient ${nhs} was already superseded by ${by}`, { data: { id: nhs, supersededBy: by } })
}
