/**
 * A synthetic UK population for tests, benchmarks and `spinekv load`: realistic names (weighted to UK
 * frequencies, so searches meet real collision rates), dates of birth, addresses with valid postcodes
 * in real districts, contact details from ranges reserved for fiction, GP practices, previous names, and
 * a configurable share of restricted records. NHS numbers come from the test range (999 000 0000 -
 * 999 999 9999), which is never issued, so no synthetic record can be mistaken for a person.
 *
 * Deterministic: record i of seed s depends on (s, i, options) only — not on the clock, on other records
 * or on the order of generation — so the same seed gives byte-identical records, a loader can generate
 * any slice in parallel, and a test can regenerate the record it is looking for. That holds for one
 * version of @faker-js/faker (pinned exactly in package.json for this reason): faker only supplies the
 * long tail of names and streets, through a randomizer seeded here per record.
 *
 * Record i's NHS number is entry (offset + i x stride) mod capacity of the table of valid test-range
 * numbers, with offset from the seed and stride coprime to capacity: distinct for distinct i, scattered
 * over the range. The range holds 909,091 valid numbers, so a population is at most that large.
 */
import { Faker, base, en, en_GB, type Randomizer } from '@faker-js/faker'
import { SeededRandom } from '../core/seededRandom.js'
import { daysInMonth } from './dates.js'
import { testRangePrefixes, nhsNumberFromPrefix } from './nhsNumber.js'
import {
  CONFIDENTIALITY_SYSTEM,
  ODS_SYSTEM,
  type Address,
  type ContactPoint,
  type Gender,
  type HumanName,
  type Patient,
  type SecurityCode,
} from './record.js'
import {
  FEMALE_NAMES,
  FEMALE_PREFIXES,
  INWARD_LETTERS,
  MALE_NAMES,
  MALE_PREFIXES,
  ODS_LETTERS,
  STREET_NAMES,
  STREET_SUFFIXES,
  SURNAMES,
  TOWNS,
  type Town,
  type Weighted,
} from './syntheticData.js'

export interface SyntheticOptions {
  readonly seed: number
  /** Share of records restricted (meta.security R). Default 0.01. */
  readonly restrictedShare?: number
  /** Share of records redacted (invalidated). Default 0. */
  readonly redactedShare?: number
  /** Share of records with more than one name (a maiden or previous name, or a nickname). Default 0.15. */
  readonly multiNameShare?: number
  /** Share of records of people who have died. Default 0.01. */
  readonly deceasedShare?: number
  /** The day the population is "as of": every date is on or before it. Default 2025-01-01, never the clock. */
  readonly asOf?: string
}

const DEFAULTS = { restrictedShare: 0.01, redactedShare: 0, multiNameShare: 0.15, deceasedShare: 0.01, asOf: '2025-01-01' } as const

