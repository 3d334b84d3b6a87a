/**
 * PDS's update rules against the specification's own examples (test/fixtures/pds/): each PATCH example
 * gives the answer the specification gives, and each error case of PDS's own tests (errors/cases.json)
 * gives PDS's code, status and diagnostics. Where the specification contradicts itself, the README in
 * test/fixtures/pds/ says what is expected and why.
 */
import t, { type Test } from 'tap'
import { PDS_PATCHES, pdsErrorCases, pdsFixture } from '../../test/harness/pdsFixtures.js'
import { httpStatusOf, type Result } from './errors.js'
import { patchPatient } from './patch.js'
import type { Patient } from './record.js'
import { prepareCreate } from './versioning.js'

const NOW = new Date('2025-01-01T12:00:00Z')

/** A fixture Patient as stored: created (version 1), so a patch goes with If-Match W/"1". */
function stored(file: string, edit: (p: Record<string, unknown>) => void = () => {}): Patient {
  const body = pdsFixture(file) as Record<string, unknown>
  delete (body.meta as Record<string, unknown>).versionId
  edit(body)
  const r = prepareCreate(body, NOW)
  if (!r.ok) throw new Error(`${file} does not validate: ${JSON.stringify(r.errors)}`)
  return r.value
}

const full = (): Patient => stored('Patient.json')
const minimal = (): Patient => stored('Minimal_Patient.json')
/** Patient.json with an old name (id 123, as the delete examples name it) before the usual one (id 124). */
function withOldName(): Patient {
  return stored('Patient.json', (p) => {
    const names = p.name as Record<string, unknown>[]
    const usual = { ...names[0], id: '124' }
    p.name = [{ id: '123', use: 'old', period: { start: '2020-01-01', end: '2021-12-31' }, given: ['Jane'], family: 'Smith', prefix: ['Mrs'], suffix: ['MBE'] }, usual]
  })
}

function patchWith(record: Patient, body: unknown): Result<Patient> {
  return patchPatient(record, 'W/"1"', body, NOW)
}

function value(t: Test, r: Result<Patient>): Patient {
  if (!r.ok) {
    t.fail(JSON.stringify(r.errors))
    throw new Error('patch refused')
  }
  return r.value
}


t.test('every PATCH example of the specification is covered here', async (t) => {
  t.equal(PDS_PATCHES.length, 11)
})

t.test('add-* examples, applied to the minimal patient as the specification suggests', async (t) => {
  const dead = value(t, patchWith(minimal(), pdsFixture('patch/add-deceased-date-time.json')))
  t.equal(dead.deceasedDateTime, '2010-10-22T00:00:00+00:00')
  t.equal(dead.meta.versionId, '2')

  const pharmacy = value(t, patchWith(minimal(), pdsFixture('patch/add-extension.json')))
  t.same(pharmacy.extension?.map((e) => e.url), ['https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NominatedPharmacy'])

  const named = value(t, patchWith(minimal(), pdsFixture('patch/add-name.json')))
  t.equal(named.name?.length, 1, 'the first name of a record without one')
  t.equal(named.name?.[0]?.family, 'Bloggs')
  t.match(named.name?.[0]?.id, /^[0-9A-F]{8}$/, 'the server assigns the new name its id')
})

