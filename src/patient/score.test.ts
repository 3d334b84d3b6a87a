import t from 'tap'
import type { HumanName, Patient, SecurityCode } from './record.js'
import { MatchCollector, rankMatches, scorePatient } from './score.js'
import { parseSearchQuery, type PatientSearchQuery, type SearchParams } from './searchQuery.js'

function query(params: SearchParams): PatientSearchQuery {
  const r = parseSearchQuery(params)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value
}

let n = 0
/** A record with the given names (first is usual), birth date and so on; NHS numbers in id order of creation. */
function person(names: Partial<HumanName>[], birthDate: string, extra: Partial<Patient> = {}, code: SecurityCode = 'U'): Patient {
  n++
  return {
    resourceType: 'Patient',
    id: `p${String(n).padStart(3, '0')}`, // scoring does not check NHS numbers; readable ids make failures readable
    meta: { versionId: '1', security: [{ code }] },
    name: names.map((x, i) => ({ use: i === 0 ? 'usual' : 'old', family: 'Smith', ...x })),
    gender: 'female',
    birthDate,
    address: [{ use: 'home', postalCode: 'LS1 6AE' }],
    ...extra,
  }
}

const exact = person([{ given: ['Jane'], family: 'Smith' }], '1970-01-01')
const smyth = person([{ given: ['Jane'], family: 'Smyth' }], '1970-01-01')
const transposed = person([{ given: ['Smith'], family: 'Jane' }], '1970-01-01')
const maiden = person([{ given: ['Jane'], family: 'Brown' }, { given: ['Jane'], family: 'Smith', use: 'maiden' }], '1970-01-01')
const yearOnly = person([{ given: ['Jane'], family: 'Smith' }], '1970')
const swappedDob = person([{ given: ['Jane'], family: 'Smith' }], '1970-05-01')
const otherDay = person([{ given: ['Jane'], family: 'Smith' }], '1970-01-02')
const restricted = person([{ given: ['Jane'], family: 'Smith' }], '1970-01-01', {}, 'R')
const redacted = person([{ given: ['Jane'], family: 'Smith' }], '1970-01-01', {}, 'REDACTED')
const male = person([{ given: ['Jane'], family: 'Smith' }], '1970-01-01', { gender: 'male' })
const everyone = [exact, smyth, transposed, maiden, yearOnly, swappedDob, otherDay, restricted, redacted, male]

t.test('1.0 for an exact match on every field searched', async (t) => {
  const q = query({ family: 'Smith', given: 'Jane', gender: 'female', birthdate: '1970-01-01', 'address-postalcode': 'ls16ae' })
  t.equal(scorePatient(exact, q), 1)
  t.equal(scorePatient(exact, query({ family: 'SMITH', birthdate: '1970-01-01' })), 1, 'case does not matter')
})

t.test('exact search: only exact names, current names unless _history', async (t) => {
  const q = query({ family: 'Smith', given: 'Jane', birthdate: '1970-01-01' })
  const r = rankMatches(everyone, q)
  if (!r.ok) throw new Error('expected matches')
  t.same(
    r.value.map((m) => [m.patient.id, m.score]),
    [
      [exact.id, 1],
      [restricted.id, 1], // equal scores in NHS number order
      [male.id, 1],
      [yearOnly.id, 0.9625],
    ],
  )
  const withHistory = rankMatches(everyone, query({ family: 'Smith', given: 'Jane', birthdate: '1970-01-01', _history: 'true' }))
  t.ok(withHistory.ok && withHistory.value.some((m) => m.patient.id === maiden.id && m.score < 1), 'a maiden name matches with _history, below current names')
})

t.test('fuzzy search: exact first, then previous names, partial dates, Soundex, swapped dates, transposed names', async (t) => {
  const r = rankMatches(everyone, query({ family: 'Smith', given: 'Jane', birthdate: '1970-01-01', '_fuzzy-match': 'true' }))
  if (!r.ok) throw new Error('expected matches')
  const order = r.value.map((m) => m.patient.id)
  t.same(order.slice(0, 3).sort(), [exact.id, male.id, restricted.id].sort(), 'the exact matches first')
  const after = order.slice(3)
  t.same(after, [maiden.id, yearOnly.id, smyth.id, transposed.id], 'then maiden 0.96875, partial date 0.9625, Soundex 0.925, transposed 0.9063')
  t.notOk(order.includes(redacted.id), 'never a redacted record')
  t.notOk(order.includes(otherDay.id), 'another day does not match')
  for (let i = 1; i < r.value.length; i++) t.ok((r.value[i - 1]?.score ?? 0) >= (r.value[i]?.score ?? 0), 'sorted best first')
  // 1970-01-05 with day and month swapped is swappedDob's 1970-05-01.
  t.equal(scorePatient(swappedDob, query({ family: 'Smith', given: 'Jane', birthdate: '1970-01-05', '_fuzzy-match': 'true' })), 0.925, 'day and month swapped, fuzzy only')
  t.equal(scorePatient(swappedDob, query({ family: 'Smith', given: 'Jane', birthdate: '1970-01-05' })), 0)
})

