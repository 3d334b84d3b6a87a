/**
 * The FHIR-shaped /Patient API over HTTP against three real node processes: create, read on another
 * node, versioned updates (If-Match), JSON Patch, bad input as OperationOutcomes (nothing stored
 * changes, every node keeps answering), search (exact, wildcard, fuzzy, date range, postcode, ranking,
 * TOO_MANY_MATCHES), restricted and redacted records, superseded numbers, and a search with a node down.
 */
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { examplePatient } from '../src/patient/examples.js'
import { checkDigit, nhsNumberFromPrefix } from '../src/patient/nhsNumber.js'
import type { Address, Gender, Patient } from '../src/patient/record.js'
import { cli, startCluster, type TestCluster } from './harness/devCluster.js'
import { pdsErrorCases, pdsFixture } from './harness/pdsFixtures.js'

let cluster: TestCluster

const base = (i: number): string => `http://127.0.0.1:${cluster.basePort + 10 * i + 2}`

interface Reply {
  status: number
  headers: Headers
  text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any
}

async function http(i: number, path: string, init: RequestInit = {}): Promise<Reply> {
  const headers = new Headers(init.headers)
  // PDS requires an X-Request-ID on every /Patient request; a fresh one each, so none is taken for a retry of another.
  if (path.startsWith('/Patient') && !headers.has('x-request-id')) headers.set('x-request-id', randomUUID())
  const res = await fetch(base(i) + path, { ...init, headers })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

const FHIR = { 'content-type': 'application/fhir+json' }

function put(i: number, nhs: string, body: unknown, ifMatch?: string): Promise<Reply> {
  return http(i, `/Patient/${nhs}`, { method: 'PUT', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { ...FHIR, ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) } })
}

function patch(i: number, nhs: string, ops: unknown, ifMatch?: string): Promise<Reply> {
  return http(i, `/Patient/${nhs}`, { method: 'PATCH', body: JSON.stringify(ops), headers: { 'content-type': 'application/json-patch+json', ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) } })
}

function post(i: number, path: string, body: unknown): Promise<Reply> {
  return http(i, path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: FHIR })
}

function search(i: number, params: Record<string, string | string[]>): Promise<Reply> {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) for (const one of typeof v === 'string' ? [v] : v) q.append(k, one)
  return http(i, `/Patient?${q.toString()}`)
}

/** The PDS code of an OperationOutcome reply. */
function codeOf(r: Reply): string | undefined {
  return r.json?.issue?.[0]?.details?.coding?.[0]?.code
}

async function expectOutcome(t: Test, r: Reply | Promise<Reply>, status: number, code: string, what = code): Promise<Reply> {
  const reply = await r
  t.equal(reply.status, status, `${what}: status ${status}`)
  t.match(reply.headers.get('content-type') ?? '', /^application\/fhir\+json/, `${what}: FHIR JSON`)
  t.equal(reply.json?.resourceType, 'OperationOutcome', `${what}: an OperationOutcome`)
  t.equal(codeOf(reply), code, `${what}: code ${code}`)
  return reply
}

/** Each file has a fresh cluster, so a fixed start is enough; well inside the test range 999000000..999999999. */
let nextPrefix = 999_200_000
/** A fresh valid NHS number from the test range. */
function newNhs(): string {
  for (;;) {
    if (nextPrefix > 999_999_999) throw new Error('out of test-range NHS numbers')
    const n = nhsNumberFromPrefix(nextPrefix++)
    if (n !== undefined) return n
  }
}

interface PersonSpec {
  family: string
  given?: string
  birthDate: string
  gender?: Gender
  postcode?: string
  code?: 'U' | 'R' | 'REDACTED'
}

/** A record from the worked example with the names, dates and place given (no meta.versionId: a create). */
function person(id: string, s: PersonSpec): Record<string, unknown> {
  const p: Patient = examplePatient()
  const address: Address[] = [{ id: 'a1', use: 'home', line: ['1 Test Street', 'Leeds'], postalCode: s.postcode ?? 'LS6 3AA' }]
  return {
    ...p,
    id,
    meta: { security: [{ code: s.code ?? 'U' }] },
    name: [{ id: 'n1', use: 'usual', given: [s.given ?? 'Jane'], family: s.family }],
    gender: s.gender ?? 'female',
    birthDate: s.birthDate,
    address,
  }
}