t.test('update-* examples, applied to the full patient', async (t) => {
  const male = value(t, patchWith(full(), pdsFixture('patch/update-gender.json')))
  t.equal(male.gender, 'male')

  const moved = value(t, patchWith(full(), pdsFixture('patch/update-address.json')))
  t.equal(moved.address?.[0]?.line?.[0], '2 Whitehall Quay')
  t.equal(moved.address?.[0]?.postalCode, 'LS1 4BU')
  t.equal(moved.address?.[0]?.id, '456')

  const informal = value(t, patchWith(full(), pdsFixture('patch/update-extension.json')))
  const death = informal.extension?.[3]
  t.equal(death?.url, 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeathNotificationStatus')
  t.match(JSON.stringify(death), /"code":"1"/, 'the death notification is now informal')

  // As published, the example's PAF key (9876543) breaks PAFAddressKey.yaml (^[0-9]{8}$): the schema wins.
  const published = patchWith(full(), pdsFixture('patch/update-address-alternative.json'))
  t.same(!published.ok && [published.errors[0].code, published.errors[0].path], ['INVALID_VALUE', 'address[0].extension[0].extension[1].valueString'])
  const fixed = JSON.parse(JSON.stringify(pdsFixture('patch/update-address-alternative.json')).replace('"9876543"', '"98765432"'))
  const replaced = value(t, patchWith(full(), fixed))
  t.same(replaced.address?.[0]?.line, ['2 Whitehall Quay', 'Leeds', 'West Yorkshire'])
  t.equal(replaced.address?.length, 2, 'the other address is kept')
})

t.test('delete-* examples', async (t) => {
  const noDispenser = value(t, patchWith(full(), pdsFixture('patch/delete-extension.json')))
  t.notOk(noDispenser.extension?.some((e) => e.url.endsWith('PreferredDispenserOrganization')))
  t.equal(noDispenser.extension?.length, 7)

  // patient-patch.yaml: "although the patch is perfectly valid, the update is still rejected as a patients gender cannot be removed".
  const gender = patchWith(full(), pdsFixture('patch/delete-gender.json'))
  t.same(!gender.ok && [gender.errors[0].code, httpStatusOf(gender.errors)], ['FORBIDDEN_UPDATE', 403])

  // On Patient.json, /name/0 is the usual name: "cannot remove the usual name".
  const usual = patchWith(full(), pdsFixture('patch/delete-name.json'))
  t.same(!usual.ok && [usual.errors[0].code, usual.errors[0].message], ['FORBIDDEN_UPDATE', 'Forbidden update with error - not permitted to remove usual name'])
  // ... and the alternative's test names another period than the stored name's, so its test fails first.
  const alternative = patchWith(full(), pdsFixture('patch/delete-name-alternative.json'))
  t.same(!alternative.ok && alternative.errors[0].code, 'INVALID_UPDATE')

  // Where /name/0 is an old name with id 123, delete-name removes it.
  const removed = value(t, patchWith(withOldName(), pdsFixture('patch/delete-name.json')))
  t.same(removed.name?.map((n) => n.id), ['124'])
  // The alternative's test value is itself a usual name: where it holds, the removal is still forbidden.
  const exact = stored('Patient.json', (p) => {
    const test = (pdsFixture('patch/delete-name-alternative.json') as { patches: { value: unknown }[] }).patches[0]?.value
    p.name = [test, { id: '124', use: 'old', family: 'Jones' }]
  })
  const stillUsual = patchWith(exact, pdsFixture('patch/delete-name-alternative.json'))
  t.same(!stillUsual.ok && stillUsual.errors[0].code, 'FORBIDDEN_UPDATE', 'the test holds; the usual name still cannot go')
})

t.test("PDS's own error cases give PDS's code, status and diagnostics", async (t) => {
  for (const c of pdsErrorCases()) {
    if (c.contentType !== undefined) continue // a header: test/patientHttp.test.ts covers it
    const r = patchWith(c.record === 'Patient' ? full() : minimal(), c.body)
    if (r.ok) {
      t.fail(`${c.name}: accepted`)
      continue
    }
    t.same([r.errors[0].code, httpStatusOf(r.errors)], [c.code, c.status], `${c.name} (${c.source})`)
    if (c.diagnostics !== undefined) t.ok(r.errors[0].message.startsWith(c.diagnostics), `${c.name}: ${r.errors[0].message}`)
  }
})

t.test('more of the rules', async (t) => {
  const cases: [string, unknown, string, RegExp][] = [
    ['a new name at an index', { patches: [{ op: 'add', path: '/name/0', value: { use: 'old', family: 'X' } }] }, 'INVALID_UPDATE', /is added at '\/name\/-'/],
    ['a whole address without its id', { patches: [{ op: 'replace', path: '/address/0', value: { use: 'home', line: ['1 Road'], postalCode: 'LS1 6AE' } }] }, 'INVALID_UPDATE', /no id or url found for path with root \/address\/0/],
    ['a whole address with another id', { patches: [{ op: 'replace', path: '/address/0', value: { id: 'T456', use: 'home' } }] }, 'INVALID_UPDATE', /no 'address' resources with object id 'T456'/],
    ['an extension replaced by another kind', { patches: [{ op: 'replace', path: '/extension/0', value: { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Leeds' } } }] }, 'INVALID_UPDATE', /no 'extension' resources with object url/],
    ['a change inside an extension without its url', { patches: [{ op: 'replace', path: '/extension/4/extension/1/valueBoolean', value: false }] }, 'INVALID_UPDATE', /no id or url found for path with root \/extension\/4/],
    ['a remove after a test of another item', { patches: [{ op: 'test', path: '/telecom/1/id', value: '790' }, { op: 'remove', path: '/telecom/0' }] }, 'INVALID_UPDATE', /removal '\/telecom\/0' is not immediately preceded by equivalent test - instead it is 'test \/telecom\/1\/id'/],
    ['the id removed', { patches: [{ op: 'remove', path: '/telecom/0/id' }] }, 'INVALID_UPDATE', /set by the server/],
    ['a second usual name made by replace', { patches: [{ op: 'add', path: '/name/-', value: { use: 'old', family: 'Jones' } }, { op: 'replace', path: '/name/1/use', value: 'usual' }] }, 'FORBIDDEN_UPDATE', /multiple usual names cannot be added/],
    ['the name list removed', { patches: [{ op: 'remove', path: '/name' }] }, 'FORBIDDEN_UPDATE', /not permitted to remove usual name/],
    ['the date of death removed', { patches: [{ op: 'remove', path: '/deceasedDateTime' }] }, 'FORBIDDEN_UPDATE', /remove 'deceasedDateTime'/],
    ['gender set to other', { patches: [{ op: 'replace', path: '/gender', value: 'other' }] }, 'UNSUPPORTED_VALUE', /'other' in field 'gender'/],
    ['a work address added', { patches: [{ op: 'add', path: '/address/-', value: { use: 'work', line: ['1 Office Road', 'Leeds'], postalCode: 'LS1 4BU' } }] }, 'UNSUPPORTED_VALUE', /'work' in field 'address\[2\].use'/],
    ['death notification status U', { patches: [{ op: 'test', path: '/extension/3/url', value: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeathNotificationStatus' }, { op: 'replace', path: '/extension/3/extension/0/valueCodeableConcept/coding/0/code', value: 'U' }] }, 'UNSUPPORTED_VALUE', /'U' in field/],
    ['a temp address without an end', { patches: [{ op: 'add', path: '/address/-', value: { use: 'temp', text: 'Holiday Home', period: { start: '2024-12-01' }, line: ['1 Beach Road', 'Whitby'], postalCode: 'YO21 3PU' } }] }, 'INVALID_UPDATE', /temp address must have a period with a start and an end/],
    ['a temp address without text', { patches: [{ op: 'add', path: '/address/-', value: { use: 'temp', period: { start: '2024-12-01', end: '2025-01-31' }, line: ['1 Beach Road', 'Whitby'], postalCode: 'YO21 3PU' } }] }, 'INVALID_UPDATE', /description in 'text'/],
    ['a billing address without a period', { patches: [{ op: 'add', path: '/address/-', value: { use: 'billing', line: ['1 Office Road', 'Leeds'], postalCode: 'LS1 4BU' } }] }, 'INVALID_UPDATE', /billing address must have a period/],
    ['a move', { patches: [{ op: 'move', from: '/name/0', path: '/name/-' }] }, 'INVALID_VALUE', /'move' in field '0\/op'/],
  ]
  for (const [name, body, code, message] of cases) {
    const r = patchWith(full(), body)
    t.same(!r.ok && r.errors[0].code, code, name)
    if (!r.ok) t.match(r.errors[0].message, message, name)
  }
  const sub = value(t, patchWith(full(), { patches: [{ op: 'test', path: '/extension/4/url', value: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication' }, { op: 'replace', path: '/extension/4/extension/1/valueBoolean', value: false }] }))
  t.match(JSON.stringify(sub.extension?.[4]), /"valueBoolean":false/, 'a sub-extension changed after a test of its url')
  const temp = value(t, patchWith(full(), { patches: [{ op: 'add', path: '/address/-', value: { use: 'temp', text: 'Holiday Home', period: { start: '2024-12-01', end: '2025-01-31' }, line: ['1 Beach Road', 'Whitby'], postalCode: 'YO21 3PU' } }] }))
  t.equal(temp.address?.length, 3, 'a temp address with its text and both dates')
  const given = value(t, patchWith(full(), { patches: [{ op: 'add', path: '/name/0/id', value: '123' }, { op: 'add', path: '/name/0/given/0', value: 'Rose' }] }))
  t.same(given.name?.[0]?.given, ['Rose', 'Jane'], "the specification's add-inside-an-item example")
})
