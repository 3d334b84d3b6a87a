import t from 'tap'
import { mulberry32 } from '../../test/harness/prng.js'
import { examplePatient } from './examples.js'
import { indexScans, indexTermChanges, indexTerms, splitTerm, termBornInScan, termInScan, type IndexScan } from './indexTerms.js'
import type { Patient } from './record.js'
import { scorePatient } from './score.js'
import { parseSearchQuery, type PatientSearchQuery, type SearchParams } from './searchQuery.js'
import { syntheticPatient } from './synthetic.js'

function query(params: SearchParams): PatientSearchQuery {
  const r = parseSearchQuery(params)
  if (!r.ok) throw new Error(JSON.stringify(r.errors))
  return r.value
}

t.test('the terms of a record', async (t) => {
  t.same(indexTerms(examplePatient()), [
    'dob_family:1970-01-01|JONES',
    'dob_family:1970-01-01|SMITH',
    'family_dob:JONES|1970-01-01',
    'family_dob:SMITH|1970-01-01',
    'postcode_dob:LS16AE|1970-01-01',
    'postcode_dob:LS63AA|1970-01-01',
    'soundex_dob:J520|1970-01-01',
    'soundex_dob:S530|1970-01-01',
  ])
})

t.test('compound and accented names', async (t) => {
  const p = examplePatient()
  p.name = [{ use: 'usual', family: "Smith-O'Brien" }, { use: 'old', family: 'Kociński' }]
  delete p.address
  t.same(indexTerms(p), [
    'dob_family:1970-01-01|KOCINSKI',
    'dob_family:1970-01-01|SMITHOBRIEN',
    'family_dob:KOCINSKI|1970-01-01',
    'family_dob:SMITHOBRIEN|1970-01-01',
    'soundex_dob:K252|1970-01-01',
    'soundex_dob:O165|1970-01-01', // the part after the hyphen
    'soundex_dob:S531|1970-01-01', // SMITH + OBRIEN as one name
    'soundex_dob:S530|1970-01-01', // SMITH alone
  ].sort())
})

t.test('restricted records give no postcode terms; redacted ones and those without a birth date none', async (t) => {
  const r = examplePatient()
  r.meta.security = [{ code: 'R' }]
  t.same(
    indexTerms(r).filter((x) => x.startsWith('postcode')),
    [],
  )
  t.ok(indexTerms(r).some((x) => x.startsWith('family_dob:SMITH')), 'still found by name and birth date')
  const x = examplePatient()
  x.meta.security = [{ code: 'REDACTED' }]
  t.same(indexTerms(x), [])
  const noDob = examplePatient()
  delete noDob.birthDate
  t.same(indexTerms(noDob), [])
})

t.test('changes on write', async (t) => {
  const before = examplePatient()
  const after = examplePatient()
  after.address = [{ use: 'home', postalCode: 'YO1 7HH' }]
  t.same(indexTermChanges(before, after), { add: ['postcode_dob:YO17HH|1970-01-01'], remove: ['postcode_dob:LS16AE|1970-01-01', 'postcode_dob:LS63AA|1970-01-01'] })
  t.same(indexTermChanges(undefined, before).add, indexTerms(before))
  t.same(indexTermChanges(before, undefined).remove, indexTerms(before))
  const restricting = examplePatient()
  restricting.meta.security = [{ code: 'R' }]
  t.same(indexTermChanges(before, restricting).remove, ['postcode_dob:LS16AE|1970-01-01', 'postcode_dob:LS63AA|1970-01-01'], 'restricting a record removes its postcode terms')
  t.same(splitTerm('family_dob:SMITH|1970'), { index: 'family_dob', value: 'SMITH|1970' })
})

