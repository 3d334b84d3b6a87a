/**
 * 2i query checks and the merge of the nodes' shares, with Riak's semantics: return_terms on
 * ranges only, term_regex on _bin/$key ranges only, _int values canonical, continuations opaque
 * and refused when forged, results sorted (term, key) and deduplicated, a page cut at max_results
 * with a continuation only when more follow, and no silent truncation without max_results.
 */
import t from 'tap'
import { INDEX } from '../config.js'
import { checkIndexQuery, decodeContinuation, encodeContinuation, mergeShares, queryFromWire, queryToWire, shareLimit, type IndexQueryArgs, type Position } from './indexQuery.js'

const base: IndexQueryArgs = { type: 'default', bucket: 'b', field: 'age_int', start: '10' }

t.test('checks', async (t) => {
  const eq = checkIndexQuery({ ...base, start: '007', returnTerms: true })
  t.equal(eq.start, '7', '_int canonical')
  t.equal(eq.range, false)
  t.equal(eq.returnTerms, false, 'return_terms: range queries only')
  const r = checkIndexQuery({ ...base, end: '20', returnTerms: true })
  t.same([r.start, r.end, r.range, r.returnTerms], ['10', '20', true, true])
  t.equal(checkIndexQuery({ ...base, field: 'Name_BIN', start: 'x' }).field, 'name_bin', 'field lower-cased')
  t.equal(checkIndexQuery({ ...base, field: '$bucket', start: 'b', end: 'z', returnTerms: true }).returnTerms, false, '$bucket has no terms')
  const bad = (a: Partial<IndexQueryArgs>, what: string): void => {
    t.throws(() => checkIndexQuery({ ...base, ...a }), { code: 'INVALID_ARGUMENT' }, what)
  }
  bad({ start: 'ten' }, 'an _int value that is not a number')
  bad({ field: 'age' }, 'a field without _bin or _int')
  bad({ end: '5' }, 'a range that starts after it ends')
  bad({ maxResults: 0 }, 'max_results 0')
  bad({ maxResults: INDEX.maxResults + 1 }, 'max_results above the limit')
  bad({ end: '20', termRegex: '1' }, 'term_regex on an integer index')
  bad({ field: 'x_bin', start: 'a', termRegex: 'a' }, 'term_regex on an exact match')
  bad({ field: 'x_bin', start: 'a', end: 'b', termRegex: '(a+)+$' }, 'a nested quantifier')
  bad({ field: 'x_bin', start: 'a', end: 'b', termRegex: '(' }, 'not a regex')
  bad({ field: 'x_bin', start: 'a', end: 'b', termRegex: 'a'.repeat(INDEX.maxRegexBytes + 1) }, 'a long regex')
  bad({ continuation: 'not-ours' }, 'a forged continuation')
  t.ok(checkIndexQuery({ ...base, field: 'x_bin', start: 'a', end: 'b', termRegex: '^(?:ab)+c' }), 'a non-capturing group holding no quantifier is fine')
})

t.test('continuations round-trip, and a query travels to a node and back', async (t) => {
  const p: Position = ['a\u0000b', 'k/é']
  t.same(decodeContinuation(encodeContinuation(p)), p)
  const q = checkIndexQuery({ ...base, field: 'x_bin', start: 'a', end: 'z', termRegex: '^a', continuation: encodeContinuation(['m', 'k1']) })
  const back = queryFromWire(queryToWire(q))
  t.same({ ...back, returnTerms: q.returnTerms, maxResults: q.maxResults }, q)
  t.throws(() => queryFromWire({ ...queryToWire(q), field: 7 }), { code: 'INVALID_ARGUMENT' })
})

t.test('merge: sorted, deduplicated, paged', async (t) => {
  const q = checkIndexQuery({ ...base, start: '1', end: '100', maxResults: 3, returnTerms: true })
  t.equal(shareLimit(q), 4)
  const page = mergeShares(q, [
    [['2', 'b'], ['10', 'a']],
    [['2', 'a'], ['2', 'b'], ['9', 'z']],
  ])
  t.same(page.results, [['2', 'a'], ['2', 'b'], ['9', 'z']], 'numeric terms, then keys; a pair twice is once')
  t.ok(page.continuation, 'more follow: a continuation')
  t.same(decodeContinuation(page.continuation!), ['9', 'z'], 'naming the last result')
  t.equal(page.withTerms, true)
  const last = mergeShares(q, [[['50', 'x']], [['60', 'y']]])
  t.equal(last.continuation, undefined, 'no continuation when nothing follows')
  const bins = checkIndexQuery({ ...base, field: 'x_bin', start: 'a', end: 'z' })
  t.same(mergeShares(bins, [[['b', 'k'], ['ab', 'k']]]).results, [['ab', 'k'], ['b', 'k']], '_bin terms by bytes')
  const unpaged = checkIndexQuery({ ...base, start: '0', end: '9' })
  const many: Position[] = Array.from({ length: INDEX.maxResults + 1 }, (_, i) => ['1', `k${i}`])
  t.throws(() => mergeShares(unpaged, [many]), { code: 'QUERY_TOO_LARGE' }, 'more than INDEX.maxResults without max_results: refused, not cut')
})
