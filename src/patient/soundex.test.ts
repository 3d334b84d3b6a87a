import t from 'tap'
import { soundex, soundexLetters } from './soundex.js'
import { nameKey, nameKeyParts } from './names.js'

t.test('the American Soundex table', async (t) => {
  const table: [string, string][] = [
    ['Smith', 'S530'],
    ['Smyth', 'S530'],
    ['Smythe', 'S530'],
    ['Robert', 'R163'],
    ['Rupert', 'R163'],
    ['Rubin', 'R150'],
    ['Ashcraft', 'A261'], // s and c separated only by h: coded once
    ['Ashcroft', 'A261'],
    ['Tymczak', 'T522'], // c and z adjacent, both 2: once; a vowel then k: coded again
    ['Pfister', 'P236'], // f has the first letter's code: skipped
    ['Honeyman', 'H555'],
    ['Lee', 'L000'],
    ['Gutierrez', 'G362'],
    ['Jackson', 'J250'],
    ['Washington', 'W252'],
  ]
  for (const [name, code] of table) t.equal(soundex(name), code, name)
})

t.test('case, accents and punctuation do not change the code', async (t) => {
  t.equal(soundex('smith'), 'S530')
  t.equal(soundex("O'Brien"), soundex('OBrien'))
  t.equal(soundex('Kociński'), soundex('Kocinski'))
  t.equal(soundex('Smith-Jones'), soundex('SmithJones'))
  t.equal(soundexLetters("d'Arcy-Smith"), 'DARCYSMITH')
})

t.test('names without Latin letters have no code', async (t) => {
  t.equal(soundex(''), '')
  t.equal(soundex("'-"), '')
  t.equal(soundex('王'), '')
  t.equal(soundex('A'), 'A000')
})

t.test('name keys', async (t) => {
  t.equal(nameKey("O'Reilly"), 'OREILLY')
  t.equal(nameKey('o reilly'), 'OREILLY')
  t.equal(nameKey('Kociński'), 'KOCINSKI')
  t.equal(nameKey('Smith-Jones'), 'SMITHJONES')
  t.equal(nameKey('王'), '王', 'letters of other scripts are kept')
  t.equal(nameKey('123'), '')
  t.same(nameKeyParts('Smith-Jones'), ['SMITHJONES', 'SMITH', 'JONES'])
  t.same(nameKeyParts('Mary Anne'), ['MARYANNE', 'MARY', 'ANNE'])
  t.same(nameKeyParts('Smith'), ['SMITH'])
  t.same(nameKeyParts('  '), [])
})