t.test('scans', async (t) => {
  const day = [{ first: '1970-01-01', last: '1970-01-01' }]
  t.same(indexScans(query({ family: 'Smith', birthdate: '1970-01-01' })), [{ index: 'family_dob', start: 'SMITH|1970', end: 'SMITH|1970-01-01', births: day }])
  t.same(indexScans(query({ family: 'Sm*', birthdate: '1970-01-01' })), [
    { index: 'dob_family', start: '1970-01-01|SM', end: '1970-01-01|SM\uffff', births: day },
    { index: 'dob_family', start: '1970-01|SM', end: '1970-01|SM\uffff', births: day },
    { index: 'dob_family', start: '1970|SM', end: '1970|SM\uffff', births: day },
  ])
  t.same(indexScans(query({ family: 'Sm*', birthdate: ['ge1970', 'le1971'] })), [
    { index: 'family_dob', start: 'SM', end: 'SM\uffff', births: [{ first: '1970-01-01', last: '1971-12-31' }] },
  ])
  const fuzzy = indexScans(query({ family: 'Smith', given: 'Jane', birthdate: '1970-01-05', '_fuzzy-match': 'true' }))
  const born = (s: IndexScan): string => s.births.map((b) => `${b.first}..${b.last}`).join(' ')
  // One scan per name or code reads both the day and the day with day and month swapped (1970-05-01).
  t.same(
    fuzzy.map((s) => `${s.index} ${s.start}..${s.end} born ${born(s)}`).sort(),
    [
      'family_dob JANE|1970..JANE|1970-05-01 born 1970-01-05..1970-01-05 1970-05-01..1970-05-01', // transposed, exactly
      'family_dob SMITH|1970..SMITH|1970-05-01 born 1970-01-05..1970-01-05 1970-05-01..1970-05-01',
      'soundex_dob J500|1970..J500|1970-05-01 born 1970-01-05..1970-01-05 1970-05-01..1970-05-01',
      'soundex_dob S530|1970..S530|1970-05-01 born 1970-01-05..1970-01-05 1970-05-01..1970-05-01',
    ],
  )
  const [smithFuzzy] = fuzzy.filter((s) => s.start === 'SMITH|1970')
  t.ok(termInScan('family_dob:SMITH|1970-05-01', smithFuzzy!), 'the swapped day is found')
  t.ok(termInScan('family_dob:SMITH|1970-01-05', smithFuzzy!), 'and the day itself')
  t.notOk(termInScan('family_dob:SMITH|1970-03-03', smithFuzzy!), 'a day between them is not')
  const byPlace = indexScans(query({ given: 'Jane', gender: 'female', 'address-postalcode': 'ls1 6ae', birthdate: '1970-01-01', '_fuzzy-match': 'true' }))
  t.same(byPlace, [{ index: 'postcode_dob', start: 'LS16AE|1970', end: 'LS16AE|1970-01-01', births: day }])
  const smith1970 = { index: 'family_dob', start: 'SMITH|1970', end: 'SMITH|1970-01-01', births: day } as const
  t.ok(termInScan('family_dob:SMITH|1970', smith1970), 'a year of birth is found by a day in it')
  t.ok(termInScan('family_dob:SMITH|1970-01', smith1970), 'a month of birth is found by a day in it')
  t.ok(termInScan('family_dob:SMITH|1970-01-01', smith1970))
  t.notOk(termInScan('family_dob:SMITHSON|1970-01-01', smith1970))
  t.notOk(termInScan('family_dob:SMITH|1971', { ...smith1970, end: 'SMITH|1970-12-31', births: [{ first: '1970-12-31', last: '1970-12-31' }] }))
  // Inside the byte range (which starts at the year) but born another day: its record could only score 0.
  t.notOk(termBornInScan('family_dob:SMITH|1970-01-01', { ...smith1970, end: 'SMITH|1970-01-02', births: [{ first: '1970-01-02', last: '1970-01-02' }] }))
  t.notOk(termBornInScan('family_dob:SMITH|1970-02', { ...smith1970, births: day }), 'a month that does not hold the day')
  t.ok(termBornInScan('dob_family:1970-01|SMITH', { index: 'dob_family', start: '1970-01|SM', end: '1970-01|SM\uffff', births: day }), 'the date leads in dob_family')
  t.notOk(termBornInScan('dob_family:1970-02-01|SMITH', { index: 'dob_family', start: '1970|SM', end: '1970|SM\uffff', births: day }))
  t.ok(termBornInScan('postcode_dob:LS16AE|1970-01-01', byPlace[0]!))
})

