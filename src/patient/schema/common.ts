/**
 * The datatypes every part of the Patient schema shares: FHIR strings, ids, dates, periods, codings,
 * ODS references. Built once at module load (zod schemas are immutable values): validation on the
 * bulk-load path never constructs a schema per call.
 */
import * as z from 'zod'
import { PATIENT_LIMITS as L } from '../limits.js'
import { dateInterval, isFhirDate, isFhirDateTime } from '../dates.js'
import { ODS_SYSTEM } from '../codes.js'

/** A FHIR string: not empty, no leading or trailing white space, no control characters. */
const TRIMMED_TEXT = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u
export const text = (max: number) =>
  z.string().max(max).regex(TRIMMED_TEXT, { error: 'must be non-empty text without leading or trailing spaces or control characters' })

/** Free text of no PDS length of its own: displays, versions, code system URIs. */
export const shortText = text(L.maxTextLength)

/** FHIR's id datatype, used for element ids. */
export const elementId = z.string().regex(new RegExp(`^[A-Za-z0-9.-]{1,${L.maxElementIdLength}}$`), { error: 'must be a FHIR id: 1-64 letters, digits, "-" or "."' })

export const fhirDate = z.string().refine(isFhirDate, { error: 'must be a real date as yyyy, yyyy-mm or yyyy-mm-dd' })
export const fhirDateTime = z.string().refine(isFhirDateTime, { error: 'must be a FHIR dateTime: a date, or yyyy-mm-ddThh:mm:ss with a zone' })
export const fhirInstant = z.string().refine((s) => s.length > 10 && isFhirDateTime(s), { error: 'must be an instant: yyyy-mm-ddThh:mm:ss with a zone' })

/** A time in UTC (DeceasedDateTime.yaml: "The date and time in UTC ... yyyy-mm-ddTHH:MM:SS+00:00"). */
const UTC_TIME = /T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:\+00:00|Z)$/
/** A date (any FHIR precision), or a dateTime in UTC: an offset other than +00:00 is refused, as PDS does. */
export const utcDateTime = z
  .string()
  .refine((s) => isFhirDateTime(s) && (s.length <= 10 || UTC_TIME.test(s)), { error: 'must be a date, or a date and time in UTC as yyyy-mm-ddTHH:MM:SS+00:00' })

/** True unless both ends are given and the period ends before it starts (partial dates compared by the days they cover). */
export function endNotBeforeStart(p: { start?: string | undefined; end?: string | undefined }): boolean {
  // zod runs this refinement even when start or end failed their own check; those are reported already.
  if (p.start === undefined || p.end === undefined || !isFhirDateTime(p.start) || !isFhirDateTime(p.end)) return true
  return dateInterval(p.end).last >= dateInterval(p.start).first
}

/** Period.yaml: start is required once a period is given ("if a period object is supplied, a start date must also be provided"). */
export const period = z
  .strictObject({ start: fhirDate, end: fhirDate.optional() })
  .refine(endNotBeforeStart, { error: 'end must not be before start', path: ['end'] })

/** A period of date-times (RemovalFromRegistration's effectiveTime). */
export const dateTimePeriod = z
  .strictObject({ start: fhirDateTime, end: fhirDateTime.optional() })
  .refine(endNotBeforeStart, { error: 'end must not be before start', path: ['end'] })

/** One coding of a fixed code system: the system may be left out (PDS defaults it), the code must be one of `codes`. */
export function coding<S extends string, C extends readonly [string, ...string[]]>(system: S, codes: C, opts: { systemRequired?: boolean } = {}) {
  const sys = z.literal(system)
  return z.strictObject({
    system: opts.systemRequired === true ? sys : sys.optional(),
    version: shortText.optional(),
    code: z.enum(codes),
    display: shortText.optional(),
  })
}

/** A CodeableConcept of exactly one coding, as every PDS coded value is. */
export function concept<T extends z.ZodType>(one: T) {
  return z.strictObject({ coding: z.tuple([one]) })
}

/**
 * GP practice ODS codes: a letter and five digits (A12345, Y02345). The schema's pattern is ^[0-9A-Z]+$,
 * but patient-patch.yaml allows "only valid GP Practice codes" for generalPractitioner and
 * managingOrganization, and practice codes have this shape.
 */
export const gpPracticeCode = z.string().regex(/^[A-Z][0-9]{5}$/, { error: 'must be a GP practice ODS code: a capital letter and five digits' })

/** NominatedPharmacy.yaml and its siblings: ^[A-Za-z0-9]{3,10}$. */
export const pharmacyCode = z.string().regex(/^[A-Za-z0-9]{3,10}$/, { error: 'must be an ODS code: 3-10 letters or digits' })

/** A GP practice by ODS code (generalPractitioner, managingOrganization). */
export const practiceIdentifier = z.strictObject({
  system: z.literal(ODS_SYSTEM).optional(),
  value: gpPracticeCode,
  period: period.optional(),
})
