/**
 * Parsing of a PDS patient search (`GET /Patient?family=Smith&birthdate=eq1970-01-01&...`) into a typed
 * query. Every problem is INVALID_SEARCH_DATA naming its parameter, and all problems are reported at
 * once so a caller can fix a search in one go. The rules are PDS's:
 *  - birthdate is always required: `1970-01-01` or `eq1970-01-01` for a day (a partial date such as
 *    `1970` covers its days), or `ge…` and/or `le…`, each at most once, for a range;
 *  - a non-fuzzy search needs family; family and given may end in one `*` after at least two letters;
 *  - a fuzzy search (`_fuzzy-match=true`) allows no wildcards and needs given+family, or gender+postcode
 *    with family or given (PDS's three combinations);
 *  - `_max-results` is 1..50; unknown or repeated parameters are refused rather than ignored, since a
 *    misspelt `postcode=` silently dropped would widen the search.
 * PDS answers a missing parameter with MISSING_VALUE and an unknown one with ADDITIONAL_PROPERTIES; here
 * all are INVALID_SEARCH_DATA (one code for every bad search input, so a caller has one case to handle), with the parameter in `parameter`.
 */
import { isFhirDate, dateInterval } from './dates.js'
import { fail, ok, patientError, type PatientError, type Result } from './errors.js'
import { PATIENT_LIMITS as L } from './limits.js'
import { nameKey } from './names.js'
import { isValidPostcode, normalisePostcode } from './postcode.js'
import { GENDERS, type Gender } from './record.js'

export interface BirthDateRange {
  /** First day searched, yyyy-mm-dd, inclusive. */
  readonly from: string
  /** Last day searched, yyyy-mm-dd, inclusive. */
  readonly to: string
  /** True for one full date (plain or eq): fuzzy search then also tries it with day and month swapped. */
  readonly exactDay: boolean
}

export interface NameCriterion {
  /** As given, without the `*`. */
  readonly text: string
  /** nameKey(text): what is compared. */
  readonly key: string
  /** Trailing `*`: matches names whose key starts with `key`. */
  readonly wildcard: boolean
}

export interface PatientSearchQuery {
  readonly birthdate: BirthDateRange
  readonly family?: NameCriterion
  /** Each must match a given name of the same name entry (PDS: given repeated is AND). */
  readonly given: readonly NameCriterion[]
  readonly gender?: Gender
  /** Normalised: upper case, no spaces. */
  readonly postalCode?: string
  /** ODS code of the registered GP practice. */
  readonly generalPractitioner?: string
  readonly fuzzy: boolean
  /** Search previous names (old, maiden) too; always true for a fuzzy search. */
  readonly history: boolean
  /** Only results scoring 1.0. */
  readonly exactMatch: boolean
  readonly maxResults: number
}

/** Query parameters as URLSearchParams, or as a framework gives them (a string, or an array when repeated). */
export type SearchParams = URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>

const KNOWN = ['family', 'given', 'gender', 'birthdate', 'address-postalcode', 'general-practitioner', '_fuzzy-match', '_exact-match', '_history', '_max-results'] as const
type Known = (typeof KNOWN)[number]
const REPEATABLE: ReadonlySet<string> = new Set(['given', 'birthdate'])
/** ge and le once each, so at most two birthdate values. */
const MAX_BIRTHDATES = 2

type Collected = Map<Known, string[]>

function searchError(parameter: string, message: string): PatientError<'INVALID_SEARCH_DATA'> {
  return patientError('INVALID_SEARCH_DATA', `Invalid search data - '${parameter}': ${message}`, { parameter })
}

function entriesOf(params: SearchParams): [string, string][] {
  if (params instanceof URLSearchParams) return [...params.entries()]
  const out: [string, string][] = []
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue
    for (const one of typeof v === 'string' ? [v] : v) out.push([k, one])
  }
  return out
}

function isKnown(name: string): name is Known {
  return (KNOWN as readonly string[]).includes(name)
}

