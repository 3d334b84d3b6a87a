/**
 * Fuzzing the PDS search parser: any query string, and valid searches with parameters replaced,
 * repeated or added. parseSearchQuery never throws; it returns a query that keeps PDS's rules, or
 * INVALID_SEARCH_DATA errors that each name a parameter.
 */
import fc from 'fast-check'
import t from 'tap'
import { PATIENT_LIMITS as L } from './limits.js'
import { fuzz } from '../../test/harness/fuzz.js'
import { parseSearchQuery, type SearchParams } from './searchQuery.js'

const NAMES = ['family', 'given', 'gender', 'birthdate', 'address-postalcode', 'general-practitioner', '_fuzzy-match', '_exact-match', '_history', '_max-results'] as const

const value = fc.oneof(
  fc.constantFrom('Smith', 'SM*', 'S*', '*', 'Sm*th', "O'Brien", 'Jean-Luc', 'ÆLFRED', 'female', 'male', 'unknown', 'LS1 6AE', 'ls16ae', 'LS1 *', 'Y12345', 'y12345', 'true', 'false', '1', '50', '51', '0', '007', ' ', ''),
  fc.constantFrom('1970-01-01', 'eq1970-01-01', 'ge1970', 'le2000-12', 'gt1970', 'ge1970-02-30', '1970-13', '0000', '9999-12-31', 'ge2000-01-01', 'le1990-01-01', 'eq', 'ge'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
)
const search = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 8 })), value), { maxLength: 8 })

function check(params: SearchParams): void {
  const r = parseSearchQuery(params)
  if (r.ok) {
    const q = r.value
    if (!(q.maxResults >= 1 && q.maxResults <= L.maxSearchResults)) throw new Error(`maxResults ${q.maxResults}`)
    if (q.birthdate.from > q.birthdate.to) throw new Error('an empty birthdate range was accepted')
    if (!q.fuzzy && q.family === undefined) throw new Error('a non-fuzzy search without family was accepted')
    if (q.given.length > L.maxSearchGivenNames) throw new Error('too many given names accepted')
    return
  }
  for (const e of r.errors) {
    if (e.code !== 'INVALID_SEARCH_DATA' || typeof e.parameter !== 'string') throw new Error(`unexpected error ${e.code} ${String(e.parameter)}`)
  }
}

t.test('any list of parameters, as URLSearchParams: a query within PDS rules or INVALID_SEARCH_DATA', async (t) => {
  fuzz(t, 1, search, (entries) => check(new URLSearchParams(entries)), 3_000)
})

t.test('the same as a framework gives them (arrays for repeats)', async (t) => {
  fuzz(t, 2, search, (entries) => {
    const seen = new Map<string, string[]>()
    for (const [k, v] of entries) seen.set(k, [...(seen.get(k) ?? []), v])
    check(Object.fromEntries(seen))
  }, 1_000)
})

t.test('any raw query string', async (t) => {
  fuzz(t, 3, fc.string({ maxLength: 200 }), (qs) => check(new URLSearchParams(qs)), 1_000)
})
