/**
 * kv.patients (the client library) and `spinekv patient` / `spinekv load` (the CLI) against three
 * real node processes: create, read, update by whole record and by JSON Patch, search, merge, typed
 * PatientApiErrors, the CLI's exit codes and output, and a synthetic load found again by search.
 */
import t from 'tap'
import { connect, type SpineClient } from '../src/client/index.js'
import { PatientApiError } from '../src/client/patients.js'
import { examplePatient } from '../src/patient/examples.js'
import { checkDigit, nhsNumberFromPrefix } from '../src/patient/nhsNumber.js'
import type { Patient } from '../src/patient/record.js'
import { syntheticPatient } from '../src/patient/synthetic.js'
import { cli, startCluster, type TestCluster } from './harness/devCluster.js'

let cluster: TestCluster
let kv: SpineClient

/** Each file has a fresh cluster, so a fixed start is enough; well inside the test range 999000000..999999999. */
let nextPrefix = 999_400_000
function newNhs(): string {
  for (;;) {
    if (nextPrefix > 999_999_999) throw new Error('out of test-range NHS numbers')
    const n = nhsNumberFromPrefix(nextPrefix++)
    if (n !== undefined) return n
  }
}

function person(id: string, family: string, given: string, birthDate: string): Patient {
  const p = examplePatient()
  return { ...p, id, meta: { versionId: '1' }, name: [{ use: 'usual', given: [given], family }], birthDate, gender: 'female' }
}

async function apiError(p: Promise<unknown>): Promise<PatientApiError | undefined> {
  try {
    await p
    return undefined
  } catch (e) {
    if (e instanceof PatientApiError) return e
    throw e
  }
}

t.before(async () => {
  cluster = await startCluster(3)
  kv = await connect({ seeds: [cluster.host(1), cluster.host(2)], maxRetries: 0, timeoutMs: 10_000 })
})

t.teardown(async () => {
  await kv.close()
  await cluster.stop()
})

t.test('kv.patients: create, get, update (record and JSON Patch), search, merge', async (t) => {
  const nhs = newNhs()
  const created = await kv.patients.create(person(nhs, 'Clientwood', 'Ada', '1966-06-06'))
  t.equal(created.etag, 'W/"1"')
  t.equal(created.patient.id, nhs)
  t.equal(created.patient.meta.versionId, '1')

  const read = await kv.patients.get(nhs)
  t.equal(read.etag, 'W/"1"')
  t.equal(read.patient.name![0]?.family, 'Clientwood')
  t.equal(read.supersededFrom, undefined)

  const replaced = await kv.patients.update(nhs, { ...read.patient, gender: 'other' }, { ifMatch: read.etag })
  t.equal(replaced.etag, 'W/"2"', 'a whole-record update is version 2')
  t.equal(replaced.patient.gender, 'other')

  // The patch names the name it changes by its server-assigned id: PDS requires "the list id or url" for
  // a change inside a list item (patient-patch.yaml, Replacing).
  t.match(read.patient.name![0]?.id, /^[0-9A-F]{8}$/, 'the server gave the name an id')
  const nameId = read.patient.name![0]?.id ?? ''
  const patched = await kv.patients.update(
    nhs,
    [
      { op: 'test', path: '/name/0/id', value: nameId },
      { op: 'replace', path: '/name/0/given/0', value: 'Adele' },
    ],
    { ifMatch: 'W/"2"' },
  )
  t.equal(patched.etag, 'W/"3"', 'a JSON Patch is version 3')
  const again = await kv.patients.get(nhs)
  t.equal(again.etag, 'W/"3"')
  t.same(again.patient.name![0]?.given, ['Adele'])
  t.equal(again.patient.gender, 'other', 'the patch kept the earlier update')
  // PDS's { patches } form, and one of its rules: the gender cannot be removed (403 FORBIDDEN_UPDATE).
  const forbidden = await apiError(kv.patients.update(nhs, { patches: [{ op: 'remove', path: '/gender' }] }, { ifMatch: 'W/"3"' }))
  t.same([forbidden?.code, forbidden?.status], ['FORBIDDEN_UPDATE', 403], 'removing the gender is forbidden')
  t.equal((await kv.patients.get(nhs)).etag, 'W/"3"', 'the refused patch changed nothing')

  const found = await kv.patients.search({ family: 'Clientwood', birthdate: '1966-06-06' })
  t.equal(found.total, 1)
  t.equal(found.entries[0]?.patient.id, nhs)
  t.equal(found.entries[0]?.score, 1)
  t.ok(found.stats.nodes >= 1, 'stats say how many nodes answered')
  const fuzzy = await kv.patients.search({ family: 'Clyentwood', given: 'Adele', birthdate: '1966-06-06', fuzzy: true })
  t.ok(fuzzy.entries.some((e) => e.patient.id === nhs && e.score < 1), 'a fuzzy search finds it with a lower score')
  const range = await kv.patients.search({ family: 'Clientw*', birthdate: ['ge1966-01-01', 'le1966-12-31'] })
  t.same(range.entries.map((e) => e.patient.id), [nhs])

  const other = newNhs()
  await kv.patients.create(person(other, 'Clientwood', 'Adele', '1966-06-06'))
  const merged = await kv.patients.merge(other, nhs)
  t.equal(merged.patient.id, nhs, 'merge gives the retained record')
  t.equal(merged.supersededFrom, other)
  const viaOld = await kv.patients.get(other)
  t.equal(viaOld.patient.id, nhs, 'the old number reads as the retained record')
  t.equal(viaOld.supersededFrom, other)
  t.equal(viaOld.etag, 'W/"3"')
  const afterMerge = await kv.patients.search({ family: 'Clientwood', birthdate: '1966-06-06' })
  t.same(afterMerge.entries.map((e) => e.patient.id), [nhs], 'the search returns the retained record only')
  const refused = await apiError(kv.patients.update(other, [{ op: 'replace', path: '/gender', value: 'male' }], { ifMatch: 'W/"3"' }))
  t.equal(refused?.code, 'INVALID_UPDATE', 'an update through the superseded number is refused')
  t.equal(refused?.status, 400)
})

