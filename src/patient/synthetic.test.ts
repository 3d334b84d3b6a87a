import { createHash } from 'node:crypto'
import t from 'tap'
import { isTestRangeNhsNumber } from './nhsNumber.js'
import { nameKey } from './names.js'
import { securityCodeOf } from './record.js'
import { syntheticCapacity, syntheticNhsNumber, syntheticPatient, syntheticPatients } from './synthetic.js'
import { validatePatient } from './validate.js'

const AS_OF = new Date('2025-01-01T12:00:00Z')

t.test('10,000 records: all valid, distinct test-range NHS numbers, realistic shares', async (t) => {
  const ids = new Set<string>()
  const invalid: string[] = []
  let restricted = 0
  let multiName = 0
  let smiths = 0
  let deceased = 0
  for (const p of syntheticPatients(10_000, { seed: 42, restrictedShare: 0.1, multiNameShare: 0.25 })) {
    const v = validatePatient(p, AS_OF)
    if (!v.ok) invalid.push(`${p.id}: ${JSON.stringify(v.errors)}`)
    if (!isTestRangeNhsNumber(p.id)) invalid.push(`${p.id} is not in the test range`)
    ids.add(p.id)
    if (securityCodeOf(p) === 'R') restricted++
    if (p.name!.length > 1) multiName++
    if (p.name!.some((n) => nameKey(n.family) === 'SMITH')) smiths++
    if (p.deceasedDateTime !== undefined) deceased++
  }
  t.same(invalid.slice(0, 5), [], 'every record passes validation')
  t.equal(ids.size, 10_000, 'NHS numbers are distinct')
  t.ok(restricted > 850 && restricted < 1150, `~10% restricted (${restricted})`)
  t.ok(multiName > 2250 && multiName < 2750, `~25% with more than one name (${multiName})`)
  t.ok(smiths > 40 && smiths < 200, `Smith is common, as in the UK (~1%: ${smiths})`)
  t.ok(deceased > 50 && deceased < 160, `~1% deceased (${deceased})`)
})

t.test('deterministic: the same seed gives byte-identical records, in any order', async (t) => {
  const forward = [...syntheticPatients(200, { seed: 5 })].map((p) => JSON.stringify(p))
  syntheticPatient(17, { seed: 6 }) // another population in between must not disturb the first
  const backward: string[] = []
  for (let i = 199; i >= 0; i--) backward[i] = JSON.stringify(syntheticPatient(i, { seed: 5 }))
  t.same(backward, forward)
  t.same(
    [...syntheticPatients(10, { seed: 5 }, 100)].map((p) => JSON.stringify(p)),
    forward.slice(100, 110),
    'a slice from an offset is the same records',
  )
  const other = [...syntheticPatients(200, { seed: 6 })].map((p) => JSON.stringify(p))
  t.ok(other.every((s, i) => s !== forward[i]), 'another seed, other records')
})

t.test('byte-identical across runs and machines (fails if the generator or faker changes its output)', async (t) => {
  const digest = createHash('sha256')
  for (const p of syntheticPatients(100, { seed: 1 })) digest.update(JSON.stringify(p))
  // Recompute and update this only on purpose (a change to synthetic.ts or a faker upgrade): it is what
  // makes a benchmark's population reproducible.
  t.equal(digest.digest('hex'), '56ad73b593fb7af0fce0628208a6a52539f7cf18c27363a36ebac5ffd16c3d6f')
})

t.test('NHS numbers: a permutation of the test range', async (t) => {
  const capacity = syntheticCapacity()
  t.equal(capacity, 909_091)
  const tail = new Set<string>()
  for (let i = capacity - 1000; i < capacity; i++) tail.add(syntheticNhsNumber(9, i))
  for (let i = 0; i < 1000; i++) tail.add(syntheticNhsNumber(9, i))
  t.equal(tail.size, 2000, 'distinct at both ends of the range')
  t.throws(() => syntheticNhsNumber(9, capacity), RangeError)
  t.throws(() => syntheticPatient(-1, { seed: 9 }), RangeError)
  t.not(syntheticNhsNumber(1, 0), syntheticNhsNumber(2, 0), 'the seed moves the permutation')
})

t.test('options are checked', async (t) => {
  t.throws(() => syntheticPatient(0, { seed: 1, restrictedShare: 1.5 }), RangeError)
  t.throws(() => syntheticPatient(0, { seed: 1, restrictedShare: 0.6, redactedShare: 0.6 }), RangeError)
  t.throws(() => syntheticPatient(0, { seed: 1, asOf: '2025-13-45x' }), RangeError)
  t.throws(() => syntheticPatient(0, { seed: 1.5 }), RangeError)
  const all = [...syntheticPatients(50, { seed: 1, restrictedShare: 0, redactedShare: 1 })]
  t.ok(all.every((p) => securityCodeOf(p) === 'REDACTED'))
  const asOf = [...syntheticPatients(200, { seed: 1, asOf: '1990-06-30' })]
  t.ok(asOf.every((p) => (p.birthDate ?? '') <= '1990-06-30' && validatePatient(p, new Date('1990-06-30T12:00:00Z')).ok), 'every date on or before asOf')
})
