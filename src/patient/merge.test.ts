import t from 'tap'
import { mulberry32 } from '../../test/harness/prng.js'
import { canonicalJson } from './canonicalJson.js'
import { examplePatient } from './examples.js'
import { mergeSiblings, type MergeResult } from './merge.js'
import { GENDERS, securityCodeOf, type Address, type ContactPoint, type HumanName, type Patient, type SecurityCode } from './record.js'
import { syntheticPatient } from './synthetic.js'
import { validatePatient } from './validate.js'

const rnd = mulberry32(20250101)
const int = (n: number): number => Math.floor(rnd() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T
const NOW = new Date('2030-01-01T00:00:00Z')
const CASES = 300

/** Bases: synthetic records born before 2015, so the deceased dates edits use (2020-2024) always follow birth. */
const bases: Patient[] = []
for (let i = 0; bases.length < 40; i++) {
  const p = syntheticPatient(i, { seed: 99, multiNameShare: 0.5 })
  if (p.birthDate !== undefined && p.birthDate < '2015-01-01' && p.deceasedDateTime === undefined) bases.push(p)
}

let nextId = 0
const freshId = (): string => `X${(nextId++).toString(16).toUpperCase()}`
const day = (from: number, to: number): string => `${from + int(to - from + 1)}-0${1 + int(9)}-1${int(10)}`

/** One concurrent edit, as a client would make it: every result is a valid record. */
const EDITS: ((p: Patient) => void)[] = [
  (p) => (p.gender = pick(GENDERS)),
  (p) => (p.birthDate = day(1930, 2014)),
  (p) => (p.deceasedDateTime = day(2020, 2024)),
  (p) => delete p.deceasedDateTime,
  (p) => {
    if (p.name!.length < 4) p.name!.push({ id: freshId(), use: 'nickname', given: ['Sam'], family: pick(['Smith', 'Smyth', 'Jones']) })
  },
  (p) => {
    const n = p.name![int(p.name!.length)] as HumanName
    n.family = pick(['Brown', 'Browne', 'Green', 'Taylor'])
  },
  (p) => {
    if (p.name!.length > 1) p.name!.splice(int(p.name!.length), 1)
  },
  (p) => {
    const a: Address = { id: freshId(), use: 'temp', line: ['1 High Street', 'Leeds'], postalCode: pick(['LS1 6AE', 'LS6 3AA', 'M1 1AE']) }
    p.address = [...(p.address ?? []), a].slice(-4)
  },
  (p) => {
    const a = p.address?.[0]
    if (a !== undefined) a.line = ['2 Station Road', 'York']
  },
  (p) => {
    if ((p.address?.length ?? 0) > 1) p.address?.pop()
  },
  (p) => {
    const c: ContactPoint = { system: 'phone', value: `01632 960${100 + int(900)}`, use: 'mobile' }
    p.telecom = [...(p.telecom ?? []), c].slice(-4)
  },
  (p) => delete p.telecom,
  (p) => (p.generalPractitioner = [{ type: 'Organization', identifier: { value: `Y${10000 + int(90000)}` } }]),
  (p) => (p.meta.security = [{ code: pick<SecurityCode>(['U', 'U', 'R', 'REDACTED']) }]),
]

function sibling(base: Patient): Patient {
  const p = structuredClone(base)
  const edits = 1 + int(3)
  for (let i = 0; i < edits; i++) pick(EDITS)(p)
  p.meta.versionId = String(Number(base.meta.versionId) + 1 + int(2))
  p.meta.lastUpdated = pick(['2025-02-01T10:00:00Z', '2025-02-01T10:00:01Z', '2025-02-01T11:00:00+01:00'])
  return p
}

function siblingSet(): [Patient, ...Patient[]] {
  const base = pick(bases)
  const n = 2 + int(3)
  const out: [Patient, ...Patient[]] = [sibling(base)]
  for (let i = 1; i < n; i++) out.push(rnd() < 0.15 ? structuredClone(out[0]) : sibling(base))
  return out
}

function shuffled<T>(xs: readonly T[]): T[] {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = int(i + 1)
    ;[a[i], a[j]] = [a[j] as T, a[i] as T]
  }
  return a
}

const sets = Array.from({ length: CASES }, siblingSet)

const show = (r: MergeResult): string => canonicalJson(r)

t.test('commutative: any order of the siblings gives byte-identical results', async (t) => {
  const bad: string[] = []
  for (const s of sets) {
    const expected = JSON.stringify(mergeSiblings(s))
    for (let k = 0; k < 4; k++) {
      const again = JSON.stringify(mergeSiblings(shuffled(s) as [Patient, ...Patient[]]))
      if (again !== expected) bad.push(canonicalJson(s))
    }
  }
  t.same(bad, [])
})

t.test('deterministic and idempotent', async (t) => {
  let bad = 0
  for (const s of sets) {
    const a = mergeSiblings(s)
    if (show(a) !== show(mergeSiblings(structuredClone(s)))) bad++
    if (canonicalJson(mergeSiblings([a.patient]).patient) !== canonicalJson(a.patient)) bad++
    if (canonicalJson(mergeSiblings([s[0], structuredClone(s[0])]).patient) !== canonicalJson(s[0])) bad++
  }
  t.equal(bad, 0)
  const one = examplePatient()
  t.same(mergeSiblings([one]), { patient: one, superseded: [] }, 'a single sibling comes back as it is')
})

