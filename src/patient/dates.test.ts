import t from 'tap'
import { dateInterval, intervalsOverlap, isFhirDate, isFhirDateTime, isInFuture, swapDayAndMonth, ukDate } from './dates.js'

t.test('FHIR dates', async (t) => {
  for (const ok of ['1970', '1970-01', '1970-01-01', '2000-02-29', '2024-12-31', '0001-01-01']) t.ok(isFhirDate(ok), ok)
  for (const bad of ['1970-02-30', '1971-02-29', '1900-02-29', '1970-13-01', '1970-00-10', '1970-1-1', '70-01-01', '0000', '1970-01-01T00:00:00Z', '', '1970/01/01', '19700101']) {
    t.notOk(isFhirDate(bad), bad)
  }
})

t.test('FHIR dateTimes', async (t) => {
  for (const ok of ['1970', '1970-01-01', '2020-03-04T10:11:12Z', '2020-03-04T10:11:12.123+01:00', '2020-03-04T23:59:60-05:30', '2020-03-04T00:00:00+14:00']) {
    t.ok(isFhirDateTime(ok), ok)
  }
  for (const bad of ['2020-03-04T10:11:12', '2020-03-04T24:00:00Z', '2020-03-04T10:11Z', '2020-02-30T10:11:12Z', '2020-03-04T10:11:12+15:00']) {
    t.notOk(isFhirDateTime(bad), bad)
  }
})

t.test('intervals of partial dates', async (t) => {
  t.same(dateInterval('1970'), { first: '1970-01-01', last: '1970-12-31' })
  t.same(dateInterval('2000-02'), { first: '2000-02-01', last: '2000-02-29' })
  t.same(dateInterval('1900-02'), { first: '1900-02-01', last: '1900-02-28' })
  t.same(dateInterval('1970-04-05'), { first: '1970-04-05', last: '1970-04-05' })
  t.same(dateInterval('2020-03-04T10:11:12Z'), { first: '2020-03-04', last: '2020-03-04' })
  t.ok(intervalsOverlap(dateInterval('1970'), dateInterval('1970-06-01')))
  t.notOk(intervalsOverlap(dateInterval('1970-05'), dateInterval('1970-06-01')))
})

t.test('today is the UK date, not UTC', async (t) => {
  // 23:30 UTC on 1 June is 00:30 BST on 2 June.
  const lateJune1Utc = new Date('2024-06-01T23:30:00Z')
  t.equal(ukDate(lateJune1Utc), '2024-06-02')
  t.notOk(isInFuture('2024-06-02', lateJune1Utc), 'a baby born just after midnight in England is not in the future')
  t.ok(isInFuture('2024-06-03', lateJune1Utc))
  // In winter the UK is on UTC.
  t.equal(ukDate(new Date('2024-01-01T23:30:00Z')), '2024-01-01')
  t.notOk(isInFuture('2024', new Date('2024-01-01T00:00:00Z')), 'a year that has begun is not in the future')
  t.ok(isInFuture('2025', new Date('2024-12-31T12:00:00Z')))
})

t.test('day and month swapped', async (t) => {
  t.equal(swapDayAndMonth('1970-05-01'), '1970-01-05')
  t.equal(swapDayAndMonth('1970-05-05'), undefined, 'same date')
  t.equal(swapDayAndMonth('1970-01-13'), undefined, 'no 13th month')
  t.equal(swapDayAndMonth('1970'), undefined)
})