async function create(t: Test, s: PersonSpec, node = 1): Promise<string> {
  const nhs = newNhs()
  const r = await post(node, '/Patient', person(nhs, s))
  t.equal(r.status, 201, `created ${s.family} ${nhs}: ${r.text.slice(0, 200)}`)
  return nhs
}

interface Entry {
  id: string
  score: number
  resource: Record<string, unknown>
}

async function entriesOf(t: Test, r: Reply | Promise<Reply>, what: string): Promise<Entry[]> {
  const reply = await r
  t.equal(reply.status, 200, `${what}: 200 ${reply.status === 200 ? '' : reply.text.slice(0, 300)}`)
  t.equal(reply.json?.resourceType, 'Bundle', `${what}: a Bundle`)
  t.equal(reply.json?.type, 'searchset', `${what}: a searchset`)
  const entries = (reply.json?.entry ?? []) as { fullUrl: string; search: { score: number }; resource: { id: string } }[]
  t.equal(reply.json?.total, entries.length, `${what}: total is the number of entries`)
  for (const e of entries) {
    t.ok(e.search.score > 0 && e.search.score <= 1, `${what}: score ${e.search.score} in (0, 1]`)
    t.equal(e.fullUrl, `Patient/${e.resource.id}`, `${what}: fullUrl names the record`)
  }
  for (let k = 1; k < entries.length; k++) t.ok(entries[k - 1]!.search.score >= entries[k]!.search.score, `${what}: best first`)
  return entries.map((e) => ({ id: e.resource.id, score: e.search.score, resource: e.resource as Record<string, unknown> }))
}

async function allNodesAnswer(t: Test): Promise<void> {
  for (const i of [1, 2, 3]) t.equal((await http(i, '/ping')).status, 200, `node ${i} still answers /ping`)
}

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 25_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

t.before(async () => {
  cluster = await startCluster(3)
})

t.teardown(async () => {
  await cluster.stop()
})

// ---------------------------------------------------------------------------------------------

let N1 = ''
/** The record N1 as last read: a bad request must leave it exactly so. */
let n1Body: unknown
let n1Etag = ''

async function unchanged(t: Test, what: string): Promise<void> {
  const r = await http(2, `/Patient/${N1}`)
  t.equal(r.status, 200, `${what}: the record still reads`)
  t.equal(r.headers.get('etag'), n1Etag, `${what}: same version`)
  t.same(r.json, n1Body, `${what}: same record`)
  await allNodesAnswer(t)
}

