/**
 * The FHIR-shaped Patient API (PDS's): read by NHS number with an ETag, search (trace) as a FHIR
 * searchset Bundle, create, whole replacement (PUT) and JSON Patch (PATCH) with If-Match, and the
 * merge of two registrations. Every failure is an OperationOutcome with a PDS-style code; store
 * failures keep the store's code in the diagnostics. Bodies are JSON, at most
 * PATIENT.maxBodyBytes, refused before they are read when larger.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SpineError, toSpineError } from '../../shared/errors.js'
import { PATIENT } from '../../config.js'
import { fail, fromStoreError, httpStatusOf, operationOutcome, patientError, type PatientError, type Result } from '../../patient/errors.js'
import type { PatientReply, PatientStore, SearchReply } from '../../patient/patientStore.js'
import type { MethodTable } from './methodTable.js'
import { InFlightLimit } from '../inFlight.js'
import { isValidNhsNumber } from '../../patient/nhsNumber.js'

type Route = (url: string, table: MethodTable, opts?: { bodyLimit?: number }) => void

export const FHIR_JSON = 'application/fhir+json; charset=utf-8'

/** True for the paths whose errors are OperationOutcomes. */
export function isFhirPath(url: string): boolean {
  return url === '/Patient' || url.startsWith('/Patient/') || url.startsWith('/Patient?')
}

/** An OperationOutcome reply; a 503 (overload, a quorum not met) carries Retry-After, as PDS's 503 does. */
export function sendOutcome(reply: FastifyReply, errors: readonly [PatientError, ...PatientError[]]): FastifyReply {
  const status = httpStatusOf(errors)
  if (status === 503) reply.header('retry-after', String(PATIENT.retryAfterSeconds))
  return reply.code(status).header('content-type', FHIR_JSON).send(JSON.stringify(operationOutcome(errors)) + '\n')
}

/** A store failure or a framework error on a FHIR path, as an OperationOutcome. */
export function sendStoreErrorAsOutcome(reply: FastifyReply, e: SpineError): FastifyReply {
  return sendOutcome(reply, [fromStoreError(e)])
}

function parseJsonBody(req: FastifyRequest): Result<unknown> {
  const body = req.body
  if (!(body instanceof Buffer) || body.length === 0) return fail(patientError('INVALID_REQUEST', 'The request needs a JSON body'))
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown }
  } catch {
    return fail(patientError('INVALID_REQUEST', 'The body is not valid JSON'))
  }
}

/** PDS takes a patch only as application/json-patch+json (patient-patch.yaml, "Wrong content type"); parameters such as charset are allowed. */
const JSON_PATCH = /^application\/json-patch\+json\s*(;|$)/i

/**
 * A PATCH whose Content-Type is not JSON Patch: UNSUPPORTED_SERVICE (400), as PDS answers
 * (requestErrors.feature, "Invalid content-type header"). Checked after the NHS number and If-Match,
 * in PDS's order, so those keep their own answers.
 */
function unsupportedPatch(req: FastifyRequest, nhs: string): PatientError | undefined {
  const type = req.headers['content-type'] ?? ''
  if (JSON_PATCH.test(type) || !isValidNhsNumber(nhs) || (ifMatchOf(req) ?? '').trim() === '') return undefined
  const shown = type.length > 60 ? `${type.slice(0, 57)}...` : type
  return patientError('UNSUPPORTED_SERVICE', `Unsupported Service - a patch is sent as application/json-patch+json, not '${shown}'`, { parameter: 'Content-Type' })
}

function ifMatchOf(req: FastifyRequest): string | undefined {
  const h = req.headers['if-match']
  return Array.isArray(h) ? h.join(',') : h
}

function sendPatient(reply: FastifyReply, r: PatientReply, status: number): FastifyReply {
  reply.header('etag', r.etag)
  if (r.supersededFrom) reply.header('x-spinekv-superseded', r.supersededFrom)
  return reply.code(status).header('content-type', FHIR_JSON).send(JSON.stringify(r.patient) + '\n')
}