/** How many distinct records a population can have: the valid numbers of the test range. */
export function syntheticCapacity(): number {
  return testRangePrefixes().length
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/** A stride near the golden ratio of the capacity, coprime to it, so consecutive records land far apart. */
function strideFor(capacity: number): number {
  let s = Math.floor(capacity * 0.6180339887)
  while (gcd(s, capacity) !== 1) s++
  return s
}

/** The permutation of the test range for one seed; the last one is kept, as a population uses one seed. */
let permutation: { seed: number; offset: number; stride: number } | undefined

function permutationFor(seed: number, capacity: number): { offset: number; stride: number } {
  if (permutation?.seed !== seed) permutation = { seed, offset: new SeededRandom(`synthetic:${seed}/nhs`).int(capacity), stride: strideFor(capacity) }
  return permutation
}

/** Record i's NHS number (see the file comment). */
export function syntheticNhsNumber(seed: number, index: number): string {
  const prefixes = testRangePrefixes()
  const capacity = prefixes.length
  if (!Number.isSafeInteger(index) || index < 0 || index >= capacity) {
    throw new RangeError(`synthetic record index ${index} is outside 0..${capacity - 1}: the test range has ${capacity} valid NHS numbers`)
  }
  const { offset, stride } = permutationFor(seed, capacity)
  const slot = (offset + ((index * stride) % capacity)) % capacity
  // Every entry of the table has a check digit, so this is never undefined.
  return nhsNumberFromPrefix(prefixes[slot] as number) as string
}

/** faker's randomness from spinekv's one seeded PRNG, so reseeding per record is a hash, not a Mersenne twister setup. */
class SeededRandomizer implements Randomizer {
  private r = new SeededRandom('synthetic:faker')
  // Arrow functions: faker calls next() detached from the object.
  next = (): number => this.r.next()
  seed = (seed: number | readonly number[]): void => {
    this.r = new SeededRandom(`synthetic:faker:${typeof seed === 'number' ? seed : seed.join(',')}`)
  }
}

const randomizer = new SeededRandomizer()
const faker = new Faker({ locale: [en_GB, en, base], randomizer })

/** The draws of one record: our PRNG for the structure, faker (reseeded identically) for the long tail. */
class Draw {
  constructor(readonly r: SeededRandom) {}
  weighted(items: readonly Weighted[]): string {
    let total = 0
    for (const [, w] of items) total += w
    let x = this.r.next() * total
    for (const [name, w] of items) {
      x -= w
      if (x < 0) return name
    }
    return (items[items.length - 1] as Weighted)[0]
  }
  town(): Town {
    let total = 0
    for (const t of TOWNS) total += t.weight
    let x = this.r.next() * total
    for (const t of TOWNS) {
      x -= t.weight
      if (x < 0) return t
    }
    return TOWNS[TOWNS.length - 1] as Town
  }
  digits(n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += String(this.r.int(10))
    return s
  }
  hexId(): string {
    return this.r.range(0x10000000, 0xffffffff).toString(16).toUpperCase()
  }
}

/** A date n days after a yyyy-mm-dd date (UTC calendar arithmetic, no clock). */
function addDays(date: string, n: number): string {
  const t = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + n * 86_400_000
  return new Date(t).toISOString().slice(0, 10)
}

function daysBetween(a: string, b: string): number {
  const ms = (d: string): number => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)))
  return Math.round((ms(b) - ms(a)) / 86_400_000)
}

/** Ages roughly as in the UK: even up to 80, thinning to 105. */
function birthDate(d: Draw, asOf: string): string {
  const age = d.r.chance(0.9) ? d.r.int(80) : 80 + d.r.int(26)
  const year = Number(asOf.slice(0, 4)) - age - 1
  const month = 1 + d.r.int(12)
  const day = 1 + d.r.int(daysInMonth(year, month))
  const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
  return date > asOf ? asOf : date
}

function gender(d: Draw): Gender {
  const x = d.r.next()
  return x < 0.49 ? 'female' : x < 0.98 ? 'male' : x < 0.985 ? 'other' : 'unknown'
}

/** The share of people who carry one of the listed surnames (their weights are per 10,000 people). */
const LISTED_SURNAME_SHARE = SURNAMES.reduce((sum, [, w]) => sum + w, 0) / 10_000

function familyName(d: Draw): string {
  // The listed names as often as in the UK (Smith 1.26%); everyone else from faker's longer list.
  return d.r.chance(LISTED_SURNAME_SHARE) ? d.weighted(SURNAMES) : faker.person.lastName()
}

function givenName(d: Draw, g: Gender): string {
  const female = g === 'female' || (g !== 'male' && d.r.chance(0.5))
  if (d.r.chance(0.7)) return d.weighted(female ? FEMALE_NAMES : MALE_NAMES)
  return faker.person.firstName(female ? 'female' : 'male')
}

function givenNames(d: Draw, g: Gender): string[] {
  const count = d.r.chance(0.05) ? 3 : d.r.chance(0.6) ? 2 : 1
  const names: string[] = []
  while (names.length < count) {
    const n = givenName(d, g)
    if (!names.includes(n)) names.push(n)
  }
  return names
}