t.test('create, read on another node, update with If-Match, JSON Patch', async (t) => {
  N1 = newNhs()
  const created = await put(1, N1, person(N1, { family: 'Abernathy', given: 'Clara', birthDate: '1962-07-14', gender: 'female', postcode: 'LS1 6AE' }))
  t.equal(created.status, 201, `PUT of a new number creates: ${created.text.slice(0, 200)}`)
  t.equal(created.headers.get('etag'), 'W/"1"')
  t.match(created.headers.get('content-type') ?? '', /^application\/fhir\+json/)
  t.equal(created.json.meta.versionId, '1')
  t.equal(created.json.id, N1)

  const N2 = newNhs()
  const posted = await post(2, '/Patient', person(N2, { family: 'Abernathy', given: 'Robert', birthDate: '1960-01-02', gender: 'male' }))
  t.equal(posted.status, 201, 'POST /Patient creates')
  t.equal(posted.headers.get('etag'), 'W/"1"')

  await expectOutcome(t, post(3, '/Patient', person(N1, { family: 'Other', birthDate: '1999-01-01' })), 400, 'INVALID_UPDATE', 'POST of a number in use')
  await expectOutcome(t, put(3, N1, person(N1, { family: 'Other', birthDate: '1999-01-01' })), 412, 'PRECONDITION_FAILED', 'PUT without If-Match of a number in use')

  const read = await http(3, `/Patient/${N1}`)
  t.equal(read.status, 200, 'read on another node')
  t.equal(read.headers.get('etag'), 'W/"1"')
  t.equal(read.json.name[0].family, 'Abernathy')
  t.equal(read.json.address[0].postalCode, 'LS1 6AE')
  t.same(read.json, created.json, 'the read returns what the create stored')

  const next = { ...read.json, gender: 'other' }
  const updated = await put(2, N1, next, 'W/"1"')
  t.equal(updated.status, 200, `update with the right If-Match: ${updated.text.slice(0, 200)}`)
  t.equal(updated.headers.get('etag'), 'W/"2"')
  t.equal(updated.json.meta.versionId, '2')
  t.equal(updated.json.gender, 'other')

  const stale = await expectOutcome(t, put(1, N1, { ...read.json, gender: 'male' }, 'W/"1"'), 409, 'RESOURCE_VERSION_MISMATCH', 'stale If-Match')
  t.match(stale.json.issue[0].diagnostics, /1.*2/, 'the diagnostics name both versions')
  await expectOutcome(t, put(1, N1, { ...read.json, gender: 'male' }), 412, 'PRECONDITION_FAILED', 'missing If-Match')
  for (const bad of ['"2"', '*', 'W/"abc"', 'W/2', 'W/"0"', 'W/"2", W/"3"']) {
    await expectOutcome(t, put(1, N1, { ...updated.json, gender: 'male' }, bad), 412, 'PRECONDITION_FAILED', `malformed If-Match ${bad}`)
  }
  await expectOutcome(t, patch(1, N1, [{ op: 'replace', path: '/gender', value: 'male' }]), 412, 'PRECONDITION_FAILED', 'PATCH without If-Match')
  await expectOutcome(t, patch(1, N1, [{ op: 'replace', path: '/gender', value: 'male' }], 'W/"1"'), 409, 'RESOURCE_VERSION_MISMATCH', 'PATCH with a stale If-Match')
  t.equal((await http(3, `/Patient/${N1}`)).json.gender, 'other', 'none of the refused updates was applied')

  // With a test of the name's (server-assigned) id first: PDS requires the list item's id for a change
  // inside it (patient-patch.yaml, Replacing; replaceErrors.feature "no id or url found").
  t.type(read.json.name[0].id, 'string', 'the name has an id')
  const patched = await patch(
    3,
    N1,
    {
      patches: [
        { op: 'test', path: '/name/0/id', value: read.json.name[0].id },
        { op: 'replace', path: '/name/0/given/0', value: 'Claire' },
        { op: 'replace', path: '/gender', value: 'female' },
      ],
    },
    'W/"2"',
  )
  t.equal(patched.status, 200, `PATCH: ${patched.text.slice(0, 200)}`)
  t.equal(patched.headers.get('etag'), 'W/"3"')
  const afterPatch = await http(1, `/Patient/${N1}`)
  t.equal(afterPatch.headers.get('etag'), 'W/"3"')
  t.same(afterPatch.json.name[0].given, ['Claire'])
  t.equal(afterPatch.json.gender, 'female')
  t.equal(afterPatch.json.name[0].family, 'Abernathy', 'the rest of the record is kept')

  await expectOutcome(t, http(1, `/Patient/${newNhs()}`), 404, 'RESOURCE_NOT_FOUND', 'a number never stored')
  n1Body = afterPatch.json
  n1Etag = 'W/"3"'
})

