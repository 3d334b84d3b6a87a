/**
 * The PDS Patient model against the specification's own example resources (test/fixtures/pds/): each
 * validates, and comes back exactly as sent — from validation, from a create and from an update —
 * apart from the meta the server sets (versionId, lastUpdated).
 */
import t from 'tap'
import { PDS_PATIENTS, pdsFixture } from '../../test/harness/pdsFixtures.js'
import { readView } from './restrict.js'
import type { Patient } from './record.js'
import { validatePatient } from './validate.js'
import { prepareCreate, prepareUpdate } from './versioning.js'

const NOW = new Date('2025-01-01T12:00:00Z')

function withoutServerMeta(p: unknown): unknown {
  const { meta, ...rest } = structuredClone(p) as { meta?: { versionId?: string; lastUpdated?: string } }
  const { versionId: _v, lastUpdated: _l, ...kept } = meta ?? {}
  return { ...rest, meta: kept }
}

for (const file of PDS_PATIENTS) {
  t.test(`${file}: valid, and round-trips`, async (t) => {
    const example = pdsFixture(file)
    const checked = validatePatient(example, NOW)
    if (!checked.ok) return t.fail(JSON.stringify(checked.errors))
    // Equal as JSON values; object keys come back in the schema's order (JSON gives key order no meaning).
    t.strictSame(checked.value, example, 'validation returns the record as sent')
    const created = prepareCreate({ ...(example as object), meta: { ...(example as { meta: object }).meta, versionId: '1' } }, NOW)
    if (!created.ok) return t.fail(JSON.stringify(created.errors))
    t.strictSame(withoutServerMeta(created.value), withoutServerMeta(example), 'a create stores it as sent')
    t.equal(created.value.meta.versionId, '1')
    const updated = prepareUpdate(created.value, JSON.parse(JSON.stringify(created.value)), NOW)
    if (!updated.ok) return t.fail(JSON.stringify(updated.errors))
    t.strictSame(withoutServerMeta(updated.value), withoutServerMeta(example), 'an unchanged replacement keeps every element')
  })
}

t.test('a restricted record hides what would locate the patient, as Patient.yaml says', async (t) => {
  const full = pdsFixture('Patient.json') as Patient
  full.meta.security = [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R', display: 'restricted' }]
  const view = readView(full)
  if (!view.visible) return t.fail('a restricted record is visible')
  const p = view.patient
  t.equal(p.address, undefined, 'no address')
  t.equal(p.telecom, undefined, 'no telecom')
  t.equal(p.contact, undefined, 'no contact')
  t.equal(p.generalPractitioner, undefined, 'no GP')
  t.same(
    p.extension?.map((e) => e.url.replace(/.*[-/]/, '')),
    ['DeathNotificationStatus', 'NHSCommunication', 'ContactPreference', 'RemovalFromRegistration'],
    'no pharmacy or birthplace extension',
  )
})