/**
 * The query string as the search parser takes it: each parameter's values as given. Gathered in a
 * Map, then made own properties: `out[k] ??= []` on a plain object found Object.prototype's
 * members for `?toString=` or `?__proto__=` (a TypeError, answered 500), where the parser must see
 * an unknown parameter (found by src/api/http/http.fuzz.test.ts).
 */
function searchParams(req: FastifyRequest): Record<string, string[]> {
  const qs = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : ''
  const seen = new Map<string, string[]>()
  for (const [k, v] of new URLSearchParams(qs)) {
    const values = seen.get(k)
    if (values) values.push(v)
    else seen.set(k, [v])
  }
  return Object.fromEntries(seen)
}

function bundle(r: SearchReply): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: r.entries.length,
    entry: r.entries.map((e) => ({ fullUrl: `Patient/${e.patient.id}`, search: { score: e.score }, resource: e.patient })),
  }
}

export function registerPatientRoutes(route: Route, store: PatientStore, maxInFlight: number): void {
  const limit = new InFlightLimit(maxInFlight, 'Patient requests')
  /** Store failures (OVERLOADED included) become OperationOutcomes here; anything else is a fault the error handler logs. */
  const run = async <T>(reply: FastifyReply, op: () => Promise<Result<T>>, send: (v: T) => FastifyReply): Promise<FastifyReply> => {
    try {
      const r = await limit.run(op)
      return r.ok ? send(r.value) : sendOutcome(reply, r.errors)
    } catch (e) {
      const err = toSpineError(e)
      if (err.code === 'INTERNAL') throw err
      return sendStoreErrorAsOutcome(reply, err)
    }
  }
  const nhsOf = (req: FastifyRequest): string => (req.params as { nhs: string }).nhs
  const withBody = async <T>(req: FastifyRequest, reply: FastifyReply, op: (body: unknown) => Promise<Result<T>>, send: (v: T) => FastifyReply): Promise<FastifyReply> => {
    const body = parseJsonBody(req)
    return body.ok ? run(reply, () => op(body.value), send) : sendOutcome(reply, body.errors)
  }
  const opts = { bodyLimit: PATIENT.maxBodyBytes }

  route(
    '/Patient/:nhs',
    {
      GET: (req, reply) => run(reply, () => store.get(nhsOf(req)), (r) => sendPatient(reply, r, 200)),
      PUT: (req, reply) => withBody(req, reply, (b) => store.replace(nhsOf(req), ifMatchOf(req), b), (r) => sendPatient(reply, r, r.created ? 201 : 200)),
      PATCH: async (req, reply) => {
        const unsupported = unsupportedPatch(req, nhsOf(req))
        if (unsupported !== undefined) return sendOutcome(reply, [unsupported])
        return withBody(req, reply, (b) => store.patch(nhsOf(req), ifMatchOf(req), b), (r) => sendPatient(reply, r, 200))
      },
    },
    opts,
  )
  route(
    '/Patient',
    {
      GET: (req, reply) => run(reply, () => store.search(searchParams(req)), (r) => reply.code(200).header('content-type', FHIR_JSON).send(JSON.stringify(bundle(r)) + '\n')),
      POST: (req, reply) => withBody(req, reply, (b) => store.create(b), (r) => sendPatient(reply, r, 201)),
    },
    opts,
  )
  route(
    '/Patient/$merge',
    {
      POST: (req, reply) =>
        withBody(
          req,
          reply,
          (b) => {
            const { source, target } = (b ?? {}) as { source?: unknown; target?: unknown }
            if (typeof source !== 'string' || typeof target !== 'string') {
              return Promise.resolve(fail(patientError('INVALID_REQUEST', 'The body must be {"source": NHS number, "target": NHS number}')))
            }
            return store.supersede(source, target)
          },
          (r) => sendPatient(reply, r, 200),
        ),
    },
    opts,
  )
}