t.test('bad requests: each an OperationOutcome; the stored record is unchanged and every node answers', async (t) => {
  t.ok(N1, 'needs the record of the first test')
  // Nine digits whose check digit would be 10: no number starting with them is ever issued.
  let prefix = 999_300_000
  while (checkDigit(String(prefix)) !== undefined) prefix++
  const checkDigit10 = `${prefix}0`
  const wrongCheck = N1.slice(0, 9) + String((Number(N1[9]) + 1) % 10)
  for (const bad of [checkDigit10, '123456789', wrongCheck, '12345678901', 'abcdefghij', '943%20476%205919']) {
    await expectOutcome(t, http(1, `/Patient/${bad}`), 400, 'INVALID_RESOURCE_ID', `GET /Patient/${bad}`)
    await expectOutcome(t, put(2, bad, { ...(n1Body as object), id: bad }, n1Etag), 400, 'INVALID_RESOURCE_ID', `PUT /Patient/${bad}`)
    await expectOutcome(t, patch(3, bad, [{ op: 'replace', path: '/gender', value: 'male' }], n1Etag), 400, 'INVALID_RESOURCE_ID', `PATCH /Patient/${bad}`)
  }
  await unchanged(t, 'after bad numbers')

  const current = n1Body as Record<string, unknown>
  const fieldCases: [string, unknown, string, string][] = [
    ['a gender not in the code list', { ...current, gender: 'robot' }, 'INVALID_VALUE', 'Patient.gender'],
    ['a birth date that is not a date', { ...current, birthDate: '1962-13-45' }, 'INVALID_VALUE', 'Patient.birthDate'],
    // Was 'no name' (MISSING_VALUE Patient.name): PDS's Patient.yaml requires only id, and its
    // Minimal_Patient.json has no name, so a name without its family stands in as the missing value.
    ['a name without a family', { ...current, name: [{ use: 'usual', given: ['Clara'] }] }, 'MISSING_VALUE', 'Patient.name[0].family'],
    ['an unknown property', { ...current, pets: ['cat'] }, 'ADDITIONAL_PROPERTIES', 'Patient.pets'],
  ]
  for (const [what, body, code, expression] of fieldCases) {
    const r = await expectOutcome(t, put(1, N1, body, n1Etag), 400, code, `PUT with ${what}`)
    t.same(r.json.issue[0].expression, [expression], `${what}: the issue names the field`)
    await unchanged(t, `after PUT with ${what}`)
  }
  await expectOutcome(t, patch(2, N1, [{ op: 'replace', path: '/gender', value: 'robot' }], n1Etag), 400, 'INVALID_VALUE', 'a PATCH producing an invalid record')
  await expectOutcome(t, patch(2, N1, [{ op: 'add', path: '/pets', value: 'cat' }], n1Etag), 400, 'ADDITIONAL_PROPERTIES', 'a PATCH adding an unknown property')
  await expectOutcome(t, patch(2, N1, [{ op: 'replace', path: '/id', value: newNhs() }], n1Etag), 400, 'INVALID_UPDATE', 'a PATCH changing the NHS number')
  await expectOutcome(t, put(2, N1, { ...current, id: newNhs() }, n1Etag), 400, 'INVALID_UPDATE', 'a PUT whose body names another number')
  await unchanged(t, 'after bad patches')

  await expectOutcome(t, put(3, N1, '{"resourceType": "Patient", oops', n1Etag), 400, 'INVALID_REQUEST', 'PUT of a body that is not JSON')
  await expectOutcome(t, post(3, '/Patient', 'not json at all'), 400, 'INVALID_REQUEST', 'POST of a body that is not JSON')
  await expectOutcome(t, http(3, `/Patient/${N1}`, { method: 'PATCH', body: '[{"op":', headers: { 'content-type': 'application/json-patch+json', 'if-match': n1Etag } }), 400, 'INVALID_REQUEST', 'PATCH of a body that is not JSON')
  await expectOutcome(t, http(3, `/Patient/${N1}`, { method: 'PUT', headers: { 'if-match': n1Etag } }), 400, 'INVALID_REQUEST', 'PUT without a body')
  await expectOutcome(t, post(1, '/Patient/$merge', '{"source": 1}'), 400, 'INVALID_REQUEST', '$merge without two numbers')
  await unchanged(t, 'after bodies that are not JSON')

  const big = { ...current, address: [{ use: 'home', line: ['x'.repeat(70 * 1024)], postalCode: 'LS1 6AE' }] }
  await expectOutcome(t, put(1, N1, big, n1Etag), 413, 'REQUEST_TOO_LARGE', 'PUT of a body over 64 KiB')
  await expectOutcome(t, post(2, '/Patient', { ...big, id: newNhs() }), 413, 'REQUEST_TOO_LARGE', 'POST of a body over 64 KiB')
  await expectOutcome(t, http(3, `/Patient/${N1}`, { method: 'PATCH', body: JSON.stringify([{ op: 'replace', path: '/gender', value: 'y'.repeat(65 * 1024) }]), headers: { 'if-match': n1Etag } }), 413, 'REQUEST_TOO_LARGE', 'PATCH of a body over 64 KiB')
  await unchanged(t, 'after bodies over the limit')

  await expectOutcome(t, http(1, `/Patient/${N1}`, { method: 'DELETE' }), 405, 'UNSUPPORTED_OPERATION', 'DELETE is not an operation here')
  await unchanged(t, 'after a DELETE')
})

