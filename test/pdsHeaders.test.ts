/**
 * PDS's request headers on the /Patient routes, through the HTTP server (fastify inject) over three
 * in-process nodes: X-Request-ID required and checked as PDS checks it (requestErrors.feature's
 * MISSING_VALUE and INVALID_VALUE), X-Request-ID and X-Correlation-ID mirrored, a retried create
 * answered from its first result (one record made, the same body), and 503 with Retry-After when the
 * node's in-flight limit is reached.
 */
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import Fastify, { type LightMyRequestResponse } from 'fastify'
import { createHttpApi, sendError, type HttpApi } from '../src/api/http/server.js'
import { SpineError } from '../src/shared/errors.js'
import { PATIENT } from '../src/config.js'
import { examplePatient } from '../src/patient/examples.js'
import { nhsNumberFromPrefix } from '../src/patient/nhsNumber.js'
import type { PatientStore } from '../src/patient/patientStore.js'
import { inProcessCluster, type InProcessCluster } from './harness/inProcess.js'

let cluster: InProcessCluster
let api: HttpApi

t.before(async () => {
  cluster = await inProcessCluster(3)
  const node = cluster.nodes[0]!
  api = createHttpApi({ env: node.env, patients: node.patients, stats: () => ({}) })
})
t.teardown(async () => {
  await api.close()
  await cluster.stop()
})

let nextPrefix = 999_300_000
function newNhs(): string {
  for (;;) {
    const n = nhsNumberFromPrefix(nextPrefix++)
    if (n !== undefined) return n
  }
}

/** A record to create: the worked example under a fresh number, without a version. */
function record(nhs: string): Record<string, unknown> {
  return { ...examplePatient(), id: nhs, meta: { security: [{ code: 'U' }] } }
}

function codeOf(r: LightMyRequestResponse): string | undefined {
  return (r.json() as { issue?: { details?: { coding?: { code?: string }[] } }[] }).issue?.[0]?.details?.coding?.[0]?.code
}

function diagnosticsOf(r: LightMyRequestResponse): string | undefined {
  return (r.json() as { issue?: { diagnostics?: string }[] }).issue?.[0]?.diagnostics
}

function expectOutcome(t: Test, r: LightMyRequestResponse, status: number, code: string, what: string): void {
  t.equal(r.statusCode, status, `${what}: ${status}`)
  t.match(r.headers['content-type'], /^application\/fhir\+json/, `${what}: FHIR JSON`)
  t.equal(codeOf(r), code, `${what}: ${code}`)
}

t.test('X-Request-ID is required on every /Patient request, as a UUID', async (t) => {
  const nhs = newNhs()
  for (const [method, url] of [['GET', `/Patient/${nhs}`], ['GET', '/Patient?family=Smith'], ['POST', '/Patient'], ['PATCH', `/Patient/${nhs}`], ['DELETE', `/Patient/${nhs}`]] as const) {
    const r = await api.app.inject({ method, url, headers: { 'x-correlation-id': 'corr-1' }, payload: method === 'POST' || method === 'PATCH' ? '{}' : undefined })
    expectOutcome(t, r, 400, 'MISSING_VALUE', `${method} ${url} without X-Request-ID`)
    t.equal(diagnosticsOf(r), 'Invalid request with error - X-Request-ID header must be supplied to access this resource')
    t.equal(r.headers['x-correlation-id'], 'corr-1', 'the correlation id is mirrored on the refusal')
    t.notOk('x-request-id' in r.headers, 'no request id to mirror')
  }
  for (const bad of ['1234', '', '60E0B220-8136-4CA5-AE46-1D97EF59D06', '60E0B220-8136-4CA5-AE46-1D97EF59D068x', 'g0E0B220-8136-4CA5-AE46-1D97EF59D068']) {
    const r = await api.app.inject({ method: 'GET', url: `/Patient/${nhs}`, headers: { 'x-request-id': bad } })
    expectOutcome(t, r, 400, 'INVALID_VALUE', `X-Request-ID '${bad}'`)
    t.equal(diagnosticsOf(r), `Invalid value - '${bad}' in header 'X-Request-ID'`)
    t.equal(r.headers['x-request-id'], bad, 'the malformed id is mirrored, as PDS mirrors it')
  }
  const long = 'x'.repeat(500)
  const r = await api.app.inject({ method: 'GET', url: `/Patient/${nhs}`, headers: { 'x-request-id': long } })
  t.ok((diagnosticsOf(r) ?? '').length < 200, 'a long malformed id is cut short in the diagnostics')
  t.equal((await api.app.inject({ method: 'GET', url: '/ping' })).statusCode, 200, 'paths outside /Patient do not need it')
})

