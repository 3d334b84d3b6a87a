/**
 * American Soundex (the National Archives' rules), which PDS's fuzzy search uses for homophones such as
 * Smith/Smyth/Smythe (all S530). The first letter is kept; later consonants become digits; letters
 * with the same digit next to each other, or separated only by H or W, count once (so Ashcraft is A261,
 * not A226); a vowel between them makes them count twice (Tymczak: T522); the result is padded or cut
 * to four characters.
 */
import { nameKey } from './names.js'

const CODES: Readonly<Record<string, string>> = {
  B: '1', F: '1', P: '1', V: '1',
  C: '2', G: '2', J: '2', K: '2', Q: '2', S: '2', X: '2', Z: '2',
  D: '3', T: '3',
  L: '4',
  M: '5', N: '5',
  R: '6',
}

/** Upper-case A-Z only: accents stripped (Kociński → KOCINSKI), apostrophes, hyphens, spaces and other scripts dropped. */
export function soundexLetters(name: string): string {
  return nameKey(name).replace(/[^A-Z]/g, '')
}

/** The four-character Soundex code of a name, or '' if it has no letters A-Z. */
export function soundex(name: string): string {
  const letters = soundexLetters(name)
  const first = letters[0]
  if (first === undefined) return ''
  let out = first
  // The first letter's own digit counts as "previous" so that Pfister is P236, not P123.
  let previous = CODES[first] ?? ''
  for (let i = 1; i < letters.length && out.length < 4; i++) {
    const ch = letters[i] as string
    if (ch === 'H' || ch === 'W') continue // transparent: do not reset previous
    const code = CODES[ch]
    if (code === undefined) {
      previous = '' // a vowel (or Y) separates equal codes
      continue
    }
    if (code !== previous) out += code
    previous = code
  }
  return out.padEnd(4, '0')
}