t.test('PatientApiError: code and status for not found, stale version, too many matches, bad input', async (t) => {
  const missing = await apiError(kv.patients.get(newNhs()))
  t.ok(missing instanceof PatientApiError, 'not found is a PatientApiError')
  t.equal(missing?.code, 'RESOURCE_NOT_FOUND')
  t.equal(missing?.status, 404)
  t.equal(missing?.name, 'PatientApiError')
  t.ok((missing?.errors.length ?? 0) >= 1, 'with the server\'s errors')

  const nhs = newNhs()
  const created = await kv.patients.create(person(nhs, 'Versionby', 'Ben', '1971-01-01'))
  await kv.patients.update(nhs, { ...created.patient, gender: 'male' }, { ifMatch: created.etag })
  const stale = await apiError(kv.patients.update(nhs, { ...created.patient, gender: 'other' }, { ifMatch: created.etag }))
  t.equal(stale?.code, 'RESOURCE_VERSION_MISMATCH', 'an update from version 1 after version 2')
  t.equal(stale?.status, 409)
  const stalePatch = await apiError(kv.patients.update(nhs, [{ op: 'replace', path: '/gender', value: 'other' }], { ifMatch: 'W/"1"' }))
  t.equal(stalePatch?.code, 'RESOURCE_VERSION_MISMATCH')
  const malformed = await apiError(kv.patients.update(nhs, [{ op: 'replace', path: '/gender', value: 'other' }], { ifMatch: '2' }))
  t.equal(malformed?.code, 'PRECONDITION_FAILED')
  t.equal(malformed?.status, 412)
  t.equal((await kv.patients.get(nhs)).patient.gender, 'male', 'no refused update was applied')

  const dup = await apiError(kv.patients.create(person(nhs, 'Versionby', 'Ben', '1971-01-01')))
  t.equal(dup?.code, 'INVALID_UPDATE', 'creating a number in use')
  t.equal(dup?.status, 400)
  const invalid = await apiError(kv.patients.create({ ...person(newNhs(), 'Versionby', 'Ben', '1971-01-01'), gender: 'robot' } as unknown as Patient))
  t.equal(invalid?.code, 'INVALID_VALUE')
  t.equal(invalid?.errors[0]?.path, 'gender')
  let prefix = 999_300_000
  while (checkDigit(String(prefix)) !== undefined) prefix++
  const badNumber = await apiError(kv.patients.get(`${prefix}0`))
  t.equal(badNumber?.code, 'INVALID_RESOURCE_ID')
  t.equal(badNumber?.status, 400)

  const dob = '1933-03-03'
  for (let k = 0; k < 5; k++) await kv.patients.create(person(newNhs(), 'Crowdson', `Given${'ABCDE'[k]}`, dob))
  // A create answers at W=2 and a search reads one copy of each vnode (the fewest nodes), so a
  // third replica still in flight may be the one read: wait until the index holds all five.
  const settled = Date.now() + 10_000
  while ((await kv.patients.search({ family: 'Crowdson', birthdate: dob, maxResults: 5 })).total < 5 && Date.now() < settled) {
    await new Promise((r) => setTimeout(r, 50))
  }
  const tooMany = await apiError(kv.patients.search({ family: 'Crowdson', birthdate: dob, maxResults: 4 }))
  t.equal(tooMany?.code, 'TOO_MANY_MATCHES', 'five matches, four allowed')
  t.equal(tooMany?.status, 422)
  t.equal((await kv.patients.search({ family: 'Crowdson', birthdate: dob, maxResults: 5 })).total, 5, 'five allowed')
  const badSearch = await apiError(kv.patients.search({ family: 'Crowdson', birthdate: 'yesterday' }))
  t.equal(badSearch?.code, 'INVALID_SEARCH_DATA')
  t.equal(badSearch?.status, 400)
})

