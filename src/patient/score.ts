/**
 * How well a record matches a search, 0 (no match) to 1 (exact on every field searched), and the
 * ranking of the matches: best first, at most _max-results, and TOO_MANY_MATCHES rather than a silent
 * cut when there are more (a trace that drops the right patient off the end of a list is worse than one
 * that asks for more detail).
 *
 * The score is the weighted mean, over the fields the search names, of a quality per field:
 *   name (family and given together)  0.5    birth date  0.3    gender  0.1
 *   postcode  0.1                      GP practice  0.1
 * Qualities: exact 1.0; wildcard prefix 0.9; (fuzzy) one part of a compound name 0.9, same Soundex 0.8;
 * (fuzzy) family and given transposed: the quality of the swapped match x 0.85; a previous name (old,
 * maiden) x 0.95; a birth date recorded only as a month or year 0.9, (fuzzy) day and month swapped 0.8;
 * (fuzzy) gender not recorded 0.5; (fuzzy) another GP 0.5 (GP is not indexed, so it only adjusts).
 * Any other mismatch is 0, and a 0 in any field means the record does not match at all. A postcode must
 * match exactly even when fuzzy: a nearby one would not be in the postcode index the search reads.
 */
import { dateInterval, intervalsOverlap, swapDayAndMonth } from './dates.js'
import { fail, ok, patientError, type Result } from './errors.js'
import { nameKey, nameKeyParts } from './names.js'
import { normalisePostcode } from './postcode.js'
import type { HumanName, Patient } from './record.js'
import { exposesLocation, searchable } from './restrict.js'
import type { NameCriterion, PatientSearchQuery } from './searchQuery.js'
import { soundex } from './soundex.js'

export const WEIGHTS = { name: 0.5, birthdate: 0.3, gender: 0.1, postcode: 0.1, generalPractitioner: 0.1 } as const
/** Within the name: how much family counts against given when a search names both. */
const FAMILY_SHARE = 0.6

const Q = {
  exact: 1,
  wildcard: 0.9,
  namePart: 0.9,
  soundex: 0.8,
  transposed: 0.85,
  previousName: 0.95,
  partialDate: 0.9,
  swappedDate: 0.8,
  genderUnknown: 0.5,
  otherGp: 0.5,
} as const

const criterionSoundex = new WeakMap<NameCriterion, string>()

/** A criterion's Soundex, computed once per search rather than once per candidate name. */
function soundexOf(c: NameCriterion): string {
  let code = criterionSoundex.get(c)
  if (code === undefined) {
    code = soundex(c.key)
    criterionSoundex.set(c, code)
  }
  return code
}

/** Quality of one name (a family, or one given name) against one criterion. */
function nameQuality(c: NameCriterion, name: string, fuzzy: boolean): number {
  const key = nameKey(name)
  if (key === c.key) return Q.exact
  if (c.wildcard) return key.startsWith(c.key) ? Q.wildcard : 0
  if (!fuzzy) return 0
  const parts = nameKeyParts(name)
  if (parts.includes(c.key)) return Q.namePart
  const code = soundexOf(c)
  return code !== '' && parts.some((p) => soundex(p) === code) ? Q.soundex : 0
}

function bestOf(c: NameCriterion, names: readonly string[], fuzzy: boolean): number {
  let best = 0
  for (const n of names) best = Math.max(best, nameQuality(c, n, fuzzy))
  return best
}

/** Mean quality of the given-name criteria against a name's given names; 0 if any one fails. */
function givenQuality(criteria: readonly NameCriterion[], given: readonly string[], fuzzy: boolean): number {
  let sum = 0
  for (const c of criteria) {
    const q = bestOf(c, given, fuzzy)
    if (q === 0) return 0
    sum += q
  }
  return sum / criteria.length
}

function combine(family: number | undefined, given: number | undefined): number {
  if (family === undefined) return given ?? 0
  if (given === undefined) return family
  if (family === 0 || given === 0) return 0
  return FAMILY_SHARE * family + (1 - FAMILY_SHARE) * given
}

/** One name entry, as written (family as family), or transposed (the search's family among the given names). */
function entryQuality(q: PatientSearchQuery, n: HumanName): number {
  const given = n.given ?? []
  const straight = combine(
    q.family === undefined ? undefined : nameQuality(q.family, n.family, q.fuzzy),
    q.given.length === 0 ? undefined : givenQuality(q.given, given, q.fuzzy),
  )
  let best = straight
  const firstGiven = q.given[0]
  if (q.fuzzy && q.family !== undefined && firstGiven !== undefined) {
    const swapped = combine(bestOf(q.family, given, true), nameQuality(firstGiven, n.family, true))
    best = Math.max(best, swapped * Q.transposed)
  }
  const previous = n.use === 'old' || n.use === 'maiden'
  return previous ? best * Q.previousName : best
}

function nameScore(q: PatientSearchQuery, p: Patient): number {
  let best = 0
  for (const n of p.name ?? []) {
    const previous = n.use === 'old' || n.use === 'maiden'
    if (previous && !q.history) continue
    best = Math.max(best, entryQuality(q, n))
  }
  return best
}