function prefix(d: Draw, g: Gender, age: number): string[] {
  if (age < 18 || d.r.chance(0.5)) return []
  const choices = g === 'female' ? FEMALE_PREFIXES : g === 'male' ? MALE_PREFIXES : ['Mx', 'Dr']
  return [choices[d.r.int(choices.length)] as string]
}

function ageOn(dob: string, asOf: string): number {
  return Number(asOf.slice(0, 4)) - Number(dob.slice(0, 4)) - (asOf.slice(5) < dob.slice(5) ? 1 : 0)
}

/** The usual name, and with multiNameShare a second one: a previous family name (from a date when the
 * person was an adult) or a nickname. */
function names(d: Draw, g: Gender, dob: string, asOf: string, multi: boolean): HumanName[] {
  const given = givenNames(d, g)
  const family = familyName(d)
  const age = ageOn(dob, asOf)
  const usual: HumanName = { id: d.hexId(), use: 'usual', period: { start: dob }, given, family }
  const pre = prefix(d, g, age)
  if (pre.length > 0) usual.prefix = pre
  if (!multi) return [usual]
  if (age >= 20 && d.r.chance(0.7)) {
    const changed = addDays(dob, 18 * 365 + d.r.int((age - 19) * 365))
    const previous = familyName(d)
    usual.period = { start: changed }
    const use = g === 'female' && d.r.chance(0.8) ? 'maiden' : 'old'
    return [usual, { id: d.hexId(), use, period: { start: dob, end: changed }, given: [...given], family: previous }]
  }
  const first = given[0] as string
  return [usual, { id: d.hexId(), use: 'nickname', given: [first.slice(0, Math.max(2, Math.min(first.length, 3 + d.r.int(2))))], family }]
}

function postcode(d: Draw, town: Town): string {
  const outward = town.outward[d.r.int(town.outward.length)] as string
  const letter = (): string => INWARD_LETTERS[d.r.int(INWARD_LETTERS.length)] as string
  return `${outward} ${d.r.int(10)}${letter()}${letter()}`
}

function streetLine(d: Draw): string {
  const number = 1 + d.r.int(d.r.chance(0.8) ? 120 : 400)
  // Half from common English street names, half faker's en_GB patterns ("Meadow Close", "Grange Mews").
  const street = d.r.chance(0.5) ? `${STREET_NAMES[d.r.int(STREET_NAMES.length)]} ${STREET_SUFFIXES[d.r.int(STREET_SUFFIXES.length)]}` : faker.location.street()
  return `${number} ${street}`.slice(0, 35).trim()
}

function address(d: Draw, use: 'home' | 'old', start: string, end: string | undefined): Address {
  const town = d.town()
  const line = [streetLine(d), town.town, town.county]
  if (d.r.chance(0.1)) line.unshift(`Flat ${1 + d.r.int(30)}`)
  const a: Address = { id: d.hexId(), use, period: end === undefined ? { start } : { start, end }, line, postalCode: postcode(d, town) }
  return a
}

function addresses(d: Draw, dob: string, asOf: string): Address[] {
  const span = Math.max(1, daysBetween(dob, asOf))
  const moved = addDays(dob, d.r.int(span))
  const home = address(d, 'home', moved, undefined)
  if (moved === dob || !d.r.chance(0.2)) return [home]
  return [home, address(d, 'old', dob, moved)]
}

function emailLocal(s: string): string {
  return s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()
}

function telecoms(d: Draw, name: HumanName, age: number): ContactPoint[] {
  const out: ContactPoint[] = []
  // Ofcom's numbers for drama: 01632 960000-960999 (landline) and 07700 900000-900999 (mobile).
  if (d.r.chance(0.5)) out.push({ id: d.hexId(), system: 'phone', value: `01632 960${d.digits(3)}`, use: 'home' })
  if (age >= 12 && d.r.chance(0.7)) out.push({ id: d.hexId(), system: 'phone', value: `07700 900${d.digits(3)}`, use: 'mobile' })
  if (age >= 16 && d.r.chance(0.5)) {
    const local = `${emailLocal(name.given?.[0] ?? 'patient')}.${emailLocal(name.family)}${d.r.int(100)}`
    out.push({ id: d.hexId(), system: 'email', value: `${local}@example.com`, use: 'home' })
  }
  return out
}