t.test('the merged record is valid, versioned past every sibling, and as restricted as the most restricted', async (t) => {
  const RANK: Record<SecurityCode, number> = { U: 0, R: 1, V: 2, REDACTED: 3 } // V (very restricted) is in PDS's Meta.yaml
  const problems: string[] = []
  for (const s of sets) {
    const { patient } = mergeSiblings(s)
    const v = validatePatient(patient, NOW)
    if (!v.ok) problems.push(`invalid: ${JSON.stringify(v.errors)}`)
    const distinct = new Set(s.map((p) => canonicalJson(p))).size
    const max = Math.max(...s.map((p) => Number(p.meta.versionId)))
    if (distinct > 1 && patient.meta.versionId !== String(max + 1)) problems.push(`version ${patient.meta.versionId} after ${max}`)
    const most = s.map(securityCodeOf).reduce((a, b) => (RANK[b] > RANK[a] ? b : a))
    if (securityCodeOf(patient) !== most) problems.push(`security ${securityCodeOf(patient)}, expected ${most}`)
  }
  t.same(problems, [])
})

/** Every value of every sibling is in the result or in superseded. */
function dropped(s: readonly Patient[], r: MergeResult): string[] {
  const out: string[] = []
  const inSuperseded = (path: string, value: unknown, versionId: string): boolean =>
    r.superseded.some((x) => x.path === path && x.versionId === versionId && canonicalJson(x.value) === canonicalJson(value))
  for (const p of s) {
    for (const field of ['gender', 'birthDate', 'deceasedDateTime'] as const) {
      const v = p[field]
      if (v !== undefined && v !== r.patient[field] && !inSuperseded(field, v, p.meta.versionId)) out.push(`${field} ${v} of v${p.meta.versionId}`)
    }
    for (const field of ['name', 'address', 'telecom', 'generalPractitioner'] as const) {
      const kept = new Set((r.patient[field] ?? []).map((e) => canonicalJson(e)))
      ;(p[field] ?? []).forEach((e, i) => {
        if (!kept.has(canonicalJson(e)) && !inSuperseded(`${field}[${i}]`, e, p.meta.versionId)) out.push(`${field}[${i}] of v${p.meta.versionId}`)
      })
    }
  }
  return out
}

t.test('nothing is dropped silently', async (t) => {
  const lost: string[] = []
  for (const s of sets) lost.push(...dropped(s, mergeSiblings(s)))
  t.same(lost, [])
})

t.test('the documented rules on a worked example', async (t) => {
  const base = examplePatient() // version 2
  const a = structuredClone(base) // moved house and got a new phone
  a.meta.versionId = '3'
  a.meta.lastUpdated = '2025-02-01T10:00:00Z'
  a.address = [{ id: 'a3', use: 'home', line: ['9 Mill Lane', 'York'], postalCode: 'YO1 7HH' }, ...(a.address ?? [])]
  a.gender = 'other'
  const b = structuredClone(base) // recorded a death and restricted the record
  b.meta.versionId = '3'
  b.meta.lastUpdated = '2025-02-01T09:00:00Z'
  b.deceasedDateTime = '2025-01-30'
  b.meta.security = [{ code: 'R' }]
  b.telecom = []
  delete b.telecom
  const { patient, superseded } = mergeSiblings([b, a])
  t.equal(patient.meta.versionId, '4')
  t.equal(patient.meta.lastUpdated, '2025-02-01T10:00:00Z')
  t.equal(patient.gender, 'other', 'a ranks first (later lastUpdated); b has the old gender')
  t.same(superseded.filter((x) => x.path === 'gender'), [{ path: 'gender', value: 'female', versionId: '3' }])
  t.equal(patient.deceasedDateTime, '2025-01-30', 'the death survives a concurrent address change')
  t.equal(patient.meta.security?.[0].code, 'R', 'the restriction survives too')
  t.same(
    patient.address?.map((x) => x.id),
    ['a3', 'a1', 'a2'],
    'the union of addresses, the first-ranked sibling first',
  )
  t.equal(patient.telecom?.length, 2, 'a removal loses to the other side keeping the telecoms')
})

t.test('list limits: what does not fit is reported, not lost', async (t) => {
  const base = examplePatient()
  const many = (prefix: string, version: string): Patient => {
    const p = structuredClone(base)
    p.meta.versionId = version
    p.name = Array.from({ length: 6 }, (_, i) => ({ id: `${prefix}${i}`, use: 'nickname' as const, family: `${prefix}name${i}` }))
    return p
  }
  const { patient, superseded } = mergeSiblings([many('a', '5'), many('b', '4')])
  t.equal(patient.name!.length, 10)
  t.same(
    superseded.filter((x) => x.path.startsWith('name')).map((x) => x.path),
    ['name[4]', 'name[5]'],
  )
  t.ok(validatePatient(patient, NOW).ok)
})
