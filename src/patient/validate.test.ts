import jsonpatch, { type Operation } from 'fast-json-patch'
import t, { type Test } from 'tap'
import type { FieldError } from './errors.js'
import { examplePatient } from './examples.js'
import type { Patient } from './record.js'
import { formatPath, validatePatient } from './validate.js'

const NOW = new Date('2025-01-01T12:00:00Z')

/** The example broken by some JSON Patch operations (unchecked, so a test can write anything anywhere). */
function edited(...ops: Operation[]): unknown {
  const doc: unknown = JSON.parse(JSON.stringify(examplePatient()))
  return jsonpatch.applyPatch(doc, ops, false, true, false).newDocument
}
const set = (path: string, value: unknown): Operation => ({ op: 'add', path, value })
const del = (path: string): Operation => ({ op: 'remove', path })

function errorsOf(input: unknown): FieldError[] {
  const r = validatePatient(input, NOW)
  return r.ok ? [] : [...r.errors]
}

function only(t: Test, input: unknown, code: FieldError['code'], path: string): void {
  const errors = errorsOf(input)
  t.same(
    errors.map((e) => [e.code, e.path]),
    [[code, path]],
    `${code} at ${path}`,
  )
  const e = errors[0]
  if (e !== undefined) t.match(e.message, path === '' ? /body/ : path, 'message names the field')
}

t.test('the example and minimal records are valid', async (t) => {
  const r = validatePatient(examplePatient(), NOW)
  t.ok(r.ok)
  const minimal = { resourceType: 'Patient', id: '9000000009', meta: { versionId: '1' }, name: [{ use: 'usual', family: 'Smith' }] }
  t.ok(validatePatient(minimal, NOW).ok)
})

t.test('INVALID_RESOURCE_ID for a bad NHS number', async (t) => {
  only(t, edited(set('/id', '9434765918')), 'INVALID_RESOURCE_ID', 'id')
  only(t, edited(set('/id', '943 476 5919')), 'INVALID_RESOURCE_ID', 'id')
  only(t, edited(set('/id', 9434765919)), 'INVALID_RESOURCE_ID', 'id')
  only(t, edited(del('/id')), 'MISSING_VALUE', 'id')
})

t.test('MISSING_VALUE for required fields', async (t) => {
  only(t, edited(del('/resourceType')), 'MISSING_VALUE', 'resourceType')
  only(t, edited(del('/meta')), 'MISSING_VALUE', 'meta')
  only(t, edited(del('/meta/versionId')), 'MISSING_VALUE', 'meta.versionId')
  // A record without a name is valid: PDS's Patient.yaml requires only `id`, and its Minimal_Patient.json has no name.
  t.same(errorsOf(edited(del('/name'))), [], 'no name is allowed')
  only(t, edited(del('/name/0/family')), 'MISSING_VALUE', 'name[0].family')
  only(t, edited(del('/name/1/use')), 'MISSING_VALUE', 'name[1].use')
  only(t, edited(del('/telecom/0/value')), 'MISSING_VALUE', 'telecom[0].value')
  only(t, edited(del('/generalPractitioner/0/identifier/value')), 'MISSING_VALUE', 'generalPractitioner[0].identifier.value')
  only(t, edited(del('/meta/security/0/code')), 'MISSING_VALUE', 'meta.security[0].code')
})

t.test('ADDITIONAL_PROPERTIES for unknown fields, at any depth', async (t) => {
  only(t, edited(set('/pets', ['cat'])), 'ADDITIONAL_PROPERTIES', 'pets')
  only(t, edited(set('/name/0/middle', 'Q')), 'ADDITIONAL_PROPERTIES', 'name[0].middle')
  only(t, edited(set('/address/1/city', 'Leeds')), 'ADDITIONAL_PROPERTIES', 'address[1].city')
  only(t, edited(set('/meta/source', 'x')), 'ADDITIONAL_PROPERTIES', 'meta.source')
  only(t, edited(set('/odd key', 1)), 'ADDITIONAL_PROPERTIES', '["odd key"]')
  const twoExtra = errorsOf(edited(set('/a', 1), set('/b', 2)))
  t.same(twoExtra.map((e) => e.path), ['a', 'b'], 'one error per unknown field')
  // JSON.parse makes __proto__ an own property: it must be refused, not silently become the prototype.
  const proto = JSON.parse('{"resourceType":"Patient","id":"9434765919","meta":{"versionId":"1"},"name":[{"use":"usual","family":"Smith"}],"__proto__":{"x":1}}')
  t.same(errorsOf(proto).map((e) => [e.code, e.path]), [['ADDITIONAL_PROPERTIES', '__proto__']])
})