t.test('search: exact, wildcard, fuzzy, date range, postcode; best first, scores 0..1', async (t) => {
  const dob = '1958-03-21'
  const smith = await create(t, { family: 'Smith', given: 'Jane', birthDate: dob, postcode: 'LS1 6AE' }, 1)
  const smyth = await create(t, { family: 'Smyth', given: 'Jane', birthDate: dob, postcode: 'M1 1AE' }, 2)
  const smithers = await create(t, { family: 'Smithers', given: 'Jane', birthDate: dob }, 3)
  const jones = await create(t, { family: 'Jones', given: 'Jane', birthDate: dob, postcode: 'LS1 6AE' }, 1)
  const otherDay = await create(t, { family: 'Smith', given: 'Jane', birthDate: '1958-03-22' }, 2)

  const exact = await entriesOf(t, search(3, { family: 'Smith', given: 'Jane', birthdate: dob }), 'exact')
  t.same(exact.map((e) => e.id), [smith], 'an exact search finds exactly the record')
  t.equal(exact[0]?.score, 1, 'with score 1')
  t.equal((exact[0]?.resource.name as { family: string }[])[0]?.family, 'Smith', 'the resource is the record')
  const eqPrefix = await entriesOf(t, search(2, { family: 'SMITH', birthdate: `eq${dob}` }), 'eq prefix, upper case')
  t.same(eqPrefix.map((e) => e.id), [smith])

  const wildcard = await entriesOf(t, search(1, { family: 'Sm*', birthdate: dob }), 'wildcard')
  t.same(wildcard.map((e) => e.id).sort(), [smith, smithers, smyth].sort(), 'Sm* finds every Sm name on the day, not Jones nor another day')
  for (const e of wildcard) t.ok(e.score < 1, 'a wildcard match scores below 1')
  const wildRange = await entriesOf(t, search(1, { family: 'Smi*', birthdate: ['ge1958-03-01', 'le1958-03-31'] }), 'wildcard over a range')
  t.same(wildRange.map((e) => e.id).sort(), [otherDay, smith, smithers].sort())

  const fuzzy = await entriesOf(t, search(2, { family: 'Smyth', given: 'Jane', birthdate: dob, '_fuzzy-match': 'true' }), 'fuzzy')
  const ids = fuzzy.map((e) => e.id)
  t.ok(ids.includes(smith), 'Smyth finds Smith by Soundex')
  t.equal(ids[0], smyth, 'the exact Smyth first')
  t.equal(fuzzy[0]?.score, 1)
  t.ok(fuzzy.find((e) => e.id === smith)!.score < 1, 'the Soundex match scores below 1')
  t.notOk(ids.includes(jones), 'Jones is not like Smyth')
  t.notOk(ids.includes(otherDay), 'another day is not found')
  const nonFuzzy = await entriesOf(t, search(2, { family: 'Smyth', given: 'Jane', birthdate: dob }), 'not fuzzy')
  t.same(nonFuzzy.map((e) => e.id), [smyth], 'without _fuzzy-match only the exact name')

  const transposed = await entriesOf(t, search(3, { family: 'Jane', given: 'Smith', birthdate: dob, '_fuzzy-match': 'true' }), 'transposed')
  t.ok(transposed.map((e) => e.id).includes(smith), 'given and family transposed still find Smith')
  t.ok(transposed.every((e) => e.score < 1), 'a transposed match scores below 1')

  const ranked = await entriesOf(t, search(1, { family: 'Smith', given: 'Jane', birthdate: dob, '_fuzzy-match': 'true' }), 'ranking')
  t.equal(ranked[0]?.id, smith, 'the exact match ranks first')
  t.ok(ranked.length >= 2 && ranked[1]!.score < ranked[0]!.score, 'then the weaker ones')

  const r1 = await create(t, { family: 'Rangeford', birthDate: '1950-03-01' })
  const r2 = await create(t, { family: 'Rangeford', birthDate: '1955-01-01' })
  const r3 = await create(t, { family: 'Rangeford', birthDate: '1960-12-31' })
  const r4 = await create(t, { family: 'Rangeford', birthDate: '1961-01-01' })
  const range = await entriesOf(t, search(2, { family: 'Rangeford', birthdate: ['ge1955-01-01', 'le1960-12-31'] }), 'date range')
  t.same(range.map((e) => e.id).sort(), [r2, r3].sort(), 'ge and le are inclusive; dates outside are not found')
  const open = await entriesOf(t, search(3, { family: 'Rangeford', birthdate: 'le1955-01-01' }), 'open range')
  t.same(open.map((e) => e.id).sort(), [r1, r2].sort())
  const year = await entriesOf(t, search(1, { family: 'Rangeford', birthdate: '1960' }), 'a year')
  t.same(year.map((e) => e.id), [r3])
  t.notOk([...range, ...open, ...year].some((e) => e.id === r4))
  await expectOutcome(t, search(1, { family: 'Rangeford', birthdate: ['ge1960-01-01', 'le1950-01-01'] }), 400, 'INVALID_SEARCH_DATA', 'an empty range')
  await expectOutcome(t, search(1, { family: 'Rangeford' }), 400, 'INVALID_SEARCH_DATA', 'no birthdate')

  const postcode = await entriesOf(t, search(3, { family: 'Smith', birthdate: dob, 'address-postalcode': 'ls16ae' }), 'postcode')
  t.same(postcode.map((e) => e.id), [smith], 'ls16ae finds LS1 6AE')
  const spaced = await entriesOf(t, search(1, { family: 'Sm*', birthdate: dob, 'address-postalcode': 'LS1  6AE' }), 'postcode with spaces')
  t.same(spaced.map((e) => e.id), [smith], 'only the Sm name living there')
  const byPlace = await entriesOf(t, search(2, { given: 'Jane', gender: 'female', birthdate: dob, 'address-postalcode': 'LS16AE', '_fuzzy-match': 'true' }), 'fuzzy by place')
  t.same(byPlace.map((e) => e.id).sort(), [jones, smith].sort(), 'given, gender and postcode find both who live there')
  await allNodesAnswer(t)
})

