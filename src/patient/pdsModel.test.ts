/**
 * The PDS Patient model against the specification's own example resources (test/fixtures/pds/): each
 * validates, and comes back exactly as sent — from validation, from a create and from an update —
 * apart from the meta the server sets (versionId, lastUpdated).
 */
import t from 'tap'
import { PDS_PATIENTS, pdsFixture } from '../../test/harness/pdsFixtures.js'
import { mergeSiblings } from './merge.js'
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

t.test("the new elements are checked as the specification defines them", async (t) => {
  const edit = (f: (p: Record<string, any>) => void): unknown => { // eslint-disable-line @typescript-eslint/no-explicit-any -- free edits of a parsed fixture
    const p = pdsFixture('Patient.json') as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    f(p)
    return p
  }
  const cases: [string, unknown, string, string][] = [
    ['identifier of another number', edit((p) => (p.identifier[0].value = '9000000017')), 'INVALID_VALUE', 'identifier'],
    ['two identifiers', edit((p) => p.identifier.push(p.identifier[0])), 'INVALID_VALUE', 'identifier'],
    ['verification status not in the code system', edit((p) => (p.identifier[0].extension[0].valueCodeableConcept.coding[0].code = '99')), 'INVALID_VALUE', 'identifier[0].extension[0].valueCodeableConcept.coding[0].code'],
    ['multipleBirthInteger 10', edit((p) => (p.multipleBirthInteger = 10)), 'INVALID_VALUE', 'multipleBirthInteger'],
    ['multipleBirthInteger 1.5', edit((p) => (p.multipleBirthInteger = 1.5)), 'INVALID_VALUE', 'multipleBirthInteger'],
    ['deceasedDateTime not in UTC', edit((p) => (p.deceasedDateTime = '2010-10-22T00:00:00+01:00')), 'INVALID_VALUE', 'deceasedDateTime'],
    ['an unknown extension', edit((p) => (p.extension[0].url = 'https://example.com/x')), 'INVALID_VALUE', 'extension[0].url'],
    ['two nominated pharmacies', edit((p) => (p.extension[1].url = p.extension[0].url)), 'INVALID_VALUE', 'extension'],
    ['a pharmacy code too long', edit((p) => (p.extension[0].valueReference.identifier.value = 'Y1234567890')), 'INVALID_VALUE', 'extension[0].valueReference.identifier.value'],
    ['a death notification status not in the code system', edit((p) => (p.extension[3].extension[0].valueCodeableConcept.coding[0].code = '7')), 'INVALID_VALUE', 'extension[3].extension[0].valueCodeableConcept.coding[0].code'],
    ['a death notification without its status', edit((p) => p.extension[3].extension.shift()), 'INVALID_VALUE', 'extension[3].extension'],
    ['an interpreter flag that is not a boolean', edit((p) => (p.extension[4].extension[1].valueBoolean = 'yes')), 'INVALID_VALUE', 'extension[4].extension[1].valueBoolean'],
    ['contact times over 40 characters', edit((p) => (p.extension[5].extension[2].valueString = 'x'.repeat(41))), 'INVALID_VALUE', 'extension[5].extension[2].valueString'],
    ['contact times without a method', edit((p) => p.extension[5].extension.splice(1, 1)), 'INVALID_VALUE', 'extension[5].extension'],
    ['a birthplace with nothing in it', edit((p) => (p.extension[6].valueAddress = {})), 'INVALID_VALUE', 'extension[6].valueAddress'],
    ['a birthplace with a street', edit((p) => (p.extension[6].valueAddress.line = ['1 Road'])), 'ADDITIONAL_PROPERTIES', 'extension[6].valueAddress.line'],
    ['a removal reason not in the code system', edit((p) => (p.extension[7].extension[0].valueCodeableConcept.coding[0].code = 'XXX')), 'INVALID_VALUE', 'extension[7].extension[0].valueCodeableConcept.coding[0].code'],
    ['a PAF key of 7 digits', edit((p) => (p.address[0].extension[0].extension[1].valueString = '1234567')), 'INVALID_VALUE', 'address[0].extension[0].extension[1].valueString'],
    ['a UPRN of 13 digits', edit((p) => (p.address[0].extension[1].extension[1].valueString = '1234567890123')), 'INVALID_VALUE', 'address[0].extension[1].extension[1].valueString'],
    ['two PAF keys', edit((p) => (p.address[0].extension[1] = p.address[0].extension[0])), 'INVALID_VALUE', 'address[0].extension'],
    ['a temp address text not in the list', edit((p) => (p.address[1].text = 'Caravan')), 'INVALID_VALUE', 'address[1].text'],
    ['an address without use', edit((p) => delete p.address[0].use), 'MISSING_VALUE', 'address[0].use'],
    ['a period without start', edit((p) => delete p.address[0].period.start), 'MISSING_VALUE', 'address[0].period.start'],
    ['two addresses with one id', edit((p) => (p.address[1].id = p.address[0].id)), 'INVALID_VALUE', 'address'],
    ['a textphone code other than textphone', edit((p) => (p.telecom[2].extension[0].valueCoding.code = 'pager')), 'INVALID_VALUE', 'telecom[2].extension[0].valueCoding.code'],
    ['a telecom system PDS does not have', edit((p) => (p.telecom[0].system = 'sms')), 'INVALID_VALUE', 'telecom[0].system'],
    ['an email of 6 characters', edit((p) => (p.telecom[1].value = 'a@b.cd')), 'INVALID_VALUE', 'telecom[1].value'],
    ['a contact relationship other than C', edit((p) => (p.contact[0].relationship[0].coding[0].code = 'N')), 'INVALID_VALUE', 'contact[0].relationship[0].coding[0].code'],
    ['a contact telecom with a use', edit((p) => (p.contact[0].telecom[0].use = 'home')), 'ADDITIONAL_PROPERTIES', 'contact[0].telecom[0].use'],
    ['a contact fax', edit((p) => (p.contact[0].telecom[0].system = 'fax')), 'INVALID_VALUE', 'contact[0].telecom[0].system'],
    ['a contact without telecom', edit((p) => delete p.contact[0].telecom), 'MISSING_VALUE', 'contact[0].telecom'],
    ['a managing organisation that is not a practice code', edit((p) => (p.managingOrganization.identifier.value = 'y12345')), 'INVALID_VALUE', 'managingOrganization.identifier.value'],
    ['a name use PDS does not have', edit((p) => (p.name[0].use = 'official')), 'INVALID_VALUE', 'name[0].use'],
  ]
  for (const [what, body, code, path] of cases) {
    const r = validatePatient(body, NOW)
    t.same(r.ok ? [] : r.errors.map((e) => [e.code, e.path]), [[code, path]], what)
  }
})

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