t.test('spinekv patient get|search|merge: output and exit codes', async (t) => {
  // Each CLI run starts a node process (slow on a busy machine), so only what needs the CLI runs through it.
  const host = cluster.host(2)
  const nhs = newNhs()
  await kv.patients.create(person(nhs, 'Commandline', 'Cleo', '1988-12-01'))
  // Was 'other': PDS's patient-patch.yaml (Gender) "cannot set gender to other" — UNSUPPORTED_VALUE now.
  await kv.patients.update(nhs, [{ op: 'replace', path: '/gender', value: 'unknown' }], { ifMatch: 'W/"1"' })

  const get = await cli(['patient', 'get', nhs, '--host', cluster.host(3)])
  t.equal(get.code, 0, get.stderr)
  t.match(get.stdout, /^ETag: W\/"2"\n/, 'the ETag first')
  const printed = JSON.parse(get.stdout.slice(get.stdout.indexOf('\n') + 1)) as Patient
  t.equal(printed.id, nhs, 'then the record as JSON')
  t.equal(printed.name![0]?.family, 'Commandline')
  t.equal(printed.gender, 'unknown')

  const missing = await cli(['patient', 'get', newNhs(), '--host', host])
  t.equal(missing.code, 3, 'a number not stored exits 3')
  t.match(missing.stderr, /^spinekv: RESOURCE_NOT_FOUND \(404\): [^\n]*\n$/, 'one line naming the code')
  t.equal(missing.stdout, '')

  const bad = await cli(['patient', 'get', '123456789', '--host', host])
  t.equal(bad.code, 1, 'a bad number exits 1')
  t.match(bad.stderr, /^spinekv: INVALID_RESOURCE_ID \(400\): [^\n]*\n$/, 'with one line')
  t.equal(bad.stdout, '')

  const table = await cli(['patient', 'search', '--family', 'Commandline', '--birthdate', '1988-12-01', '--host', host])
  t.equal(table.code, 0, table.stderr)
  const lines = table.stdout.trimEnd().split('\n')
  t.match(lines[0] ?? '', /SCORE\s+NHS NUMBER\s+NAME/, 'a table header')
  t.ok(lines.some((l) => l.includes(nhs) && l.includes('Cleo Commandline') && l.includes('1.0000')), 'a row with the number, name and score')
  t.match(table.stdout, /1 match\(es\)/)
  const json = await cli(['patient', 'search', '--family', 'Commandl*', '--birthdate', 'ge1988-01-01', 'le1988-12-31', '--json', '--host', host])
  t.equal(json.code, 0, json.stderr)
  const parsed = JSON.parse(json.stdout) as { total: number; entries: { patient: Patient; score: number }[] }
  t.equal(parsed.total, 1)
  t.equal(parsed.entries[0]?.patient.id, nhs)

  const other = newNhs()
  await kv.patients.create(person(other, 'Commandline', 'Cleo', '1988-12-01'))
  const merge = await cli(['patient', 'merge', other, nhs, '--host', host])
  t.equal(merge.code, 0, merge.stderr)
  t.match(merge.stdout, new RegExp(`^ETag: W/"2"  \\(${other} was superseded by ${nhs}\\)`))
  t.equal((await kv.patients.get(other)).patient.id, nhs, 'the merge took effect')
})