t.test('more matches than _max-results is TOO_MANY_MATCHES (422), never a silent cut', async (t) => {
  const dob = '1944-11-11'
  const made: string[] = []
  for (let k = 0; k < 12; k++) made.push(await create(t, { family: 'Manyfold', given: `Given${String.fromCharCode(65 + k)}`, birthDate: dob }, 1 + (k % 3)))
  const r = await expectOutcome(t, search(1, { family: 'Manyfold', birthdate: dob, '_max-results': '10' }), 422, 'TOO_MANY_MATCHES', 'twelve matches, ten allowed')
  t.equal(r.json.issue[0].code, 'multiple-matches')
  const all = await entriesOf(t, search(2, { family: 'Manyfold', birthdate: dob, '_max-results': '12' }), 'twelve allowed')
  t.same(all.map((e) => e.id).sort(), [...made].sort(), 'all twelve with a cap of twelve')
  await expectOutcome(t, search(3, { family: 'Manyfold', birthdate: dob, '_max-results': '11' }), 422, 'TOO_MANY_MATCHES', 'eleven allowed')
  const one = await entriesOf(t, search(3, { family: 'Manyfold', given: 'GivenC', birthdate: dob, '_max-results': '10' }), 'narrowed by given name')
  t.same(one.map((e) => e.id), [made[2]])
  await expectOutcome(t, search(1, { family: 'Manyfold', birthdate: dob, '_max-results': '51' }), 400, 'INVALID_SEARCH_DATA', '_max-results over 50')
})