t.test('wildcards score below exact', async (t) => {
  const q = query({ family: 'Smi*', birthdate: '1970-01-01' })
  t.equal(scorePatient(exact, q), 0.9375, 'prefix 0.9 on the name: (0.5 x 0.9 + 0.3) / 0.8')
  t.equal(scorePatient(smyth, q), 0)
  t.equal(scorePatient(exact, query({ family: 'Smith*', birthdate: '1970-01-01' })), 1, 'the whole name before * is exact')
})

t.test('gender and postcode must agree; restricted records are not found by postcode', async (t) => {
  t.equal(scorePatient(male, query({ family: 'Smith', gender: 'female', birthdate: '1970-01-01' })), 0)
  t.equal(scorePatient(exact, query({ family: 'Smith', birthdate: '1970-01-01', 'address-postalcode': 'LS6 3AA' })), 0)
  t.equal(scorePatient(exact, query({ family: 'Smith', birthdate: '1970-01-01', 'address-postalcode': 'LS1 6AE' })), 1)
  t.equal(scorePatient(restricted, query({ family: 'Smith', birthdate: '1970-01-01', 'address-postalcode': 'LS1 6AE' })), 0)
  t.equal(scorePatient(restricted, query({ family: 'Smith', birthdate: '1970-01-01', 'general-practitioner': 'Y12345' })), 0)
  t.equal(scorePatient(restricted, query({ family: 'Smith', birthdate: '1970-01-01' })), 1)
  const unknown = person([{ given: ['Jane'], family: 'Smith' }], '1970-01-01', { gender: 'unknown' })
  t.equal(scorePatient(unknown, query({ family: 'Smith', given: 'Jane', gender: 'female', birthdate: '1970-01-01', '_fuzzy-match': 'true' })), 0.9444)
})

t.test('date ranges', async (t) => {
  const q = query({ family: 'Smith', given: 'Jane', birthdate: ['ge1970-01-01', 'le1970-01-31'] })
  const r = rankMatches(everyone, q)
  t.ok(r.ok && r.value.some((m) => m.patient.id === otherDay.id && m.score === 1))
  t.ok(r.ok && r.value.some((m) => m.patient.id === yearOnly.id && m.score < 1), 'a year of birth overlaps the range, with less certainty')
})

t.test('TOO_MANY_MATCHES rather than truncation', async (t) => {
  const q = query({ family: 'Smith', birthdate: '1970-01-01', '_max-results': '2' })
  const r = rankMatches(everyone, q)
  t.equal(r.ok, false)
  if (!r.ok) {
    t.equal(r.errors[0].code, 'TOO_MANY_MATCHES')
    t.same(r.errors[0].data, { maxResults: 2 })
  }
  const four = rankMatches(everyone, query({ family: 'Smith', given: 'Jane', birthdate: '1970-01-01', '_max-results': '4' }))
  t.ok(four.ok && four.value.length === 4, 'exactly the cap is fine')
})

t.test('the collector stops early and counts a record once', async (t) => {
  const c = new MatchCollector(query({ family: 'Smith', birthdate: '1970-01-01', '_max-results': '1' }))
  t.equal(c.offer(exact), true)
  t.equal(c.offer(exact), true, 'the same record from a second index scan')
  t.equal(c.offer(smyth), true, 'not a match: keep reading')
  t.equal(c.offer(male), false, 'a second match with a cap of 1: stop')
  t.equal(c.offer(restricted), false)
  const r = c.result()
  t.equal(!r.ok && r.errors[0].code, 'TOO_MANY_MATCHES')
})

t.test('_exact-match keeps only 1.0', async (t) => {
  const r = rankMatches(everyone, query({ family: 'Smith', given: 'Jane', birthdate: '1970-01-01', '_fuzzy-match': 'true', '_exact-match': 'true' }))
  t.ok(r.ok && r.value.every((m) => m.score === 1) && r.value.length === 3)
})
