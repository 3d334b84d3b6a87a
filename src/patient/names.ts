/**
 * How names are compared. PDS matching ignores case, accents and punctuation: "O'Reilly", "O REILLY"
 * and "oreilly" are one name, as are "Kociński" and "Kocinski". The key keeps letters of any script
 * (a name written only in, say, Arabic script still has a key), drops everything else.
 */

/** The comparison key of a name: accents stripped, upper case, letters only. '' if it has no letters. */
export function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}]/gu, '')
}

/**
 * The parts of a compound name ("Smith-Jones", "Lloyd George", "Mary Anne") as keys, the whole first.
 * Fuzzy search and the Soundex index look at each part, so Jones finds Smith-Jones by sound.
 */
export function nameKeyParts(name: string): string[] {
  const whole = nameKey(name)
  const parts = name.split(/[\s\-]+/).map(nameKey).filter((p) => p !== '' && p !== whole)
  return whole === '' ? parts : [whole, ...new Set(parts)]
}