t.test('restricted and redacted records', async (t) => {
  const dob = '1977-05-06'
  const restricted = await create(t, { family: 'Hiddenfield', birthDate: dob, postcode: 'LS1 6AE', code: 'R' }, 2)
  const read = await http(3, `/Patient/${restricted}`)
  t.equal(read.status, 200)
  t.equal(read.json.meta.security[0].code, 'R')
  t.equal(read.json.address, undefined, 'no address')
  t.equal(read.json.telecom, undefined, 'no telecom')
  t.equal(read.json.generalPractitioner, undefined, 'no GP')
  t.equal(read.json.name[0].family, 'Hiddenfield', 'the name is shown')
  const byName = await entriesOf(t, search(1, { family: 'Hiddenfield', birthdate: dob }), 'restricted by name')
  t.same(byName.map((e) => e.id), [restricted], 'found by family and birth date')
  t.equal(byName[0]?.resource.address, undefined, 'without its address')
  t.equal(byName[0]?.resource.telecom, undefined, 'without telecom')
  t.equal(byName[0]?.resource.generalPractitioner, undefined, 'without GP')
  const byPostcode = await entriesOf(t, search(2, { family: 'Hiddenfield', birthdate: dob, 'address-postalcode': 'LS1 6AE' }), 'restricted by postcode')
  t.same(byPostcode, [], 'a postcode search never returns a restricted record')
  const byPlace = await entriesOf(t, search(3, { given: 'Jane', gender: 'female', birthdate: dob, 'address-postalcode': 'LS1 6AE', '_fuzzy-match': 'true' }), 'restricted by place, fuzzy')
  t.notOk(byPlace.some((e) => e.id === restricted))

  const redacted = await create(t, { family: 'Goneaway', birthDate: dob, code: 'REDACTED' }, 3)
  await expectOutcome(t, http(1, `/Patient/${redacted}`), 404, 'RESOURCE_NOT_FOUND', 'a redacted record reads as not found')
  await expectOutcome(t, put(1, redacted, person(redacted, { family: 'Goneaway', birthDate: dob }), 'W/"1"'), 404, 'RESOURCE_NOT_FOUND', 'and updates as not found')
  t.same(await entriesOf(t, search(2, { family: 'Goneaway', birthdate: dob }), 'redacted by name'), [], 'never returned by search')
  t.same(await entriesOf(t, search(1, { family: 'Goneaway', given: 'Jane', birthdate: dob, '_fuzzy-match': 'true' }), 'redacted, fuzzy'), [])
  t.same(await entriesOf(t, search(3, { family: 'Go*', birthdate: dob }), 'redacted, wildcard'), [])
})

t.test('superseded numbers: a read follows to the retained record; updates through it are refused', async (t) => {
  const dob = '1983-09-30'
  const source = await create(t, { family: 'Duplicaton', given: 'Sam', birthDate: dob, gender: 'male' }, 1)
  const target = await create(t, { family: 'Duplicaton', given: 'Samuel', birthDate: dob, gender: 'male' }, 2)
  const before = await entriesOf(t, search(3, { family: 'Duplicaton', birthdate: dob }), 'before the merge')
  t.same(before.map((e) => e.id).sort(), [source, target].sort())

  const merged = await post(3, '/Patient/$merge', { source, target })
  t.equal(merged.status, 200, `merge: ${merged.text.slice(0, 200)}`)
  t.equal(merged.json.id, target, 'the merge returns the retained record')
  t.equal(merged.headers.get('x-spinekv-superseded'), source)

  const read = await http(1, `/Patient/${source}`)
  t.equal(read.status, 200, 'the superseded number still reads')
  t.equal(read.json.id, target, 'as the retained record')
  t.same(read.json.name[0].given, ['Samuel'])
  t.equal(read.headers.get('x-spinekv-superseded'), source, 'with the header naming the number asked for')
  t.equal(read.headers.get('etag'), 'W/"1"', 'and the retained record\'s ETag')
  const direct = await http(2, `/Patient/${target}`)
  t.equal(direct.headers.get('x-spinekv-superseded'), null, 'the target read directly has no such header')

  await expectOutcome(t, put(2, source, person(source, { family: 'Duplicaton', given: 'Sam', birthDate: dob }), 'W/"1"'), 400, 'INVALID_UPDATE', 'PUT through the superseded number')
  await expectOutcome(t, patch(3, source, [{ op: 'replace', path: '/gender', value: 'female' }], 'W/"1"'), 400, 'INVALID_UPDATE', 'PATCH through the superseded number')
  await expectOutcome(t, post(1, '/Patient', person(source, { family: 'Duplicaton', birthDate: dob })), 400, 'INVALID_UPDATE', 'a create reusing the superseded number')
  await expectOutcome(t, post(1, '/Patient/$merge', { source, target }), 400, 'INVALID_UPDATE', 'merging it again')
  await expectOutcome(t, post(1, '/Patient/$merge', { source: target, target }), 400, 'INVALID_UPDATE', 'a record superseding itself')
  t.equal((await http(1, `/Patient/${target}`)).headers.get('etag'), 'W/"1"', 'the target is untouched by the refused updates')

  const after = await entriesOf(t, search(2, { family: 'Duplicaton', birthdate: dob }), 'after the merge')
  t.same(after.map((e) => e.id), [target], 'a search returns only the retained record')
  const fuzzy = await entriesOf(t, search(1, { family: 'Duplicaton', given: 'Sam', birthdate: dob, '_fuzzy-match': 'true' }), 'after the merge, fuzzy')
  t.notOk(fuzzy.some((e) => e.id === source))
})

