/** An in-memory stand-in for the client's patient API (kv.patients), for the PDS workload's tests. */
import type { PatientSearch, PdsClient } from '../../bench/harness/workloads/pdsClient.js'
import type { LoadResult, PatientSearchResult } from '../../src/client/patients.js'
import type { Patient } from '../../src/patient/record.js'

function apiError(code: string, status: number): Error {
  return Object.assign(new Error(code), { code, status })
}

export class FakePds implements PdsClient {
  readonly records = new Map<string, { patient: Patient; version: number }>()
  readonly searches: PatientSearch[] = []
  readonly updates: Array<{ nhs: string; ifMatch: string }> = []
  readonly creates: string[] = []

  async get(nhs: string): Promise<{ patient: Patient; etag: string }> {
    const r = this.records.get(nhs)
    if (!r) throw apiError('RESOURCE_NOT_FOUND', 404)
    return { patient: r.patient, etag: `W/"${r.version}"` }
  }

  async create(record: Patient | unknown): Promise<{ patient: Patient; etag: string }> {
    const p = record as Patient
    if (this.records.has(p.id)) throw apiError('INVALID_VALUE', 422)
    this.records.set(p.id, { patient: p, version: 1 })
    this.creates.push(p.id)
    return { patient: p, etag: 'W/"1"' }
  }

  async update(nhs: string, _change: unknown, opts: { ifMatch: string }): Promise<{ patient: Patient; etag: string }> {
    const r = this.records.get(nhs)
    if (!r) throw apiError('RESOURCE_NOT_FOUND', 404)
    this.updates.push({ nhs, ifMatch: opts.ifMatch })
    if (opts.ifMatch !== `W/"${r.version}"`) throw apiError('RESOURCE_VERSION_MISMATCH', 409)
    r.version++
    return { patient: r.patient, etag: `W/"${r.version}"` }
  }

  async search(q: PatientSearch): Promise<PatientSearchResult> {
    this.searches.push(q)
    const hits = [...this.records.values()].filter((r) => r.patient.birthDate === q.birthdate).map((r) => ({ patient: r.patient, score: 1 }))
    return { total: hits.length, entries: hits, stats: { nodes: 1, indexEntries: hits.length, candidates: hits.length } }
  }

  async loadBatch(records: readonly unknown[]): Promise<LoadResult> {
    for (const p of records as Patient[]) this.records.set(p.id, { patient: p, version: 1 })
    return { stored: records.length, errors: [] }
  }
}
