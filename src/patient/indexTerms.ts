/**
 * Secondary index terms: which index entries a record contributes, and which ranges a search must scan,
 * so that a trace reads index entries instead of every record. Pure functions: the store keeps the
 * entries (whether per vnode as Riak 2i or partitioned by term is its decision), calling
 * indexTermChanges on every write and indexScans on every search, then scoring what the scans return.
 *
 * A term is `<index>:<value>`. The indexes, and the searches that read them:
 *   family_dob:<FAMILY>|<birthDate>    family name (any name, current or previous) then birth date:
 *                                      an exact family with a date or a range; a wildcard family.
 *   dob_family:<birthDate>|<FAMILY>    the same pair the other way round: a wildcard family on one day,
 *                                      a narrow prefix scan instead of every SM* name of every age.
 *   soundex_dob:<CODE>|<birthDate>     Soundex of each family name and of each part of a compound one
 *                                      (Smith-Jones gives S530 and J520): fuzzy search, including
 *                                      transposed names (the search's given name is looked up as a family).
 *   postcode_dob:<POSTCODE>|<birthDate> each address's normalised postcode: the fuzzy search that has a
 *                                      given name but no family.
 * Family names are keys (nameKey: upper case, letters only); birth dates are as recorded, so a partial
 * date (1970, 1970-05) sorts just before the full dates it covers and a range scan that starts at the
 * range's first year finds it. There are no given-name or GP terms: every search parseSearchQuery
 * accepts names a family, or a given name with a postcode, so those would be written on every update and
 * never read; given name, gender and GP are checked by scoring the candidates.
 *
 * A restricted record contributes no postcode terms (it must never be found by where it lives) and a
 * redacted one no terms at all (it must never be found).
 */
import { dateInterval, intervalsOverlap, swapDayAndMonth, type DateInterval } from './dates.js'
import { nameKey, nameKeyParts } from './names.js'
import { normalisePostcode } from './postcode.js'
import { securityCodeOf, type Patient } from './record.js'
import type { PatientSearchQuery } from './searchQuery.js'
import { soundex } from './soundex.js'

export const INDEXES = ['family_dob', 'dob_family', 'soundex_dob', 'postcode_dob'] as const
export type IndexName = (typeof INDEXES)[number]

/** `<index>:<value>`. */
export type IndexTerm = string

const SEPARATOR = '|'
/** Above every character a key holds, so `<prefix>` .. `<prefix>\uffff` is "everything starting with prefix". */
const HIGH = '\uffff'

export function indexTerm(index: IndexName, value: string): IndexTerm {
  return `${index}:${value}`
}

/** The index and value of a term (the index name never contains ':'). */
export function splitTerm(term: IndexTerm): { index: string; value: string } {
  const i = term.indexOf(':')
  return { index: term.slice(0, i), value: term.slice(i + 1) }
}

/** Every index term of a record, sorted, each once. */
export function indexTerms(p: Patient): IndexTerm[] {
  const code = securityCodeOf(p)
  const dob = p.birthDate
  if (code === 'REDACTED' || dob === undefined) return []
  const terms = new Set<IndexTerm>()
  for (const n of p.name ?? []) {
    const family = nameKey(n.family)
    if (family === '') continue
    terms.add(indexTerm('family_dob', family + SEPARATOR + dob))
    terms.add(indexTerm('dob_family', dob + SEPARATOR + family))
    for (const part of nameKeyParts(n.family)) {
      const sx = soundex(part)
      if (sx !== '') terms.add(indexTerm('soundex_dob', sx + SEPARATOR + dob))
    }
  }
  if (code === 'U') {
    for (const a of p.address ?? []) {
      if (a.postalCode !== undefined) terms.add(indexTerm('postcode_dob', normalisePostcode(a.postalCode) + SEPARATOR + dob))
    }
  }
  return [...terms].sort()
}

/** What a write must do to the index: the terms to add and those to remove. Undefined is "no record". */
export function indexTermChanges(before: Patient | undefined, after: Patient | undefined): { add: IndexTerm[]; remove: IndexTerm[] } {
  return indexTermChangesOfSets(new Set(before === undefined ? [] : indexTerms(before)), new Set(after === undefined ? [] : indexTerms(after)))
}

/** The same for term sets (an object with siblings has the union of its records' terms). */
export function indexTermChangesOfSets(old: ReadonlySet<IndexTerm>, neu: ReadonlySet<IndexTerm>): { add: IndexTerm[]; remove: IndexTerm[] } {
  return { add: [...neu].filter((t) => !old.has(t)), remove: [...old].filter((t) => !neu.has(t)) }
}