t.test('spinekv load: a synthetic population, found again by search', async (t) => {
  const load = await cli(['load', '--records', '300', '--seed', '5', '--host', cluster.host(1)])
  t.equal(load.code, 0, `load: ${load.stderr}`)
  t.match(load.stdout, /loaded 300 of 300 records/)

  // Unrestricted records (a restricted one reads without its address; either is found by name).
  const picks = [0, 137, 299].map((i) => syntheticPatient(i, { seed: 5 }))
  for (const p of picks) {
    const usual = p.name!.find((n) => n.use === 'usual') ?? p.name![0]!
    const r = await kv.patients.search({ family: usual.family, birthdate: p.birthDate!, maxResults: 50 })
    t.ok(r.entries.some((e) => e.patient.id === p.id), `record ${p.id} (${usual.family}, ${p.birthDate}) is found`)
    const read = await kv.patients.get(p.id)
    t.equal(read.etag, 'W/"1"')
    t.same(read.patient.name, p.name, 'stored as generated')
  }
  const first = picks[0]!
  const family = (first.name!.find((n) => n.use === 'usual') ?? first.name![0]!).family
  const cliSearch = await cli(['patient', 'search', '--family', family, '--birthdate', first.birthDate!, '--host', cluster.host(3)])
  t.equal(cliSearch.code, 0, cliSearch.stderr)
  t.ok(cliSearch.stdout.includes(first.id), 'the CLI table lists it')
  const beyond = await apiError(kv.patients.get(syntheticPatient(300, { seed: 5 }).id))
  t.equal(beyond?.code, 'RESOURCE_NOT_FOUND', 'record 300 was not loaded')
})

t.test('loadBatch: invalid records are reported by position, valid ones land on every replica; a number in use gets a sibling', async (t) => {
  const a = syntheticPatient(5_000, { seed: 9 })
  const b = syntheticPatient(5_001, { seed: 9 })
  const bad = { ...syntheticPatient(5_002, { seed: 9 }), id: '1234567890' }
  const r = await kv.patients.loadBatch([a, bad, b, { resourceType: 'Patient' }])
  t.equal(r.stored, 2)
  t.same(r.errors.map((e) => [e.index, e.code]), [[1, 'INVALID_RESOURCE_ID'], [3, 'MISSING_VALUE']], 'in batch order, each with its PDS code')
  const replicas = await cli(['debug', 'replicas', '--type', 'pds', 'Patient', a.id, b.id, '--json', '--host', cluster.host(2)])
  t.equal(replicas.code, 0, replicas.stderr)
  const keys = JSON.parse(replicas.stdout) as Array<{ replicas: Array<{ found: boolean; siblings: number }> }>
  for (const k of keys) t.same(k.replicas.map((x) => [x.found, x.siblings]), [[true, 1], [true, 1], [true, 1]], 'on all three primaries')
  const again = await kv.patients.loadBatch([{ ...a, gender: 'unknown' }])
  t.equal(again.stored, 1)
  const after = JSON.parse((await cli(['debug', 'replicas', '--type', 'pds', 'Patient', a.id, '--json', '--host', cluster.host(3)])).stdout) as typeof keys
  t.same(after[0]!.replicas.map((x) => x.siblings), [2, 2, 2], 'the second load of the number is a sibling on every replica, not an overwrite')
  const read = await kv.patients.get(a.id)
  t.equal(read.patient.id, a.id, 'and a read merges them into one record')
})