/** Values per known parameter; unknown, repeated, empty and over-long ones are errors. */
function collect(params: SearchParams, errors: PatientError[]): Collected {
  const out: Collected = new Map()
  for (const [name, raw] of entriesOf(params)) {
    if (!isKnown(name)) {
      errors.push(searchError(name, 'is not a search parameter'))
      continue
    }
    const value = raw.trim()
    if (value === '') errors.push(searchError(name, 'must not be empty'))
    else if (value.length > L.maxSearchValueLength) errors.push(searchError(name, `must be at most ${L.maxSearchValueLength} characters`))
    else out.set(name, [...(out.get(name) ?? []), value])
  }
  for (const [name, values] of out) {
    if (values.length > 1 && !REPEATABLE.has(name)) errors.push(searchError(name, 'must not be repeated'))
  }
  return out
}

const BIRTHDATE_VALUE = /^(eq|ge|le|[a-z]{2})?([0-9].*)$/

/** One or two birthdate values as a range of days. */
function parseBirthdate(values: readonly string[] | undefined, errors: PatientError[]): BirthDateRange | undefined {
  if (values === undefined) {
    errors.push(searchError('birthdate', 'is required'))
    return undefined
  }
  if (values.length > MAX_BIRTHDATES) {
    errors.push(searchError('birthdate', 'give one date, or a range as ge<date> and le<date>'))
    return undefined
  }
  const parts: { prefix: string; date: string }[] = []
  for (const v of values) {
    const m = BIRTHDATE_VALUE.exec(v)
    const prefix = m?.[1] ?? 'eq'
    const date = m?.[2] ?? ''
    if (prefix !== 'eq' && prefix !== 'ge' && prefix !== 'le') errors.push(searchError('birthdate', `prefix '${prefix}' is not supported: use eq, ge or le`))
    else if (!isFhirDate(date)) errors.push(searchError('birthdate', `'${v}' is not a date as yyyy-mm-dd (or yyyy-mm, yyyy), optionally after eq, ge or le`))
    else parts.push({ prefix, date })
  }
  if (parts.length !== values.length) return undefined
  const eq = parts.filter((p) => p.prefix === 'eq')
  const ge = parts.filter((p) => p.prefix === 'ge')
  const le = parts.filter((p) => p.prefix === 'le')
  if (eq.length > 0 && parts.length > 1) {
    errors.push(searchError('birthdate', 'an exact date cannot be combined with another birthdate'))
    return undefined
  }
  if (ge.length > 1 || le.length > 1) {
    errors.push(searchError('birthdate', 'give ge and le at most once each'))
    return undefined
  }
  if (eq[0] !== undefined) {
    const { first, last } = dateInterval(eq[0].date)
    return { from: first, to: last, exactDay: eq[0].date.length === 10 }
  }
  const from = ge[0] === undefined ? '0001-01-01' : dateInterval(ge[0].date).first
  const to = le[0] === undefined ? '9999-12-31' : dateInterval(le[0].date).last
  if (from > to) {
    errors.push(searchError('birthdate', `the range is empty: ${from} is after ${to}`))
    return undefined
  }
  return { from, to, exactDay: false }
}

/** A name parameter: letters with an optional trailing `*` after at least two letters. */
function parseName(parameter: string, value: string, errors: PatientError[]): NameCriterion | undefined {
  const wildcard = value.endsWith('*')
  const text = wildcard ? value.slice(0, -1) : value
  if (text.includes('*')) {
    errors.push(searchError(parameter, 'a wildcard * may only end the name'))
    return undefined
  }
  const key = nameKey(text)
  if (key === '') {
    errors.push(searchError(parameter, 'must contain letters'))
    return undefined
  }
  if (wildcard && key.length < L.minWildcardPrefix) {
    errors.push(searchError(parameter, `a wildcard needs at least ${L.minWildcardPrefix} letters before the *`))
    return undefined
  }
  return { text, key, wildcard }
}

function parseBoolean(parameter: string, value: string | undefined, errors: PatientError[]): boolean {
  if (value === undefined || value === 'false') return false
  if (value === 'true') return true
  errors.push(searchError(parameter, 'must be true or false'))
  return false
}

function parseMaxResults(value: string | undefined, errors: PatientError[]): number {
  if (value === undefined) return L.defaultSearchResults
  const n = /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN
  if (n >= 1 && n <= L.maxSearchResults) return n
  errors.push(searchError('_max-results', `must be a whole number from 1 to ${L.maxSearchResults}`))
  return L.defaultSearchResults
}

