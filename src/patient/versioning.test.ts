import t from 'tap'
import { examplePatient } from './examples.js'
import { checkIfMatch, etagOf, formatEtag, parseEtag, prepareCreate, prepareUpdate, replacePatient } from './versioning.js'

const NOW = new Date('2025-01-01T12:00:00Z')

t.test('ETag formatting and parsing', async (t) => {
  t.equal(formatEtag(3), 'W/"3"')
  t.equal(formatEtag('12'), 'W/"12"')
  t.equal(etagOf(examplePatient()), 'W/"2"')
  t.same(parseEtag('W/"3"'), { ok: true, value: 3 })
  t.same(parseEtag(' W/"45" '), { ok: true, value: 45 })
  for (const bad of ['"3"', 'W/3', 'W/"0"', 'W/"03"', 'W/"x"', '*', 'W/"1", W/"2"', 'w/"3"', '', 'W/"99999999999999999"']) {
    const r = parseEtag(bad)
    t.equal(r.ok, false, bad)
    if (!r.ok) {
      t.equal(r.errors[0].code, 'PRECONDITION_FAILED')
      t.equal(r.errors[0].parameter, 'If-Match')
    }
  }
})

t.test('If-Match decisions', async (t) => {
  const current = examplePatient() // version 2
  t.same(checkIfMatch('W/"2"', current), { ok: true, value: 2 })
  const missing = checkIfMatch(undefined, current)
  t.equal(!missing.ok && missing.errors[0].code, 'PRECONDITION_FAILED', 'missing')
  const empty = checkIfMatch('  ', current)
  t.equal(!empty.ok && empty.errors[0].code, 'PRECONDITION_FAILED', 'empty')
  const malformed = checkIfMatch('2', current)
  t.equal(!malformed.ok && malformed.errors[0].code, 'PRECONDITION_FAILED', 'malformed (PDS answers 412 for any form other than W/"n")')
  const stale = checkIfMatch('W/"1"', current)
  t.equal(!stale.ok && stale.errors[0].code, 'RESOURCE_VERSION_MISMATCH', 'stale')
  t.same(!stale.ok && stale.errors[0].data, { requested: 1, current: 2 })
  const ahead = checkIfMatch('W/"3"', current)
  t.equal(!ahead.ok && ahead.errors[0].code, 'RESOURCE_VERSION_MISMATCH', 'a version from the future is as wrong as an old one')
})

t.test('create: version 1, server metadata', async (t) => {
  const body: Record<string, unknown> = { ...examplePatient() }
  delete body.meta
  const r = prepareCreate(body, NOW)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  t.equal(r.value.meta.versionId, '1')
  t.equal(r.value.meta.lastUpdated, '2025-01-01T12:00:00.000Z')
  const withOne = prepareCreate({ ...examplePatient(), meta: { versionId: '1' } }, NOW)
  t.ok(withOne.ok)
  const withTwo = prepareCreate(examplePatient(), NOW)
  t.equal(!withTwo.ok && withTwo.errors[0].code, 'INVALID_UPDATE')
  const invalid = prepareCreate({ resourceType: 'Patient' }, NOW)
  t.same(!invalid.ok && invalid.errors.map((e) => [e.code, e.path]), [
    ['MISSING_VALUE', 'id'],
    // No MISSING_VALUE for name: PDS's Patient.yaml requires only id, and its Minimal_Patient.json example has no name.
  ])
  const badMeta = prepareCreate({ ...examplePatient(), meta: 'x' }, NOW)
  t.same(!badMeta.ok && badMeta.errors.map((e) => [e.code, e.path]), [['INVALID_VALUE', 'meta']])
})

t.test('update: next version, same NHS number, the version read', async (t) => {
  const current = examplePatient()
  const next = { ...examplePatient(), gender: 'other' }
  const r = prepareUpdate(current, next, NOW)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  t.equal(r.value.meta.versionId, '3')
  t.equal(r.value.gender, 'other')
  t.equal(r.value.meta.lastUpdated, NOW.toISOString())
  t.equal(current.meta.versionId, '2', 'current untouched')

  const noMeta: Record<string, unknown> = { ...examplePatient() }
  delete noMeta.meta
  const r2 = prepareUpdate(current, noMeta, NOW)
  t.ok(r2.ok && r2.value.meta.versionId === '3', 'meta may be left out')

  const restricted = examplePatient()
  restricted.meta.security = [{ code: 'R' }]
  const kept = prepareUpdate(restricted, noMeta, NOW)
  t.equal(kept.ok && kept.value.meta.security?.[0].code, 'R', 'a body without a label keeps the restriction')
  const lifted = prepareUpdate(restricted, { ...examplePatient(), meta: { versionId: '2', security: [{ code: 'U' }] } }, NOW)
  t.equal(lifted.ok && lifted.value.meta.security?.[0].code, 'U', 'lifting it must be explicit')

  const moved = prepareUpdate(current, { ...examplePatient(), id: '9000000009' }, NOW)
  t.same(!moved.ok && moved.errors.map((e) => [e.code, e.path]), [['INVALID_UPDATE', 'id']])
  const staleBody = prepareUpdate(current, { ...examplePatient(), meta: { versionId: '1' } }, NOW)
  t.same(!staleBody.ok && staleBody.errors.map((e) => [e.code, e.path]), [['INVALID_UPDATE', 'meta.versionId']])
  const invalid = prepareUpdate(current, { ...examplePatient(), gender: 'mal' }, NOW)
  t.same(!invalid.ok && invalid.errors.map((e) => [e.code, e.path]), [['INVALID_VALUE', 'gender']])
})

t.test('replace = If-Match then update', async (t) => {
  const current = examplePatient()
  const body = { ...examplePatient(), birthDate: '1970-01-02' }
  t.ok(replacePatient(current, 'W/"2"', body, NOW).ok)
  const missing = replacePatient(current, undefined, body, NOW)
  t.equal(!missing.ok && missing.errors[0].code, 'PRECONDITION_FAILED')
  const stale = replacePatient(current, 'W/"1"', body, NOW)
  t.equal(!stale.ok && stale.errors[0].code, 'RESOURCE_VERSION_MISMATCH')
})
