/**
 * FHIR dates as PDS uses them: `yyyy`, `yyyy-mm` or `yyyy-mm-dd` (a partial date stands for every day
 * it covers), and dateTimes that add a time with a zone. Dates are compared as strings: zero-padded
 * ISO dates sort as they should, which is also what lets the secondary indexes range-scan them.
 */

const DATE = /^([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?$/
const DATE_TIME =
  /^([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01])(?:T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(?:\.[0-9]{1,9})?(?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00))?)?)?$/

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31
}

/** The regex admits 31 days in every month; this refuses 1970-02-30 and 1971-02-29. Year 0000 does not exist. */
function isCalendarDate(y: string, m: string | undefined, d: string | undefined): boolean {
  const year = Number(y)
  if (year === 0) return false
  if (m === undefined || d === undefined) return true
  return Number(d) <= daysInMonth(year, Number(m))
}

/** A FHIR date: yyyy, yyyy-mm or yyyy-mm-dd, and a real calendar date. */
export function isFhirDate(s: string): boolean {
  const m = DATE.exec(s)
  return m !== null && isCalendarDate(m[1] as string, m[2], m[3])
}

/** A FHIR dateTime: a FHIR date, or a full date with a time and a zone (FHIR requires the zone). */
export function isFhirDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s)
  return m !== null && isCalendarDate(m[1] as string, m[2], m[3])
}

/** True for a complete yyyy-mm-dd date (valid or not; pair with isFhirDate). */
export function isFullDate(s: string): boolean {
  return s.length === 10
}

/** The date part of a FHIR date or dateTime (a dateTime's own local date, before its zone). */
export function datePart(dateOrDateTime: string): string {
  return dateOrDateTime.slice(0, 10)
}

export interface DateInterval {
  /** First day covered, yyyy-mm-dd. */
  readonly first: string
  /** Last day covered, yyyy-mm-dd. */
  readonly last: string
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** The days a (possibly partial) date covers: '1970' is 1970-01-01..1970-12-31, '1970-02' is 1970-02-01..1970-02-28. */
export function dateInterval(dateOrDateTime: string): DateInterval {
  const d = datePart(dateOrDateTime)
  if (d.length === 10) return { first: d, last: d }
  const year = Number(d.slice(0, 4))
  if (d.length === 7) {
    const month = Number(d.slice(5, 7))
    return { first: `${d}-01`, last: `${d}-${pad2(daysInMonth(year, month))}` }
  }
  return { first: `${d.slice(0, 4)}-01-01`, last: `${d.slice(0, 4)}-12-31` }
}

export function intervalsOverlap(a: DateInterval, b: DateInterval): boolean {
  return a.first <= b.last && b.first <= a.last
}

// Formatting a date in a named zone is the slow part of a validation; one formatter serves every call.
const LONDON = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })

/**
 * Today's date in the UK, yyyy-mm-dd. Not UTC: between midnight and 01:00 BST a baby born "today" in
 * England would otherwise be born tomorrow and fail the not-in-the-future check.
 */
export function ukDate(now: Date): string {
  return LONDON.format(now)
}

/** True if the (possibly partial) date starts after today in the UK: a date that covers today is not in the future. */
export function isInFuture(dateOrDateTime: string, now: Date): boolean {
  return dateInterval(dateOrDateTime).first > ukDate(now)
}

/** The same full date with day and month swapped (1970-05-01 → 1970-01-05) when that is a different real date. */
export function swapDayAndMonth(fullDate: string): string | undefined {
  if (fullDate.length !== 10) return undefined
  const swapped = `${fullDate.slice(0, 4)}-${fullDate.slice(8, 10)}-${fullDate.slice(5, 7)}`
  return swapped !== fullDate && isFhirDate(swapped) ? swapped : undefined
}