function isGender(s: string): s is Gender {
  return (GENDERS as readonly string[]).includes(s)
}

/** PDS's combinations: what a search must contain so it cannot sweep the whole population. */
function combinationErrors(q: PatientSearchQuery): PatientError[] {
  const errors: PatientError[] = []
  const names = [...(q.family === undefined ? [] : [q.family]), ...q.given]
  if (!q.fuzzy) {
    if (q.family === undefined) errors.push(searchError('family', 'is required (with birthdate) unless _fuzzy-match=true'))
    return errors
  }
  if (names.some((n) => n.wildcard)) errors.push(searchError('_fuzzy-match', 'a fuzzy search cannot use wildcards'))
  const hasGiven = q.given.length > 0
  const byName = q.family !== undefined && hasGiven
  const byPlace = q.gender !== undefined && q.postalCode !== undefined && (q.family !== undefined || hasGiven)
  if (!byName && !byPlace) {
    errors.push(searchError('_fuzzy-match', 'a fuzzy search needs given and family, or gender and address-postalcode with family or given, besides birthdate'))
  }
  return errors
}

/** One error per parameter, the first found (an empty birthdate is not also a missing one). */
function firstPerParameter(errors: readonly PatientError[]): PatientError[] {
  const seen = new Set<string | undefined>()
  const out: PatientError[] = []
  for (const e of errors) {
    if (seen.has(e.parameter)) continue
    seen.add(e.parameter)
    out.push(e)
  }
  return out
}

/** Parse a search; every parameter with a problem is reported, each naming it. */
export function parseSearchQuery(params: SearchParams): Result<PatientSearchQuery> {
  const errors: PatientError[] = []
  const v = collect(params, errors)
  const one = (name: Known): string | undefined => v.get(name)?.[0]

  const birthdate = parseBirthdate(v.get('birthdate'), errors)
  const familyRaw = one('family')
  const family = familyRaw === undefined ? undefined : parseName('family', familyRaw, errors)
  const givenRaw = v.get('given') ?? []
  if (givenRaw.length > L.maxSearchGivenNames) errors.push(searchError('given', `at most ${L.maxSearchGivenNames} given names`))
  const given = givenRaw.map((g) => parseName('given', g, errors)).filter((g): g is NameCriterion => g !== undefined)

  const genderRaw = one('gender')
  if (genderRaw !== undefined && !isGender(genderRaw)) errors.push(searchError('gender', `must be one of ${GENDERS.join(', ')}`))
  const postcodeRaw = one('address-postalcode')
  if (postcodeRaw !== undefined && !isValidPostcode(postcodeRaw)) errors.push(searchError('address-postalcode', 'must be a full UK postcode such as LS1 6AE (no wildcards)'))
  const gp = one('general-practitioner')
  if (gp !== undefined && !/^[A-Z][0-9]{5}$/.test(gp)) errors.push(searchError('general-practitioner', 'must be a GP practice ODS code such as Y12345'))

  const fuzzy = parseBoolean('_fuzzy-match', one('_fuzzy-match'), errors)
  const history = parseBoolean('_history', one('_history'), errors)
  const exactMatch = parseBoolean('_exact-match', one('_exact-match'), errors)
  const maxResults = parseMaxResults(one('_max-results'), errors)

  if (birthdate === undefined || errors.length > 0) {
    const [first, ...rest] = firstPerParameter(errors)
    return first === undefined ? fail(searchError('birthdate', 'is required')) : fail(first, ...rest)
  }
  const query: PatientSearchQuery = {
    birthdate,
    ...(family === undefined ? {} : { family }),
    given,
    ...(genderRaw !== undefined && isGender(genderRaw) ? { gender: genderRaw } : {}),
    ...(postcodeRaw === undefined ? {} : { postalCode: normalisePostcode(postcodeRaw) }),
    ...(gp === undefined ? {} : { generalPractitioner: gp }),
    fuzzy,
    history: history || fuzzy,
    exactMatch,
    maxResults,
  }
  const [first, ...rest] = combinationErrors(query)
  return first === undefined ? ok(query) : fail(first, ...rest)
}
