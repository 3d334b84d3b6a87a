/**
 * The patient operations of the client port (`kv.patients` in the client library). Record
 * failures travel as `{ok: false, errors}` with the PDS codes the HTTP API uses; store failures
 * (quorum, timeout) are thrown as SpineErrors like every other operation's.
 */
import { SpineError } from '../shared/errors.js'
import { PATIENT } from '../config.js'
import type { Result } from '../patient/errors.js'
import type { PatientStore } from '../patient/patientStore.js'

export const PATIENT_OPS = ['pget', 'pcreate', 'pput', 'ppatch', 'psearch', 'pmerge', 'pload'] as const
export type PatientOp = (typeof PATIENT_OPS)[number]

export function isPatientOp(op: string): op is PatientOp {
  return (PATIENT_OPS as readonly string[]).includes(op)
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new SpineError('INVALID_ARGUMENT', `${what} must be a string`, { field: what })
  return v
}

function optStr(v: unknown, what: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, what)
}

/** Search parameters: each a string or a list of strings. */
function params(v: unknown): Record<string, string[]> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SpineError('INVALID_ARGUMENT', 'params must be a map', { field: 'params' })
  const out: Record<string, string[]> = {}
  for (const [k, x] of Object.entries(v)) {
    const list = Array.isArray(x) ? x : [x]
    out[k] = list.map((one) => str(one, `params.${k}`))
  }
  return out
}

function wire<T>(r: Result<T>): unknown {
  return r.ok ? { ok: true, ...r.value } : { ok: false, errors: r.errors }
}

export async function patientOp(store: PatientStore, op: PatientOp, body: Record<string, unknown>): Promise<unknown> {
  switch (op) {
    case 'pget':
      return wire(await store.get(str(body.nhs, 'nhs')))
    case 'pcreate':
      return wire(await store.create(body.record))
    case 'pput':
      return wire(await store.replace(str(body.nhs, 'nhs'), optStr(body.ifMatch, 'ifMatch'), body.record))
    case 'ppatch':
      return wire(await store.patch(str(body.nhs, 'nhs'), optStr(body.ifMatch, 'ifMatch'), body.patch))
    case 'psearch':
      return wire(await store.search(params(body.params)))
    case 'pmerge':
      return wire(await store.supersede(str(body.source, 'source'), str(body.target, 'target')))
    case 'pload': {
      const records = body.records
      if (!Array.isArray(records) || records.length > PATIENT.maxLoadBatch) {
        throw new SpineError('INVALID_ARGUMENT', `records must be a list of at most ${PATIENT.maxLoadBatch}`, { field: 'records', max: PATIENT.maxLoadBatch })
      }
      return store.load(records)
    }
  }
}
