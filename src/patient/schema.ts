/**
 * The zod schema of a stored Patient (zod 4; see /tmp/helper-patient-decisions.md for why zod). Every
 * object is strict, so an unknown field is an error (ADDITIONAL_PROPERTIES) rather than data stored
 * unchecked. Checks that need the current time (not in the future) are not here: a schema is built once,
 * and validate.ts applies them with the caller's `now`.
 */
import * as z from 'zod'
import { PATIENT_LIMITS as L } from './limits.js'
import { isValidNhsNumber } from './nhsNumber.js'
import { dateInterval, isFhirDate, isFhirDateTime } from './dates.js'
import { formatPostcode, isValidPostcode } from './postcode.js'
import {
  ADDRESS_USES,
  CONFIDENTIALITY_SYSTEM,
  GENDERS,
  NAME_USES,
  ODS_SYSTEM,
  SECURITY_CODES,
  TELECOM_SYSTEMS,
  TELECOM_USES,
  type Patient,
} from './record.js'

/** A FHIR string: not empty, no leading or trailing white space, no control characters. */
const TRIMMED_TEXT = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u
const text = (max: number) =>
  z.string().max(max).regex(TRIMMED_TEXT, { error: 'must be non-empty text without leading or trailing spaces or control characters' })

/** FHIR's id datatype, used for element ids. */
const elementId = z.string().regex(new RegExp(`^[A-Za-z0-9.-]{1,${L.maxElementIdLength}}$`), { error: 'must be a FHIR id: 1-64 letters, digits, "-" or "."' })

const fhirDate = z.string().refine(isFhirDate, { error: 'must be a real date as yyyy, yyyy-mm or yyyy-mm-dd' })
const fhirDateTime = z.string().refine(isFhirDateTime, { error: 'must be a FHIR dateTime: a date, or yyyy-mm-ddThh:mm:ss with a zone' })
const fhirInstant = z.string().refine((s) => s.length > 10 && isFhirDateTime(s), { error: 'must be an instant: yyyy-mm-ddThh:mm:ss with a zone' })

/** True unless both ends are given and the period ends before it starts (partial dates compared by the days they cover). */
function endNotBeforeStart(p: { start?: string | undefined; end?: string | undefined }): boolean {
  // zod runs this refinement even when start or end failed their own check; those are reported already.
  if (p.start === undefined || p.end === undefined || !isFhirDate(p.start) || !isFhirDate(p.end)) return true
  return dateInterval(p.end).last >= dateInterval(p.start).first
}

/** Death on or after birth; as above, only judged when both are valid dates. */
function deathNotBeforeBirth(p: { birthDate?: string | undefined; deceasedDateTime?: string | undefined }): boolean {
  if (p.birthDate === undefined || p.deceasedDateTime === undefined || !isFhirDate(p.birthDate) || !isFhirDateTime(p.deceasedDateTime)) return true
  return dateInterval(p.deceasedDateTime).last >= dateInterval(p.birthDate).first
}

const period = z
  .strictObject({ start: fhirDate.optional(), end: fhirDate.optional() })
  .refine(endNotBeforeStart, { error: 'end must not be before start', path: ['end'] })

const namePart = text(L.maxNamePartLength)

const humanName = z.strictObject({
  id: elementId.optional(),
  use: z.enum(NAME_USES),
  period: period.optional(),
  given: z.array(namePart).max(L.maxGivenNames).optional(),
  family: text(L.maxFamilyLength),
  prefix: z.array(namePart).max(L.maxNameAffixes).optional(),
  suffix: z.array(namePart).max(L.maxNameAffixes).optional(),
})

/** Accepted in any case and spacing; stored in the display form "LS1 6AE" so every copy reads the same. */
const postalCode = z
  .string()
  .max(10)
  .refine(isValidPostcode, { error: 'must be a UK postcode (or an ONS pseudo postcode such as ZZ99 3VZ)' })
  .transform((s) => formatPostcode(s) ?? s)

const address = z.strictObject({
  id: elementId.optional(),
  use: z.enum(ADDRESS_USES).optional(),
  period: period.optional(),
  line: z.array(text(L.maxAddressLineLength)).max(L.maxAddressLines).optional(),
  postalCode: postalCode.optional(),
})

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
/** UK and international numbers as people write them: digits, spaces, brackets, hyphens, a leading +. */
const PHONE = /^\+?[0-9][0-9 ()-]{4,30}$/

const contactPoint = z
  .strictObject({
    id: elementId.optional(),
    system: z.enum(TELECOM_SYSTEMS),
    value: text(L.maxTelecomValueLength),
    use: z.enum(TELECOM_USES).optional(),
    period: period.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.system === 'email' && !EMAIL.test(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be an email address', input: c.value })
    const phoneLike = c.system === 'phone' || c.system === 'sms' || c.system === 'fax'
    if (phoneLike && !PHONE.test(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be a telephone number', input: c.value })
  })

/** ODS codes of GP practices: one letter and five digits (A12345, Y02345). */
const odsCode = z.string().regex(/^[A-Z][0-9]{5}$/, { error: 'must be a GP practice ODS code: a capital letter and five digits' })

const generalPractitioner = z.strictObject({
  id: elementId.optional(),
  type: z.literal('Organization').optional(),
  identifier: z.strictObject({
    system: z.literal(ODS_SYSTEM).optional(),
    value: odsCode,
    period: period.optional(),
  }),
})

const securityLabel = z.strictObject({
  system: z.literal(CONFIDENTIALITY_SYSTEM).optional(),
  code: z.enum(SECURITY_CODES),
  display: text(L.maxTextLength).optional(),
})

const versionId = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, { error: 'must be a positive integer as a string, e.g. "1"' })
  .refine((s) => Number(s) <= L.maxVersion, { error: 'is too large' })

const meta = z.strictObject({
  versionId,
  lastUpdated: fhirInstant.optional(),
  security: z.tuple([securityLabel]).optional(),
})

export const PatientSchema = z
  .strictObject({
    resourceType: z.literal('Patient'),
    id: z.string().refine(isValidNhsNumber, { error: 'must be a valid NHS number: ten digits with a modulus-11 check digit' }),
    meta,
    name: z.array(humanName).min(1).max(L.maxNames),
    gender: z.enum(GENDERS).optional(),
    birthDate: fhirDate.optional(),
    deceasedDateTime: fhirDateTime.optional(),
    address: z.array(address).max(L.maxAddresses).optional(),
    telecom: z.array(contactPoint).max(L.maxTelecoms).optional(),
    generalPractitioner: z.array(generalPractitioner).max(L.maxGeneralPractitioners).optional(),
  })
  .refine(deathNotBeforeBirth, { error: 'must not be before birthDate', path: ['deceasedDateTime'] })

// The schema and the hand-written types must describe the same records: this fails to compile if a
// field is added to one and not the other, or its type differs.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const schemaMatchesTypes: Same<z.output<typeof PatientSchema>, Patient> = true
void schemaMatchesTypes
