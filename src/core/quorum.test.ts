import t from 'tap'
import { SpineError } from '../shared/errors.js'
import { isQuorumSpec, resolveQuorum, type QuorumSpec } from './quorum.js'

/** What each spec means, written out: null when it is not possible with this n and min. */
function expected(spec: QuorumSpec, fallback: QuorumSpec, n: number, min: number): number | null {
  const named: Record<string, number> = { one: 1, quorum: Math.floor(n / 2) + 1, all: n }
  const v = spec === 'default' ? fallback : spec
  const value = typeof v === 'number' ? v : (named[v] ?? NaN)
  return Number.isInteger(value) && value >= min && value <= n ? value : null
}

const NAMED: QuorumSpec[] = ['one', 'quorum', 'all', 'default']
const NUMBERS = [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 1.5, 0.5, NaN, Infinity, -Infinity]

t.test('resolveQuorum: every spec against n = 0..5 and min 0 or 1', async (t) => {
  const bad: string[] = []
  let valid = 0
  let invalid = 0
  for (let n = 0; n <= 5; n++) {
    for (const min of [0, 1]) {
      for (const spec of [...NAMED, ...NUMBERS]) {
        for (const fallback of [...NAMED, ...NUMBERS]) {
          const want = expected(spec, fallback, n, min)
          const label = `n=${n} min=${min} spec=${String(spec)} fallback=${String(fallback)}`
          try {
            const got = resolveQuorum('r', spec, fallback, n, min)
            valid++
            if (got !== want) bad.push(`${label}: got ${got}, want ${want}`)
          } catch (e) {
            invalid++
            if (want !== null) bad.push(`${label}: threw, want ${want}`)
            else if (!(e instanceof SpineError) || e.code !== 'INVALID_QUORUM') bad.push(`${label}: threw ${String(e)}`)
            else if (e.data.name !== 'r' || !Object.is(e.data.value, spec) || e.data.n !== n || e.data.min !== min) bad.push(`${label}: data ${JSON.stringify(e.data)}`)
          }
        }
      }
    }
  }
  t.same(bad.slice(0, 10), [], `${valid} accepted, ${invalid} refused, ${bad.length} wrong`)
  t.ok(valid > 500 && invalid > 500, 'both outcomes are common in the grid')
})

t.test('resolveQuorum: the named values', async (t) => {
  const table: Array<[number, number, number, number]> = [
    // n, one, quorum, all
    [1, 1, 1, 1],
    [2, 1, 2, 2],
    [3, 1, 2, 3],
    [4, 1, 3, 4],
    [5, 1, 3, 5],
  ]
  for (const [n, one, quorum, all] of table) {
    t.equal(resolveQuorum('w', 'one', 'all', n, 1), one, `n=${n} one`)
    t.equal(resolveQuorum('w', 'quorum', 'all', n, 1), quorum, `n=${n} quorum`)
    t.equal(resolveQuorum('w', 'all', 'one', n, 1), all, `n=${n} all`)
    t.equal(resolveQuorum('w', 'default', 'quorum', n, 1), quorum, `n=${n} default -> quorum`)
    t.equal(resolveQuorum('pw', 0, 'all', n, 0), 0, `n=${n} pw=0 allowed with min 0`)
  }
})

t.test('resolveQuorum: impossible values throw INVALID_QUORUM', async (t) => {
  const cases: Array<[string, QuorumSpec, QuorumSpec, number, number]> = [
    ['r=0 (R needs one answer)', 0, 'quorum', 3, 1],
    ['r > n', 4, 'quorum', 3, 1],
    ['negative pr', -1, 0, 3, 0],
    ['fractional w', 1.5, 'quorum', 3, 1],
    ['NaN', NaN, 'quorum', 3, 1],
    ['default falling back to an impossible number', 'default', 5, 3, 1],
    ['default falling back to default', 'default', 'default', 3, 1],
    ['all with n = 0', 'all', 'quorum', 0, 1],
    ['one with n = 0', 'one', 'quorum', 0, 1],
    ['quorum with n = 0', 'quorum', 'one', 0, 0],
  ]
  for (const [what, spec, fallback, n, min] of cases) {
    t.throws(
      () => resolveQuorum('r', spec, fallback, n, min),
      { name: 'SpineError', code: 'INVALID_QUORUM', data: { name: 'r', n, min } },
      what,
    )
  }
  const err = (() => {
    try {
      resolveQuorum('dw', 9, 'quorum', 3, 0)
    } catch (e) {
      return e
    }
  })()
  t.ok(err instanceof SpineError)
  t.match((err as SpineError).message, /dw=9.*n=3/, 'the message names the parameter and n')
})

t.test('isQuorumSpec', async (t) => {
  for (const v of ['one', 'quorum', 'all', 'default', 0, 3, -1]) t.ok(isQuorumSpec(v), `${String(v)} is a spec`)
  for (const v of ['ONE', 'majority', '2', 1.5, NaN, null, undefined, {}, [], true]) t.notOk(isQuorumSpec(v), `${String(v)} is not`)
})
