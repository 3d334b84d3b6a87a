import t from 'tap'
import {
  TEST_RANGE,
  checkDigit,
  formatNhsNumber,
  isTestRangeNhsNumber,
  isValidNhsNumber,
  nhsNumberFromPrefix,
  normaliseNhsNumber,
  testRangeNhsNumbers,
  testRangePrefixes,
} from './nhsNumber.js'

/** Independent reference: the NHS Data Dictionary's steps, written out longhand. */
function referenceCheck(nine: string): number | 'none' {
  const weights = [10, 9, 8, 7, 6, 5, 4, 3, 2]
  const total = weights.reduce((sum, w, i) => sum + Number(nine[i]) * w, 0)
  const eleven = 11 - (total % 11)
  return eleven === 11 ? 0 : eleven === 10 ? 'none' : eleven
}

t.test('check digit of known numbers', async (t) => {
  // 9434765919: NHS Digital's worked example (sum 299, 299 mod 11 = 2, 11 - 2 = 9).
  t.equal(checkDigit('943476591'), 9)
  t.ok(isValidNhsNumber('9434765919'))
  // PDS sandbox numbers.
  t.ok(isValidNhsNumber('9000000009'))
  t.ok(isValidNhsNumber('9000000033'))
  // A weighted sum that is a multiple of 11 gives 11 - 0 = 11, so check digit 0.
  const zero = firstPrefix((nine) => referenceCheck(nine) === 0)
  t.equal(checkDigit(zero), 0, `${zero} sums to a multiple of 11`)
  t.ok(isValidNhsNumber(`${zero}0`))
  t.notOk(isValidNhsNumber(`${zero}1`))
})

t.test('invalid numbers', async (t) => {
  for (const bad of ['9434765918', '9434765910', '943476591', '94347659190', '943476591X', '', ' 9434765919', '943 476 5919', '9434-765-919']) {
    t.notOk(isValidNhsNumber(bad), bad)
  }
  for (const notString of [9434765919, null, undefined, {}, ['9434765919']]) t.notOk(isValidNhsNumber(notString))
  t.equal(checkDigit('94347659'), undefined, 'eight digits')
  t.equal(checkDigit('94347659a'), undefined, 'not digits')
})

t.test('prefixes whose check digit would be 10 have no valid number', async (t) => {
  // 999000001: 9*10+9*9+9*8+1*2 = 245, 245 mod 11 = 3, 11-3 = 8 → valid; find the 10s by the reference.
  const tens: string[] = []
  for (let p = 999_000_000; tens.length < 5; p++) if (referenceCheck(String(p)) === 'none') tens.push(String(p))
  for (const nine of tens) {
    t.equal(checkDigit(nine), undefined, nine)
    t.equal(nhsNumberFromPrefix(Number(nine)), undefined)
    for (let d = 0; d <= 9; d++) t.notOk(isValidNhsNumber(nine + String(d)), `${nine}${d}`)
  }
  // 100000001: 1 x 10 + 1 x 2 = 12; 12 mod 11 = 1; 11 - 1 = 10 → no check digit.
  t.equal(checkDigit('100000001'), undefined, '10 + 2 = 12 leaves 1: check digit would be 10')
})

t.test('checkDigit agrees with the reference on a sweep', async (t) => {
  let mismatches = 0
  for (let p = 100_000_000; p < 100_000_000 + 50_000; p += 7) {
    const nine = String(p)
    const ref = referenceCheck(nine)
    if ((checkDigit(nine) ?? 'none') !== ref) mismatches++
  }
  t.equal(mismatches, 0)
})

t.test('normalise and format', async (t) => {
  t.equal(normaliseNhsNumber('943 476 5919'), '9434765919')
  t.equal(normaliseNhsNumber(' 9434765919 '), '9434765919')
  t.equal(normaliseNhsNumber('9434765919'), '9434765919')
  t.equal(normaliseNhsNumber('943 476 5918'), undefined, 'bad check digit')
  t.equal(normaliseNhsNumber('943-476-5919'), undefined, 'hyphens are not accepted')
  t.equal(normaliseNhsNumber(''), undefined)
  t.equal(formatNhsNumber('9434765919'), '943 476 5919')
})

t.test('test range', async (t) => {
  const prefixes = testRangePrefixes()
  t.equal(prefixes.length, 909_091, 'about 10/11 of the million prefixes')
  t.equal(referenceCheck(String(TEST_RANGE.firstPrefix)), 'none', '999000000 sums to 243, leaving 1: no number')
  t.equal(prefixes[0], TEST_RANGE.firstPrefix + 1)
  let ascending = true
  for (let i = 1; i < prefixes.length; i++) if ((prefixes[i] as number) <= (prefixes[i - 1] as number)) ascending = false
  t.ok(ascending)
  // Every listed prefix gives a valid number and every skipped one has no check digit.
  let wrong = 0
  const listed = new Set(prefixes)
  for (let p = TEST_RANGE.firstPrefix; p < TEST_RANGE.firstPrefix + 20_000; p++) {
    const valid = nhsNumberFromPrefix(p) !== undefined
    if (valid !== listed.has(p)) wrong++
  }
  t.equal(wrong, 0)
  const first = [...take(testRangeNhsNumbers(), 12)]
  t.ok(first.every((n) => isValidNhsNumber(n) && isTestRangeNhsNumber(n)))
  t.equal(first.length, 12)
  t.notOk(isTestRangeNhsNumber('9434765919'))
  const last = [...testRangeNhsNumbers(TEST_RANGE.lastPrefix - 3)]
  t.ok(last.length >= 1 && last.length <= 4 && last.every((n) => n.startsWith('9999999')))
})

function firstPrefix(pred: (nine: string) => boolean): string {
  for (let p = 100_000_000; ; p++) if (pred(String(p))) return String(p)
}

function* take<T>(it: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return
  for (const x of it) {
    yield x
    if (--n === 0) return
  }
}