t.test('a valid X-Request-ID and X-Correlation-ID are mirrored on answers and errors alike', async (t) => {
  const id = randomUUID().toUpperCase()
  const r = await api.app.inject({ method: 'GET', url: `/Patient/${newNhs()}`, headers: { 'x-request-id': id, 'x-correlation-id': '11C46F5F-CDEF-4865-94B2-0EE0EDCC26DA' } })
  expectOutcome(t, r, 404, 'RESOURCE_NOT_FOUND', 'a number never stored')
  t.equal(r.headers['x-request-id'], id, 'upper-case UUIDs are UUIDs (the spec example is one)')
  t.equal(r.headers['x-correlation-id'], '11C46F5F-CDEF-4865-94B2-0EE0EDCC26DA')
  const nhs = newNhs()
  const made = await api.app.inject({ method: 'POST', url: '/Patient', headers: { 'x-request-id': randomUUID(), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(record(nhs)) })
  t.equal(made.statusCode, 201, made.body.slice(0, 200))
  t.notOk('x-correlation-id' in made.headers, 'no correlation id sent, none mirrored')
  t.ok(made.headers['x-request-id'], 'the request id is mirrored on success')
})

t.test('a retried create is answered from its first result: one record, the same body', async (t) => {
  const nhs = newNhs()
  const id = randomUUID()
  const post = (correlation: string) =>
    api.app.inject({ method: 'POST', url: '/Patient', headers: { 'x-request-id': id, 'x-correlation-id': correlation, 'content-type': 'application/fhir+json' }, payload: JSON.stringify(record(nhs)) })
  const firstTry = await post('try-1')
  t.equal(firstTry.statusCode, 201, firstTry.body.slice(0, 200))
  t.notOk('x-spinekv-replayed' in firstTry.headers)
  const retry = await post('try-2')
  t.equal(retry.statusCode, 201, 'the retry gets the first status, not a conflict')
  t.equal(retry.body, firstTry.body, 'and the same body')
  t.equal(retry.headers.etag, firstTry.headers.etag, 'and the same ETag')
  t.equal(retry.headers['content-type'], firstTry.headers['content-type'])
  t.equal(retry.headers['x-request-id'], id)
  t.equal(retry.headers['x-correlation-id'], 'try-2', "the retry's own correlation id is mirrored")
  t.equal(retry.headers['x-spinekv-replayed'], 'true', 'marked as replayed')
  const read = await api.app.inject({ method: 'GET', url: `/Patient/${nhs}`, headers: { 'x-request-id': randomUUID() } })
  t.equal(read.statusCode, 200)
  t.equal(read.headers.etag, 'W/"1"', 'the record was written once')
  const again = await api.app.inject({ method: 'POST', url: '/Patient', headers: { 'x-request-id': randomUUID(), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(record(nhs)) })
  t.not(again.statusCode, 201, `a new request id is a new request: the number is taken (${again.statusCode} ${codeOf(again)})`)
  const otherPath = await api.app.inject({ method: 'GET', url: `/Patient/${nhs}`, headers: { 'x-request-id': id } })
  t.equal(otherPath.statusCode, 200, 'the same id on another method and path is its own request')
  t.notOk('x-spinekv-replayed' in otherPath.headers)
})

t.test('concurrent retries of one create run it once and all get its answer', async (t) => {
  const nhs = newNhs()
  const id = randomUUID()
  const replies = await Promise.all(
    [1, 2, 3].map(() => api.app.inject({ method: 'POST', url: '/Patient', headers: { 'x-request-id': id, 'content-type': 'application/fhir+json' }, payload: JSON.stringify(record(nhs)) })),
  )
  t.same(replies.map((r) => r.statusCode), [201, 201, 201])
  t.equal(new Set(replies.map((r) => r.body)).size, 1, 'one body')
  t.equal(replies.filter((r) => r.headers['x-spinekv-replayed'] === 'true').length, 2, 'two answered from the first')
})

t.test('503 with Retry-After when the in-flight limit is reached; the retry then runs', async (t) => {
  const node = cluster.nodes[1]!
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  let entered!: () => void
  const inGet = new Promise<void>((resolve) => (entered = resolve))
  // The node's own store, with a read that waits for the gate: it holds the one in-flight place.
  const slow: PatientStore = Object.create(node.patients)
  slow.get = async (nhs) => {
    entered()
    await gate
    return node.patients.get(nhs)
  }
  const limited = createHttpApi({ env: node.env, patients: slow, stats: () => ({}), maxInFlight: 1 })
  t.teardown(() => limited.close())
  const nhs = newNhs()
  const held = limited.app.inject({ method: 'GET', url: `/Patient/${nhs}`, headers: { 'x-request-id': randomUUID() } })
  await inGet
  const id = randomUUID()
  const refused = await limited.app.inject({ method: 'GET', url: `/Patient/${nhs}`, headers: { 'x-request-id': id } })
  expectOutcome(t, refused, 503, 'SERVICE_UNAVAILABLE', 'past the in-flight limit')
  t.equal(refused.headers['retry-after'], String(PATIENT.retryAfterSeconds), 'Retry-After in seconds')
  t.equal(refused.headers['x-request-id'], id)
  open()
  t.equal((await held).statusCode, 404)
  const retry = await limited.app.inject({ method: 'GET', url: `/Patient/${nhs}`, headers: { 'x-request-id': id } })
  t.equal(retry.statusCode, 404, 'a 503 is not remembered: the retry with the same id runs')
  t.notOk('retry-after' in retry.headers)
})

t.test('an OVERLOADED answer on the Riak HTTP routes carries Retry-After too; other errors do not', async (t) => {
  const app = Fastify()
  app.get('/busy', (_req, reply) => sendError(reply, new SpineError('OVERLOADED', '2 HTTP operations in flight on this node', { inFlight: 2, max: 2 })))
  app.get('/missing', (_req, reply) => sendError(reply, new SpineError('NOT_FOUND', 'no such key')))
  t.teardown(() => app.close())
  const busy = await app.inject({ method: 'GET', url: '/busy' })
  t.equal(busy.statusCode, 503)
  t.equal(busy.headers['retry-after'], String(PATIENT.retryAfterSeconds))
  t.notOk('retry-after' in (await app.inject({ method: 'GET', url: '/missing' })).headers)
})
