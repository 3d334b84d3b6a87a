/**
 * NHS numbers: ten digits, the last a modulus-11 check digit over the first nine with weights 10..2.
 * 11 - (sum mod 11) is the check digit, except that 11 means 0 and 10 means no number with those
 * nine digits is ever issued. The canonical form everywhere in spinekv (keys, index terms, `id`) is the
 * ten digits without spaces; people write them 3-3-4 ("943 476 5919"), so input is normalised first.
 */

const NINE_DIGITS = /^[0-9]{9}$/
const TEN_DIGITS = /^[0-9]{10}$/

/**
 * The check digit of the first nine digits, or undefined when there is none: when the remainder
 * gives 10 (those nine digits are never issued) or the input is not nine digits.
 */
export function checkDigit(firstNine: string): number | undefined {
  if (!NINE_DIGITS.test(firstNine)) return undefined
  let sum = 0
  for (let i = 0; i < 9; i++) sum += (firstNine.charCodeAt(i) - 48) * (10 - i)
  const c = 11 - (sum % 11)
  if (c === 11) return 0
  if (c === 10) return undefined
  return c
}

/** True for exactly ten digits whose last is the check digit of the first nine. No spaces: see normaliseNhsNumber. */
export function isValidNhsNumber(value: unknown): value is string {
  if (typeof value !== 'string' || !TEN_DIGITS.test(value)) return false
  return checkDigit(value.slice(0, 9)) === value.charCodeAt(9) - 48
}

/**
 * The canonical ten digits of a number as a person typed it ("943 476 5919", " 9434765919 "), or
 * undefined if it is not a valid NHS number. Only spaces are dropped: a hyphen or letter is more likely a
 * different identifier than a formatting habit.
 */
export function normaliseNhsNumber(input: string): string | undefined {
  const compact = input.replace(/ /g, '')
  return isValidNhsNumber(compact) ? compact : undefined
}

/** The 3-3-4 display form ("943 476 5919") of a canonical number; for tables and logs meant for people. */
export function formatNhsNumber(nhs: string): string {
  return `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`
}

/**
 * The test range: numbers 999 000 0000 to 999 999 9999 are never issued to patients, so synthetic
 * records use them and can never be confused with a real person. As nine-digit prefixes (the tenth is
 * the check digit) the range is 999000000..999999999.
 */
export const TEST_RANGE = { firstPrefix: 999_000_000, lastPrefix: 999_999_999 } as const

export function isTestRangeNhsNumber(nhs: string): boolean {
  return isValidNhsNumber(nhs) && nhs.startsWith('999')
}

/** The valid NHS number with this nine-digit prefix, or undefined when the prefix's check digit would be 10. */
export function nhsNumberFromPrefix(prefix: number): string | undefined {
  const nine = String(prefix).padStart(9, '0')
  const c = checkDigit(nine)
  return c === undefined ? undefined : nine + String(c)
}

let validTestPrefixes: Uint32Array | undefined

/**
 * Every prefix of the test range that has a check digit, ascending (about 10/11 of the range: 909,091
 * numbers, so no more synthetic patients than that can have distinct test-range numbers). Built on
 * first use (~30 ms) and kept: synthetic.ts maps record i to entry i of a permutation of this table.
 */
export function testRangePrefixes(): Uint32Array {
  if (validTestPrefixes !== undefined) return validTestPrefixes
  const all = new Uint32Array(TEST_RANGE.lastPrefix - TEST_RANGE.firstPrefix + 1)
  let n = 0
  for (let p: number = TEST_RANGE.firstPrefix; p <= TEST_RANGE.lastPrefix; p++) {
    // The weighted sum by arithmetic (a million strings would make this several times slower).
    let sum = 0
    for (let rest: number = p, weight = 2; weight <= 10; weight++, rest = Math.floor(rest / 10)) sum += (rest % 10) * weight
    if (11 - (sum % 11) !== 10) all[n++] = p
  }
  validTestPrefixes = all.slice(0, n)
  return validTestPrefixes
}

/** Valid test-range numbers in ascending order from a prefix, skipping prefixes whose check digit would be 10. */
export function* testRangeNhsNumbers(fromPrefix: number = TEST_RANGE.firstPrefix): Generator<string> {
  for (let p = Math.max(fromPrefix, TEST_RANGE.firstPrefix); p <= TEST_RANGE.lastPrefix; p++) {
    const nhs = nhsNumberFromPrefix(p)
    if (nhs !== undefined) yield nhs
  }
}
