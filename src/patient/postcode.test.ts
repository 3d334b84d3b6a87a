import t from 'tap'
import { formatPostcode, isPseudoPostcode, isValidPostcode, normalisePostcode, outwardCode } from './postcode.js'

t.test('normalisation: upper case, no spaces', async (t) => {
  t.equal(normalisePostcode('ls1 6ae'), 'LS16AE')
  t.equal(normalisePostcode('LS1  6AE'), 'LS16AE')
  t.equal(normalisePostcode(' Ls16Ae '), 'LS16AE')
  t.equal(normalisePostcode('SW1A\t1AA'), 'SW1A1AA')
})

t.test('valid UK postcodes in every outward format', async (t) => {
  // A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA, and the special cases.
  for (const ok of ['M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'W1A 0AX', 'EC1A 1BB', 'SW1A 1AA', 'LS1 6AE', 'ls16ae', 'GIR 0AA', 'ZZ99 3VZ', 'ZZ99 3CZ']) {
    t.ok(isValidPostcode(ok), ok)
  }
})

t.test('invalid postcodes', async (t) => {
  const bad = [
    'LS1 6AC', // C is never used in the inward code
    'QS1 6AE', // Q never starts a postcode
    'AJ1 6AE', // J is never the second letter
    'LS1', // outward only
    'LS1 6A',
    '12345',
    'LS1 6AE X',
    '',
    'LS1*',
  ]
  for (const b of bad) t.notOk(isValidPostcode(b), b)
})

t.test('outward code, display form, pseudo postcodes', async (t) => {
  t.equal(outwardCode('LS1 6AE'), 'LS1')
  t.equal(outwardCode('ec1a1bb'), 'EC1A')
  t.equal(outwardCode('DN551PT'), 'DN55')
  t.equal(outwardCode('nonsense'), undefined)
  t.equal(formatPostcode('ls16ae'), 'LS1 6AE')
  t.equal(formatPostcode('sw1a1aa'), 'SW1A 1AA')
  t.equal(formatPostcode('bad'), undefined)
  t.ok(isPseudoPostcode('zz99 3vz'))
  t.notOk(isPseudoPostcode('LS1 6AE'))
})
