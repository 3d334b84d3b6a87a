/**
 * UK postcodes. The normal form, used in index terms and comparisons, is upper case with no spaces
 * ("LS16AE"): people and systems write "ls1 6ae", "LS1  6AE" or "LS16AE" for the same place. The
 * display form puts one space before the three-character inward code ("LS1 6AE").
 */

// Outward code: A9, A99, AA9, AA99, A9A or AA9A, with the letters Royal Mail allows in each position
// (no Q, V, X first; no I, J, Z second; a restricted set in the third and fourth). Inward code: a digit
// and two letters, never C, I, K, M, O or V (they are too easily misread).
const OUTWARD = '(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])'
const INWARD = '[0-9][ABD-HJLNP-UW-Z]{2}'
const GEOGRAPHIC = new RegExp(`^${OUTWARD}${INWARD}$`)
/** GIR 0AA (Girobank) predates the rules above. */
const GIROBANK = 'GIR0AA'
/**
 * ONS pseudo postcodes, ZZ99 followed by a digit and two letters: PDS requires one on an address that
 * has no real postcode ("ZZ99 3VZ" is no fixed abode, "ZZ99 3CZ" England, address not known). They
 * break the letter rules above, so they are matched separately.
 */
const PSEUDO = /^ZZ99[0-9][A-Z]{2}$/

/** Upper case, every space removed. Does not validate. */
export function normalisePostcode(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase()
}

/** True for a UK postcode (or ONS pseudo postcode) in any case and spacing. */
export function isValidPostcode(input: string): boolean {
  const p = normalisePostcode(input)
  return GEOGRAPHIC.test(p) || PSEUDO.test(p) || p === GIROBANK
}

/** True for a pseudo postcode: it says where a patient is not, so it must not be used to find people near each other. */
export function isPseudoPostcode(input: string): boolean {
  return PSEUDO.test(normalisePostcode(input))
}

/** The outward code ("LS1" of "LS1 6AE"): the part before the space, which names a district. */
export function outwardCode(input: string): string | undefined {
  if (!isValidPostcode(input)) return undefined
  const p = normalisePostcode(input)
  return p.slice(0, -3)
}

/** "LS1 6AE" for any spelling of a valid postcode; undefined if it is not one. */
export function formatPostcode(input: string): string | undefined {
  if (!isValidPostcode(input)) return undefined
  const p = normalisePostcode(input)
  return `${p.slice(0, -3)} ${p.slice(-3)}`
}
