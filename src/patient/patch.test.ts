import t from 'tap'
import { examplePatient } from './examples.js'
import { applyJsonPatch, parsePatch, patchPatient } from './patch.js'
import type { Patient } from './record.js'

const NOW = new Date('2025-01-01T12:00:00Z')

function patched(ops: unknown, ifMatch: string | undefined = 'W/"2"'): ReturnType<typeof patchPatient> {
  return patchPatient(examplePatient(), ifMatch, ops, NOW)
}

function patchedWithout(ops: unknown): ReturnType<typeof patchPatient> {
  return patchPatient(examplePatient(), undefined, ops, NOW)
}

function value(r: ReturnType<typeof patchPatient>): Patient {
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value
}

t.test('PDS patch examples apply', async (t) => {
  t.equal(value(patched([{ op: 'replace', path: '/gender', value: 'male' }])).gender, 'male')
  t.equal(value(patched([{ op: 'add', path: '/deceasedDateTime', value: '2020-01-01' }])).deceasedDateTime, '2020-01-01')
  const withName = value(patched({ patches: [{ op: 'add', path: '/name/-', value: { use: 'nickname', given: ['Janey'], family: 'Smith' } }] }))
  t.equal(withName.name!.length, 3, 'the { patches: [...] } wrapper PDS uses')
  const removed = value(
    patched([
      { op: 'test', path: '/name/1/id', value: 'n2' },
      { op: 'remove', path: '/name/1' },
    ]),
  )
  t.same(
    removed.name!.map((n) => n.id),
    ['n1'],
  )
  // With the address's id first: patient-patch.yaml, "you must always include the list id or url"
  // (replaceErrors.feature: without it, INVALID_UPDATE "no id or url found for path with root /address/0").
  const moved = value(
    patched([
      { op: 'replace', path: '/address/0/id', value: 'a1' },
      { op: 'replace', path: '/address/0/line/0', value: '2 Trevelyan Square' },
    ]),
  )
  t.equal(moved.address?.[0]?.line?.[0], '2 Trevelyan Square')
  t.equal(moved.meta.versionId, '3', 'a patch makes the next version')
})

t.test('the If-Match decision comes first', async (t) => {
  const ops = [{ op: 'replace', path: '/gender', value: 'male' }]
  const missing = patchedWithout(ops)
  t.equal(!missing.ok && missing.errors[0].code, 'PRECONDITION_FAILED')
  const stale = patched(ops, 'W/"1"')
  t.equal(!stale.ok && stale.errors[0].code, 'RESOURCE_VERSION_MISMATCH')
})

t.test('a failing operation refuses the whole patch, naming the operation', async (t) => {
  const current = examplePatient()
  const before = JSON.stringify(current)
  const r = applyJsonPatch(current, [
    { op: 'replace', path: '/gender', value: 'male' },
    { op: 'test', path: '/name/1/id', value: 'n9' },
    { op: 'remove', path: '/name/1' },
  ])
  t.equal(r.ok, false)
  if (!r.ok) {
    // Was INVALID_VALUE: PDS answers a failed test with INVALID_UPDATE (patient-patch.yaml, "Example 3 - a failure"; its error table: "client error after the patch was accepted").
    t.equal(r.errors[0].code, 'INVALID_UPDATE')
    t.same(r.errors[0].data, { index: 1, operation: { op: 'test', path: '/name/1/id', value: 'n9' } })
    t.match(r.errors[0].message, /operation 1 \(test \/name\/1\/id\)/)
  }
  t.equal(JSON.stringify(current), before, 'the record is unchanged, including the first operation')
})