/** A record without the meta the server sets, for comparing what was sent with what is read. */
function withoutServerMeta(p: unknown): unknown {
  const { meta, ...rest } = structuredClone(p) as { meta?: Record<string, unknown> }
  const { versionId: _v, lastUpdated: _l, ...kept } = meta ?? {}
  return { ...rest, meta: kept }
}

t.test("the PDS specification's examples: each Patient round-trips; each error case gets PDS's status and code", async (t) => {
  const numbers = { Patient: '9000000009', Minimal: '9000000033' } as const
  for (const file of ['Patient.json', 'Minimal_Patient.json']) {
    const example = pdsFixture(file) as { id: string; meta: Record<string, unknown> }
    const { versionId: _v, ...meta } = example.meta
    const created = await put(1, example.id, { ...example, meta })
    t.equal(created.status, 201, `${file}: created: ${created.text.slice(0, 200)}`)
    const read = await http(2, `/Patient/${example.id}`)
    t.equal(read.status, 200)
    t.same(withoutServerMeta(read.json), withoutServerMeta(example), `${file}: read back as sent, apart from server-set meta`)
  }
  for (const c of pdsErrorCases()) {
    const headers = { 'content-type': c.contentType ?? 'application/json-patch+json', 'if-match': 'W/"1"' }
    const r = await expectOutcome(t, http(3, `/Patient/${numbers[c.record]}`, { method: 'PATCH', body: JSON.stringify(c.body), headers }), c.status, c.code, `${c.name} (${c.source})`)
    if (c.diagnostics !== undefined) t.ok(String(r.json.issue[0].diagnostics).startsWith(c.diagnostics), `${c.name}: PDS's diagnostics: ${r.json.issue[0].diagnostics}`)
  }
  for (const nhs of Object.values(numbers)) t.equal((await http(1, `/Patient/${nhs}`)).headers.get('etag'), 'W/"1"', `${nhs}: no refused patch changed it`)
  const missingType = await http(3, `/Patient/${numbers.Patient}`, { method: 'PATCH', body: '{"patches":[]}', headers: { 'if-match': 'W/"1"' } })
  await expectOutcome(t, missingType, 400, 'UNSUPPORTED_SERVICE', 'a PATCH without a Content-Type')
  const asJson = await http(3, `/Patient/${numbers.Patient}`, { method: 'PATCH', body: '{"patches":[]}', headers: { 'content-type': 'application/json', 'if-match': 'W/"1"' } })
  await expectOutcome(t, asJson, 400, 'UNSUPPORTED_SERVICE', 'a PATCH sent as application/json')
})

t.test('a search still works with one node stopped', async (t) => {
  const dob = '1991-02-28'
  const made: string[] = []
  for (let k = 0; k < 6; k++) made.push(await create(t, { family: 'Survivor', given: `Node${'ABCDEF'[k]}`, birthDate: dob }, 1 + (k % 3)))
  const all = await entriesOf(t, search(3, { family: 'Survivor', birthdate: dob }), 'all nodes up')
  t.same(all.map((e) => e.id).sort(), [...made].sort())

  const stop = await cli(['dev', 'stop', '--dir', cluster.dir, '--node', 'n3', '--kill'])
  t.equal(stop.code, 0, stop.stderr)
  // At once, before any failure detector has marked n3 down: the coordinator finds it unreachable
  // and plans again from the other replicas.
  const early = await entriesOf(t, search(2, { family: 'Survivor', birthdate: dob }), 'n3 just killed')
  t.same(early.map((e) => e.id).sort(), [...made].sort(), 'every record is found before n3 is marked down')
  // Until the failure detector marks n3 down the coverage plan may still ask it; then the other replicas answer.
  let last: Reply | undefined
  await waitFor('a search without n3', async () => {
    last = await search(1, { family: 'Survivor', birthdate: dob })
    return last.status === 200
  })
  const without = await entriesOf(t, last!, 'n3 down')
  t.same(without.map((e) => e.id).sort(), [...made].sort(), 'every record is still found')
  const fromTwo = await entriesOf(t, search(2, { family: 'Survivor', given: 'NodeE', birthdate: dob }), 'n3 down, node 2')
  t.same(fromTwo.map((e) => e.id), [made[4]])
  const read = await http(2, `/Patient/${made[2]}`)
  t.equal(read.status, 200, 'a read still works too')
})
