import t from 'tap'
import type { PatientError } from './errors.js'
import { parseSearchQuery, type PatientSearchQuery, type SearchParams } from './searchQuery.js'

function parsed(params: SearchParams): PatientSearchQuery {
  const r = parseSearchQuery(params)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value
}

function problems(params: SearchParams): [string | undefined, string][] {
  const r = parseSearchQuery(params)
  return r.ok ? [] : r.errors.map((e: PatientError) => [e.parameter, e.code])
}

t.test('a plain search', async (t) => {
  const q = parsed({ family: 'Smith', birthdate: '1970-01-01' })
  t.same(q, {
    birthdate: { from: '1970-01-01', to: '1970-01-01', exactDay: true },
    family: { text: 'Smith', key: 'SMITH', wildcard: false },
    given: [],
    fuzzy: false,
    history: false,
    exactMatch: false,
    maxResults: 50,
  })
})

t.test('URLSearchParams, all parameters', async (t) => {
  const q = parsed(
    new URLSearchParams(
      'family=o%27brien&given=Jane&given=Anne&gender=female&birthdate=eq1970-01-01&address-postalcode=ls1%206ae&general-practitioner=Y12345&_exact-match=true&_history=true&_max-results=5',
    ),
  )
  t.equal(q.family?.key, 'OBRIEN')
  t.same(
    q.given.map((g) => g.key),
    ['JANE', 'ANNE'],
  )
  t.equal(q.gender, 'female')
  t.equal(q.postalCode, 'LS16AE', 'normalised')
  t.equal(q.generalPractitioner, 'Y12345')
  t.ok(q.exactMatch && q.history)
  t.equal(q.maxResults, 5)
})

t.test('birthdate forms', async (t) => {
  t.same(parsed({ family: 'Smith', birthdate: 'eq1970-01-01' }).birthdate, { from: '1970-01-01', to: '1970-01-01', exactDay: true })
  t.same(parsed({ family: 'Smith', birthdate: '1970' }).birthdate, { from: '1970-01-01', to: '1970-12-31', exactDay: false })
  t.same(parsed({ family: 'Smith', birthdate: 'eq1970-02' }).birthdate, { from: '1970-02-01', to: '1970-02-28', exactDay: false })
  t.same(parsed({ family: 'Smith', birthdate: ['ge1970-01-01', 'le1970-12-31'] }).birthdate, { from: '1970-01-01', to: '1970-12-31', exactDay: false })
  t.same(parsed({ family: 'Smith', birthdate: ['le1971', 'ge1970-06'] }).birthdate, { from: '1970-06-01', to: '1971-12-31', exactDay: false }, 'order does not matter')
  t.same(parsed({ family: 'Smith', birthdate: 'ge1990-01-01' }).birthdate, { from: '1990-01-01', to: '9999-12-31', exactDay: false }, 'open-ended')
  t.same(parsed(new URLSearchParams('family=Smith&birthdate=ge1970-01-01&birthdate=le1970-01-31')).birthdate.to, '1970-01-31')
})

t.test('birthdate errors', async (t) => {
  const cases: SearchParams[] = [
    { family: 'Smith' }, // required
    { family: 'Smith', birthdate: '1970-02-30' },
    { family: 'Smith', birthdate: '01/01/1970' },
    { family: 'Smith', birthdate: 'gt1970-01-01' }, // unsupported prefix
    { family: 'Smith', birthdate: 'sa1970-01-01' },
    { family: 'Smith', birthdate: ['eq1970-01-01', 'le1971-01-01'] },
    { family: 'Smith', birthdate: ['ge1970-01-01', 'ge1971-01-01'] },
    { family: 'Smith', birthdate: ['ge1971-01-01', 'le1970-01-01'] }, // empty range
    { family: 'Smith', birthdate: ['ge1970', 'le1971', 'le1972'] },
    { family: 'Smith', birthdate: '' },
  ]
  for (const c of cases) t.same(problems(c), [['birthdate', 'INVALID_SEARCH_DATA']], JSON.stringify(c))
})

