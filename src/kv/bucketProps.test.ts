import t from 'tap'
import { BUCKET_DEFAULTS } from '../config.js'
import { BucketPropsTable } from './bucketProps.js'

t.test('resolved props: defaults, then the type, then the bucket; the same answer when asked again', async (t) => {
  const table = new BucketPropsTable({ pds: { n: 5 }, 'pds/Patient': { allowMult: false } }, 5)
  const want = { ...BUCKET_DEFAULTS, n: 5, allowMult: false }
  t.same(table.get('pds', 'Patient'), want)
  t.same(table.get('pds', 'Patient'), want, 'from the cache')
  t.same(table.get('pds', 'other'), { ...BUCKET_DEFAULTS, n: 5 })
  t.same(table.get('default', 'Patient'), BUCKET_DEFAULTS)
  t.throws(() => {
    ;(table.get('pds', 'Patient') as { n: number }).n = 1
  }, 'a shared answer cannot be changed by a caller')
})

t.test('a slash in a type or bucket name does not mix two buckets up', async (t) => {
  const table = new BucketPropsTable({ 'a/b': { n: 2 }, a: { n: 4 } }, 5)
  t.equal(table.get('a/b', 'c').n, 2)
  t.equal(table.get('a', 'b/c').n, 4)
  t.equal(table.get('a/b', 'c').n, 2, 'still, once both are cached')
})