type Resolved = Required<SyntheticOptions>

/** Options with defaults filled in; a share outside 0..1 or a malformed asOf is a caller's bug, so it throws. */
function resolve(options: SyntheticOptions): Resolved {
  const o: Resolved = {
    seed: options.seed,
    restrictedShare: options.restrictedShare ?? DEFAULTS.restrictedShare,
    redactedShare: options.redactedShare ?? DEFAULTS.redactedShare,
    multiNameShare: options.multiNameShare ?? DEFAULTS.multiNameShare,
    deceasedShare: options.deceasedShare ?? DEFAULTS.deceasedShare,
    asOf: options.asOf ?? DEFAULTS.asOf,
  }
  for (const k of ['restrictedShare', 'redactedShare', 'multiNameShare', 'deceasedShare'] as const) {
    if (!(o[k] >= 0 && o[k] <= 1)) throw new RangeError(`${k} must be between 0 and 1, not ${o[k]}`)
  }
  if (o.restrictedShare + o.redactedShare > 1) throw new RangeError('restrictedShare + redactedShare must not exceed 1')
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(o.asOf) || Number.isNaN(Date.parse(o.asOf))) throw new RangeError(`asOf must be a date as yyyy-mm-dd, not ${o.asOf}`)
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed must be an integer, not ${o.seed}`)
  return o
}

function securityCode(d: Draw, o: Resolved): SecurityCode {
  const x = d.r.next()
  return x < o.redactedShare ? 'REDACTED' : x < o.redactedShare + o.restrictedShare ? 'R' : 'U'
}

const DISPLAY: Readonly<Record<SecurityCode, string>> = { U: 'unrestricted', R: 'restricted', V: 'very restricted', REDACTED: 'redacted' }

/** Record i of the population with these options. Throws RangeError for an index beyond syntheticCapacity() or bad options. */
export function syntheticPatient(index: number, options: SyntheticOptions): Patient {
  const o = resolve(options)
  const id = syntheticNhsNumber(o.seed, index)
  const d = new Draw(new SeededRandom(`synthetic:${o.seed}/${index}`))
  faker.seed([o.seed, index])
  const code = securityCode(d, o)
  const g = gender(d)
  const dob = birthDate(d, o.asOf)
  const age = ageOn(dob, o.asOf)
  const nameList = names(d, g, dob, o.asOf, d.r.chance(o.multiNameShare))
  const p: Patient = {
    resourceType: 'Patient',
    id,
    meta: { versionId: '1', lastUpdated: `${o.asOf}T00:00:00Z`, security: [{ system: CONFIDENTIALITY_SYSTEM, code, display: DISPLAY[code] }] },
    name: nameList,
    gender: g,
    birthDate: dob,
  }
  p.address = addresses(d, dob, o.asOf)
  if (d.r.chance(o.deceasedShare)) {
    // After the last dated event of the record (a name change, a move), so the history stays possible.
    const starts = [...nameList, ...p.address].map((x) => x.period?.start ?? dob)
    const latest = starts.reduce((a, b) => (a > b ? a : b), dob)
    p.deceasedDateTime = addDays(latest, d.r.int(Math.max(1, daysBetween(latest, o.asOf))))
  }
  const tel = telecoms(d, nameList[0] as HumanName, age)
  if (tel.length > 0) p.telecom = tel
  const town = d.town()
  const practice = `${ODS_LETTERS[TOWNS.indexOf(town) % ODS_LETTERS.length]}${String(81000 + TOWNS.indexOf(town) * 40 + d.r.int(40)).padStart(5, '0')}`
  p.generalPractitioner = [{ id: d.hexId(), type: 'Organization', identifier: { system: ODS_SYSTEM, value: practice } }]
  return p
}

/** `count` records starting at index `start`, in order. */
export function* syntheticPatients(count: number, options: SyntheticOptions, start = 0): Generator<Patient> {
  for (let i = start; i < start + count; i++) yield syntheticPatient(i, options)
}