/**
 * Every term of `index` whose value lies between start and end, both included (plain string order),
 * and whose birth date covers a day of `births`. The range alone is wider than the search: it starts
 * at the year so that a partial date (1970, 1970-05) is found, and so also holds every full date
 * from New Year to the day asked for; the date in the term rules those out without reading a record
 * that could only score 0 (at 900,000 patients, nine of ten candidates of a trace).
 */
export interface IndexScan {
  readonly index: IndexName
  readonly start: string
  readonly end: string
  readonly births: readonly DateInterval[]
}

/**
 * Values `<key>|<date>` for dates in the ranges, and the partial dates that overlap them: one scan
 * from the first range's year to the last range's end. A fuzzy search's two ranges (the day, and
 * the day with day and month swapped) lie in one year, so one scan reads them both where two scans
 * would each read from New Year, the shorter inside the longer.
 */
function keyThenDates(index: IndexName, key: string, births: readonly DateInterval[]): IndexScan {
  const first = births.reduce((a, b) => (b.first < a ? b.first : a), births[0]!.first)
  const last = births.reduce((a, b) => (b.last > a ? b.last : a), births[0]!.last)
  return { index, start: key + SEPARATOR + first.slice(0, 4), end: key + SEPARATOR + last, births }
}

/** The birth date a term's value carries: first in dob_family, last in the others (no key holds the separator). */
function termBirthDate(index: string, value: string): string {
  return index === 'dob_family' ? value.slice(0, value.indexOf(SEPARATOR)) : value.slice(value.lastIndexOf(SEPARATOR) + 1)
}

/** True if the term's birth date covers a day the scan looks for: otherwise its record scores 0 for this scan's dates. */
export function termBornInScan(term: IndexTerm, scan: IndexScan): boolean {
  const { index, value } = splitTerm(term)
  const born = dateInterval(termBirthDate(index, value))
  return scan.births.some((b) => intervalsOverlap(born, b))
}

/** The birth dates a day may be recorded as: the day, its month, its year. */
function recordedForms(day: string): string[] {
  return [day, day.slice(0, 7), day.slice(0, 4)]
}

function familyScans(q: PatientSearchQuery): IndexScan[] {
  const f = q.family
  if (f === undefined) return []
  const { from, to, exactDay } = q.birthdate
  const births = [{ first: from, last: to }]
  if (!f.wildcard) return [keyThenDates('family_dob', f.key, births)]
  if (exactDay) return recordedForms(from).map((d) => ({ index: 'dob_family', start: d + SEPARATOR + f.key, end: d + SEPARATOR + f.key + HIGH, births }))
  return [{ index: 'family_dob', start: f.key, end: f.key + HIGH, births }]
}

function fuzzyScans(q: PatientSearchQuery): IndexScan[] {
  const { from, to, exactDay } = q.birthdate
  const births: DateInterval[] = [{ first: from, last: to }]
  const swapped = exactDay ? swapDayAndMonth(from) : undefined
  if (swapped !== undefined) births.push({ first: swapped, last: swapped })
  const names = [q.family, q.given[0]].filter((c) => c !== undefined)
  const codes = new Set(names.flatMap((c) => nameKeyParts(c.text).map(soundex)).filter((c) => c !== ''))
  const scans: IndexScan[] = []
  if (q.family !== undefined) {
    for (const code of codes) scans.push(keyThenDates('soundex_dob', code, births))
    // The exact names too: a name with no Latin letters has no Soundex code but must still be found.
    for (const c of names) scans.push(keyThenDates('family_dob', c.key, births))
  } else if (q.postalCode !== undefined) {
    scans.push(keyThenDates('postcode_dob', q.postalCode, births))
  }
  return scans
}

/**
 * The index ranges whose records are the candidates for a search: every record that can score above 0
 * is in at least one of them (some returned records will not match; scoring removes them).
 */
export function indexScans(q: PatientSearchQuery): IndexScan[] {
  return q.fuzzy ? fuzzyScans(q) : familyScans(q)
}

/** True if a term lies in a scan: for an in-memory index and for tests of indexScans. */
export function termInScan(term: IndexTerm, scan: IndexScan): boolean {
  return termInRange(term, scan) && termBornInScan(term, scan)
}

/** True if the term lies in the scan's range of values, whatever its birth date: what the scan's fold returns. */
export function termInRange(term: IndexTerm, scan: IndexScan): boolean {
  const { index, value } = splitTerm(term)
  return index === scan.index && value >= scan.start && value <= scan.end
}