t.test('family wildcards', async (t) => {
  t.same(parsed({ family: 'Sm*', birthdate: '1970' }).family, { text: 'Sm', key: 'SM', wildcard: true })
  t.same(parsed({ family: "O'B*", birthdate: '1970', given: 'Jo*' }).given[0], { text: 'Jo', key: 'JO', wildcard: true })
  for (const bad of ['S*', '*', 'S*th', '*mith', 'Sm**', "'*", '123']) {
    t.same(problems({ family: bad, birthdate: '1970' }), [['family', 'INVALID_SEARCH_DATA']], bad)
  }
})

t.test('other parameter errors, each naming its parameter', async (t) => {
  const base = { family: 'Smith', birthdate: '1970-01-01' }
  const cases: [Record<string, string | string[]>, string][] = [
    [{ gender: 'mal' }, 'gender'],
    [{ 'address-postalcode': 'LS1 6AC' }, 'address-postalcode'],
    [{ 'address-postalcode': 'LS*' }, 'address-postalcode'],
    [{ 'general-practitioner': 'y12345' }, 'general-practitioner'],
    [{ '_fuzzy-match': 'yes' }, '_fuzzy-match'],
    [{ '_max-results': '0' }, '_max-results'],
    [{ '_max-results': '51' }, '_max-results'],
    [{ '_max-results': '1.5' }, '_max-results'],
    [{ '_max-results': '-1' }, '_max-results'],
    [{ postcode: 'LS1 6AE' }, 'postcode'],
    [{ gender: ['male', 'female'] }, 'gender'],
    [{ given: ['A', 'B', 'C', 'D', 'E', 'F'] }, 'given'],
    [{ given: 'x'.repeat(40) }, 'given'],
  ]
  for (const [extra, parameter] of cases) {
    t.same(problems({ ...base, ...extra }), [[parameter, 'INVALID_SEARCH_DATA']], JSON.stringify(extra))
  }
  t.same(problems({ family: ['Smith', 'Jones'], birthdate: '1970' }), [['family', 'INVALID_SEARCH_DATA']], 'family once')
})

t.test('every problem at once', async (t) => {
  t.same(problems({ gender: 'mal', '_max-results': '99', colour: 'blue' }), [
    ['colour', 'INVALID_SEARCH_DATA'],
    ['birthdate', 'INVALID_SEARCH_DATA'],
    ['gender', 'INVALID_SEARCH_DATA'],
    ['_max-results', 'INVALID_SEARCH_DATA'],
  ])
})

t.test("PDS's combinations", async (t) => {
  t.same(problems({ given: 'Jane', birthdate: '1970' }), [['family', 'INVALID_SEARCH_DATA']], 'a non-fuzzy search needs family')
  t.ok(parsed({ family: 'Smith', given: 'Jane', birthdate: '1970-01-01', '_fuzzy-match': 'true' }).fuzzy)
  t.ok(parsed({ family: 'Smith', gender: 'female', 'address-postalcode': 'LS1 6AE', birthdate: '1970-01-01', '_fuzzy-match': 'true' }).history, 'fuzzy always searches history')
  t.ok(parsed({ given: 'Jane', gender: 'female', 'address-postalcode': 'LS1 6AE', birthdate: '1970-01-01', '_fuzzy-match': 'true' }).fuzzy)
  t.same(problems({ family: 'Smith', birthdate: '1970-01-01', '_fuzzy-match': 'true' }), [['_fuzzy-match', 'INVALID_SEARCH_DATA']], 'fuzzy needs more than family')
  t.same(problems({ family: 'Sm*', given: 'Jane', birthdate: '1970-01-01', '_fuzzy-match': 'true' }), [['_fuzzy-match', 'INVALID_SEARCH_DATA']], 'no wildcards when fuzzy')
})