t.test('a sibling merge keeps every PDS element (identifier, contact, managingOrganization, multipleBirthInteger, extensions)', async (t) => {
  const base = pdsFixture('Patient.json') as Patient
  const a = structuredClone(base)
  a.meta = { ...a.meta, versionId: '3', lastUpdated: '2025-01-01T10:00:00Z' }
  a.gender = 'male'
  const b = structuredClone(base)
  b.meta = { ...b.meta, versionId: '3', lastUpdated: '2025-01-01T10:00:01Z' }
  b.extension = b.extension?.filter((e) => !e.url.endsWith('NominatedPharmacy'))
  b.extension?.push({ url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NominatedPharmacy', valueReference: { identifier: { value: 'FA123' } } })
  const { patient } = mergeSiblings([a, b])
  t.same(patient.identifier, base.identifier)
  t.same(patient.contact, base.contact)
  t.same(patient.managingOrganization, base.managingOrganization)
  t.equal(patient.multipleBirthInteger, 1)
  t.equal(patient.extension?.length, 8, 'one extension of each url, none lost')
  const pharmacy = patient.extension?.find((e) => e.url.endsWith('NominatedPharmacy'))
  t.match(JSON.stringify(pharmacy), /FA123/, 'the later sibling’s version of the pharmacy')
  t.ok(validatePatient(patient, NOW).ok, 'the merged record is valid')
})