function birthdateScore(q: PatientSearchQuery, p: Patient): number {
  if (p.birthDate === undefined) return 0
  const rec = dateInterval(p.birthDate)
  const range = { first: q.birthdate.from, last: q.birthdate.to }
  if (rec.first >= range.first && rec.last <= range.last) return p.birthDate.length === 10 ? Q.exact : Q.partialDate
  if (intervalsOverlap(rec, range)) return Q.partialDate
  if (q.fuzzy && q.birthdate.exactDay && swapDayAndMonth(q.birthdate.from) === p.birthDate) return Q.swappedDate
  return 0
}

function genderScore(q: PatientSearchQuery, p: Patient): number {
  if (p.gender === q.gender) return Q.exact
  if (q.fuzzy && (p.gender === undefined || p.gender === 'unknown')) return Q.genderUnknown
  return 0
}

/** Addresses a search may match on: current ones, and previous ones (use old) when searching history. */
function postcodeScore(q: PatientSearchQuery, p: Patient, wanted: string): number {
  if (!exposesLocation(p)) return 0
  let best = 0
  for (const a of p.address ?? []) {
    if (a.postalCode === undefined || (a.use === 'old' && !q.history)) continue
    const factor = a.use === 'old' ? Q.previousName : 1
    if (normalisePostcode(a.postalCode) === wanted) best = Math.max(best, Q.exact * factor)
  }
  return best
}

function gpScore(q: PatientSearchQuery, p: Patient, wanted: string): number {
  if (!exposesLocation(p)) return 0
  if ((p.generalPractitioner ?? []).some((g) => g.identifier.value === wanted)) return Q.exact
  return q.fuzzy ? Q.otherGp : 0
}

/** The record's score for the search, rounded to 4 places; 0 if it does not match or may not be returned. */
export function scorePatient(p: Patient, q: PatientSearchQuery): number {
  if (!searchable(p, q)) return 0
  // Cheapest fields first, so that the many candidates of another birth date cost almost nothing.
  const scorers: [number, () => number][] = [[WEIGHTS.birthdate, () => birthdateScore(q, p)]]
  const { gender, postalCode, generalPractitioner } = q
  if (gender !== undefined) scorers.push([WEIGHTS.gender, () => genderScore(q, p)])
  if (postalCode !== undefined) scorers.push([WEIGHTS.postcode, () => postcodeScore(q, p, postalCode)])
  if (generalPractitioner !== undefined) scorers.push([WEIGHTS.generalPractitioner, () => gpScore(q, p, generalPractitioner)])
  if (q.family !== undefined || q.given.length > 0) scorers.push([WEIGHTS.name, () => nameScore(q, p)])
  let total = 0
  let sum = 0
  for (const [weight, score] of scorers) {
    const quality = score()
    if (quality === 0) return 0
    total += weight
    sum += weight * quality
  }
  return Math.round((sum / total) * 10_000) / 10_000
}

export interface ScoredPatient {
  readonly patient: Patient
  readonly score: number
}

/** Best first; equal scores by NHS number, so the order never depends on the order records were read. */
function byScore(a: ScoredPatient, b: ScoredPatient): number {
  return b.score - a.score || (a.patient.id < b.patient.id ? -1 : a.patient.id > b.patient.id ? 1 : 0)
}

/**
 * Scores candidates as the store reads them (from several index scans, so a record may come twice) and
 * says when to stop: as soon as there are more matches than the search may return, the answer is
 * TOO_MANY_MATCHES whatever the rest hold, so there is no point reading them.
 */
export class MatchCollector {
  private readonly seen = new Set<string>()
  private readonly matches: ScoredPatient[] = []
  private tooMany = false

  constructor(private readonly query: PatientSearchQuery) {}

  /** Consider one candidate; false once there are too many matches (stop reading). */
  offer(p: Patient): boolean {
    return this.offerScored(p, () => scorePatient(p, this.query))
  }

  /** The same for a candidate already scored against this query (by the node that read it). */
  offerScored(p: Patient, scoreOf: number | (() => number)): boolean {
    if (this.tooMany) return false
    if (this.seen.has(p.id)) return true
    this.seen.add(p.id)
    const score = typeof scoreOf === 'number' ? scoreOf : scoreOf()
    if (score === 0 || (this.query.exactMatch && score < 1)) return true
    this.matches.push({ patient: p, score })
    if (this.matches.length > this.query.maxResults) this.tooMany = true
    return !this.tooMany
  }

  /** The matches best first, or TOO_MANY_MATCHES. Records are as stored: apply searchView before returning them. */
  result(): Result<ScoredPatient[]> {
    if (this.tooMany) {
      const max = this.query.maxResults
      return fail(
        patientError('TOO_MANY_MATCHES', `More than ${max} patients match: add given name, gender or postcode, or narrow the birth date`, {
          data: { maxResults: max },
        }),
      )
    }
    return ok([...this.matches].sort(byScore))
  }
}

/** Score and rank a set of candidates in one go (see MatchCollector). */
export function rankMatches(candidates: Iterable<Patient>, q: PatientSearchQuery): Result<ScoredPatient[]> {
  const collector = new MatchCollector(q)
  for (const p of candidates) if (!collector.offer(p)) break
  return collector.result()
}