t.test('patch failures are INVALID_VALUE', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['no parent', [{ op: 'add', path: '/meta/nothing/x', value: [] }], /operation 0.*parent of path does not exist/],
    ['bad op', [{ op: 'merge', path: '/gender', value: 'male' }], /op must be/],
    ['internal _get', [{ op: '_get', path: '/gender', value: null }], /op must be/],
    ['no value', [{ op: 'add', path: '/gender' }], /value is required/],
    ['bad pointer', [{ op: 'add', path: 'gender', value: 'male' }], /JSON Pointer/],
    // Was /from is required/: JsonPatch.yaml allows only remove, add, replace and test, so move is refused by its op.
    ['move without from', [{ op: 'move', path: '/gender' }], /'move' in field '0\/op'/],
    ['not an array', { patches: { op: 'add', path: '/gender', value: 'male' } }, /JSON Patch array/],
    ['too many', Array.from({ length: 101 }, () => ({ op: 'test', path: '/id', value: '9434765919' })), /at most 100/],
    ['not an object', ['x'], /op must be/],
    ['prototype', [{ op: 'add', path: '/__proto__/x', value: 1 }], /./],
  ]
  for (const [name, ops, message] of cases) {
    const r = applyJsonPatch(examplePatient(), ops)
    t.equal(r.ok, false, name)
    if (!r.ok) {
      t.equal(r.errors[0].code, 'INVALID_VALUE', name)
      t.match(r.errors[0].message, message, name)
    }
  }
  t.equal(({} as Record<string, unknown>).x, undefined, 'no prototype was polluted')
})

t.test('PDS answers these with INVALID_UPDATE (each was INVALID_VALUE before the PDS rules)', async (t) => {
  const cases: [string, unknown, string][] = [
    // requestErrors.feature, "No patch operations": {} and an empty list are "No patches found".
    ['no patches', { op: 'add', path: '/gender', value: 'male' }, 'Invalid update with error - No patches found'],
    ['empty', [], 'Invalid update with error - No patches found'],
    // removeErrors.feature / replaceErrors.feature: an index past the list is "out of bounds".
    // Was INVALID_VALUE /does not exist/: replaceErrors.feature, "can't replace non-existent object 'line'".
    ['unresolvable path', [{ op: 'replace', path: '/gender/x', value: [] }], "Invalid update with error - Invalid patch - can't replace non-existent object 'x'"],
    ['index beyond the list', [{ op: 'replace', path: '/address/7/line', value: [] }], "Invalid update with error - Invalid patch - index '7' is out of bounds"],
  ]
  for (const [name, ops, message] of cases) {
    const r = applyJsonPatch(examplePatient(), ops)
    t.same(!r.ok && [r.errors[0].code, r.errors[0].message], ['INVALID_UPDATE', message], name)
  }
})

t.test('a patch cannot produce what a PUT could not', async (t) => {
  const invalid = patched([{ op: 'replace', path: '/gender', value: 'mal' }])
  t.same(!invalid.ok && invalid.errors.map((e) => [e.code, e.path]), [['INVALID_VALUE', 'gender']])
  const nhs = patched([{ op: 'replace', path: '/id', value: '9000000009' }])
  t.same(!nhs.ok && nhs.errors.map((e) => [e.code, e.path]), [['INVALID_UPDATE', 'id']])
  const version = patched([{ op: 'replace', path: '/meta/versionId', value: '7' }])
  t.same(!version.ok && version.errors.map((e) => [e.code, e.path]), [['INVALID_UPDATE', 'meta.versionId']])
  const extra = patched([{ op: 'add', path: '/pets', value: ['cat'] }])
  t.same(!extra.ok && extra.errors.map((e) => [e.code, e.path]), [['ADDITIONAL_PROPERTIES', 'pets']])
  const root = patched([{ op: 'replace', path: '', value: 42 }])
  t.same(!root.ok && root.errors.map((e) => [e.code, e.path]), [['INVALID_VALUE', '']])
})

t.test('operations are copied, so the caller keeps its patch', async (t) => {
  const name = { use: 'nickname', family: 'Smith' }
  const ops = [{ op: 'add', path: '/name/-', value: name }]
  const r = parsePatch(ops)
  t.ok(r.ok && (r.value[0] as { value: unknown }).value !== name, 'parsed operations do not share the values')
  const p = value(patched(ops))
  const added = p.name![2]
  if (added !== undefined) added.family = 'Changed'
  t.equal(name.family, 'Smith')
})