t.test('INVALID_VALUE, field by field', async (t) => {
  const cases: [string, Operation][] = [
    ['resourceType', set('/resourceType', 'Practitioner')],
    ['meta.versionId', set('/meta/versionId', '0')],
    ['meta.versionId', set('/meta/versionId', 2)],
    ['meta.versionId', set('/meta/versionId', '99999999999999999')],
    ['meta.lastUpdated', set('/meta/lastUpdated', '2024-03-01')],
    ['meta.security', set('/meta/security/-', { code: 'R' })],
    // Was 'V': PDS's Meta.yaml lists U, R, V (very restricted) and REDACTED, so V is valid now.
    ['meta.security[0].code', set('/meta/security/0/code', 'X')],
    ['name', set('/name', [])],
    ['name', set('/name', { use: 'usual', family: 'Smith' })],
    ['name[0].use', set('/name/0/use', 'preferred')],
    ['name[0].family', set('/name/0/family', 'x'.repeat(36))],
    ['name[0].family', set('/name/0/family', '')],
    ['name[0].family', set('/name/0/family', ' Smith')],
    ['name[0].family', set('/name/0/family', 'Smi\nth')],
    ['name[0].given', set('/name/0/given', ['A', 'B', 'C', 'D', 'E', 'F'])],
    ['name[0].given[1]', set('/name/0/given/1', 7)],
    ['name[0].prefix[0]', set('/name/0/prefix/0', '')],
    ['name[0].period.start', set('/name/0/period/start', '1995-13-01')],
    ['name[1].period.end', set('/name/1/period/end', '1969-12-31')],
    ['name[0].id', set('/name/0/id', 'has space')],
    ['gender', set('/gender', 'mal')],
    ['birthDate', set('/birthDate', '1970-02-30')],
    ['birthDate', set('/birthDate', '01/01/1970')],
    ['birthDate', set('/birthDate', '2025-01-02')],
    ['deceasedDateTime', set('/deceasedDateTime', '1969-12-31')],
    ['deceasedDateTime', set('/deceasedDateTime', '2020-01-01T10:00:00')],
    ['deceasedDateTime', set('/deceasedDateTime', '2026-01-01')],
    ['address[0].postalCode', set('/address/0/postalCode', 'LS1 6AC')],
    ['address[0].postalCode', set('/address/0/postalCode', 'LS1*')],
    ['address[0].line', set('/address/0/line', ['1', '2', '3', '4', '5', '6'])],
    ['address[0].line[0]', set('/address/0/line/0', 'x'.repeat(36))],
    ['address[0].use', set('/address/0/use', 'holiday')],
    ['address[0].period.start', set('/address/0/period/start', '2025-06-01')],
    ['telecom[0].system', set('/telecom/0/system', 'pigeon')],
    ['telecom[0].value', set('/telecom/0/value', 'call me')],
    ['telecom[1].value', set('/telecom/1/value', 'jane.smith.example.com')],
    ['telecom[1].use', set('/telecom/1/use', 'private')],
    ['generalPractitioner', { op: 'copy', from: '/generalPractitioner/0', path: '/generalPractitioner/-' }],
    ['generalPractitioner[0].identifier.value', set('/generalPractitioner/0/identifier/value', 'Y1234')],
    ['generalPractitioner[0].identifier.value', set('/generalPractitioner/0/identifier/value', 'y12345')],
    ['generalPractitioner[0].identifier.system', set('/generalPractitioner/0/identifier/system', 'https://example.com')],
    ['generalPractitioner[0].type', set('/generalPractitioner/0/type', 'Practitioner')],
  ]
  for (const [path, op] of cases) only(t, edited(op), 'INVALID_VALUE', path)
})

t.test('a body that is not an object', async (t) => {
  for (const body of [null, [], 'Patient', 42, undefined]) only(t, body, 'INVALID_VALUE', '')
})

t.test('every error at once, schema errors first', async (t) => {
  const errors = errorsOf(
    edited(set('/id', '1234567890'), set('/gender', 'x'), set('/birthDate', '2030-01-01'), set('/extra', true)),
  )
  t.same(
    errors.map((e) => [e.code, e.path]),
    [
      ['INVALID_RESOURCE_ID', 'id'],
      ['INVALID_VALUE', 'gender'],
      ['ADDITIONAL_PROPERTIES', 'extra'],
      ['INVALID_VALUE', 'birthDate'],
    ],
  )
})

t.test('the parsed record: postcodes in display form, input untouched', async (t) => {
  const input = edited(set('/address/0/postalCode', 'ls16ae')) as Patient
  const r = validatePatient(input, NOW)
  if (!r.ok) throw new Error('expected valid')
  t.equal(r.value.address?.[0]?.postalCode, 'LS1 6AE')
  t.equal(input.address?.[0]?.postalCode, 'ls16ae', 'the input is not modified')
  t.not(r.value, input)
})

t.test('messages are bounded and paths well formed', async (t) => {
  const [e] = errorsOf(edited(set('/name/0/family', 'x'.repeat(10_000))))
  t.ok(e !== undefined && e.message.length < 200)
  t.equal(formatPath(['name', 0, 'given', 2]), 'name[0].given[2]')
  t.equal(formatPath([]), '')
  t.equal(formatPath(['a-b']), '["a-b"]')
})

t.test('now decides what is in the future', async (t) => {
  const born = edited(set('/birthDate', '2024-06-02'))
  t.notOk(validatePatient(born, new Date('2024-06-01T22:00:00Z')).ok, '23:00 BST on 1 June')
  t.ok(validatePatient(born, new Date('2024-06-01T23:30:00Z')).ok, '00:30 BST on 2 June')
})