/** A sorted in-memory index: what the store will keep, in miniature. */
class MemoryIndex {
  private readonly entries = new Map<string, [string, string][]>()
  add(p: Patient): void {
    for (const term of indexTerms(p)) {
      const { index, value } = splitTerm(term)
      const list = this.entries.get(index) ?? []
      list.push([value, p.id])
      this.entries.set(index, list)
    }
  }
  seal(): void {
    for (const list of this.entries.values()) list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  }
  scan(s: IndexScan): string[] {
    const list = this.entries.get(s.index) ?? []
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((list[mid] as [string, string])[0] < s.start) lo = mid + 1
      else hi = mid
    }
    const out: string[] = []
    for (let i = lo; i < list.length && (list[i] as [string, string])[0] <= s.end; i++) out.push((list[i] as [string, string])[1])
    return out
  }
}

t.test('every record a search can match is in its scans', async (t) => {
  const rnd = mulberry32(7)
  const int = (n: number): number => Math.floor(rnd() * n)
  const population: Patient[] = []
  for (let i = 0; i < 2_000; i++) {
    const p = syntheticPatient(i, { seed: 3, restrictedShare: 0.05, multiNameShare: 0.3 })
    // Some partial birth dates, which PDS holds for people whose exact date is not known.
    if (i % 50 === 0 && p.birthDate !== undefined) p.birthDate = i % 100 === 0 ? p.birthDate.slice(0, 4) : p.birthDate.slice(0, 7)
    population.push(p)
  }
  const index = new MemoryIndex()
  for (const p of population) index.add(p)
  index.seal()

  const misspell = (s: string): string => (s.length > 3 ? s.slice(0, -1) + (s.endsWith('e') ? '' : 'e') : s)
  const queries: SearchParams[] = []
  for (let k = 0; k < 120; k++) {
    const p = population[int(population.length)] as Patient
    const name = p.name![int(p.name!.length)]
    const dob = p.birthDate ?? '1970'
    const day = dob.length === 10 ? dob : `${dob.slice(0, 4)}-0${1 + int(9)}-1${int(10)}`.slice(0, 10)
    const family = name?.family ?? 'Smith'
    const given = name?.given?.[0] ?? 'Sam'
    const postcode = p.address?.[0]?.postalCode ?? 'LS1 6AE'
    switch (k % 6) {
      case 0:
        queries.push({ family, birthdate: day })
        break
      case 1:
        queries.push({ family: `${family.slice(0, 2 + int(3))}*`, birthdate: rnd() < 0.5 ? day : [`ge${day.slice(0, 4)}`, `le${day.slice(0, 4)}-12`] })
        break
      case 2:
        queries.push({ family, given, birthdate: [`ge${day.slice(0, 7)}`, `le${day}`], _history: 'true' })
        break
      case 3:
        queries.push({ family: misspell(family), given, birthdate: day, '_fuzzy-match': 'true' })
        break
      case 4:
        queries.push({ family: given, given: family, birthdate: day, '_fuzzy-match': 'true' }) // transposed
        break
      default:
        queries.push({ given, gender: p.gender ?? 'unknown', 'address-postalcode': postcode, birthdate: day, '_fuzzy-match': 'true' })
    }
  }

  const missed: string[] = []
  let candidates = 0
  let matches = 0
  for (const params of queries) {
    const parsed = parseSearchQuery(params)
    if (!parsed.ok) continue // a random name may have too few letters for a wildcard
    const q = parsed.value
    const found = new Set(indexScans(q).flatMap((s) => index.scan(s)))
    candidates += found.size
    for (const p of population) {
      if (scorePatient(p, q) === 0) continue
      matches++
      if (!found.has(p.id)) missed.push(`${JSON.stringify(params)} misses ${p.id}`)
    }
  }
  t.same(missed, [])
  t.ok(matches >= queries.length * 0.8, `the queries match records (${matches})`)
  t.ok(candidates < queries.length * 100, `scans read few entries (${candidates} candidates for ${queries.length} searches of ${population.length})`)
})
