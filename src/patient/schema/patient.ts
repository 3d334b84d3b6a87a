/**
 * The zod schema of a stored PDS Patient (Patient.yaml), assembled from its parts (names, addresses,
 * telecom, extensions, identifier). Every object is strict, so an unknown field is an error
 * (ADDITIONAL_PROPERTIES) rather than data stored unchecked. Checks that need the current time (not in
 * the future) are not here: a schema is built once, and validate.ts applies them with the caller's `now`.
 * Only `id` is required (Patient.yaml `required: [id]`; Minimal_Patient.json has no name, gender or
 * birthDate); `meta.versionId` is required here because every stored record has a version.
 */
import * as z from 'zod'
import { PATIENT_LIMITS as L } from '../limits.js'
import { dateInterval, isFhirDate, isFhirDateTime } from '../dates.js'
import { CONFIDENTIALITY_SYSTEM, GENDERS, SECURITY_CODES } from '../codes.js'
import { elementId, fhirDate, fhirInstant, practiceIdentifier, shortText, utcDateTime } from './common.js'
import { humanName } from './names.js'
import { address } from './addresses.js'
import { contact, contactPoint } from './telecom.js'
import { patientExtensions } from './extensions.js'
import { identifier, nhsNumber } from './identifier.js'

/** Death on or after birth; only judged when both are valid dates (the fields' own checks report the rest). */
function deathNotBeforeBirth(p: { birthDate?: string | undefined; deceasedDateTime?: string | undefined }): boolean {
  if (p.birthDate === undefined || p.deceasedDateTime === undefined || !isFhirDate(p.birthDate) || !isFhirDateTime(p.deceasedDateTime)) return true
  return dateInterval(p.deceasedDateTime).last >= dateInterval(p.birthDate).first
}

/** The identifier, when given, names the record's own NHS number. */
function identifierIsId(p: { id: string; identifier?: readonly { value: string }[] | undefined }): boolean {
  return p.identifier === undefined || p.identifier.every((i) => i.value === p.id)
}

/** Element ids tell a list's items apart (a patch addresses an item by its id): no two alike in one list. */
function uniqueIds(items: readonly { id?: string | undefined }[]): boolean {
  const ids = items.flatMap((x) => (x.id === undefined ? [] : [x.id]))
  return new Set(ids).size === ids.length
}
const UNIQUE_IDS = { error: 'must not hold two items with the same id' }

const securityLabel = z.strictObject({
  system: z.literal(CONFIDENTIALITY_SYSTEM).optional(),
  code: z.enum(SECURITY_CODES),
  display: shortText.optional(),
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

/** GeneralPractitionerReference.yaml: at most one practice. */
const generalPractitioner = z.strictObject({
  id: elementId.optional(),
  type: z.literal('Organization').optional(),
  identifier: practiceIdentifier,
})

/** ManagingOrganizationReference.yaml. */
const managingOrganization = z.strictObject({
  type: z.literal('Organization').optional(),
  identifier: practiceIdentifier,
})

export const PatientSchema = z
  .strictObject({
    resourceType: z.literal('Patient'),
    id: nhsNumber,
    identifier: z.array(identifier).max(1).optional(),
    meta,
    name: z.array(humanName).min(1).max(L.maxNames).refine(uniqueIds, UNIQUE_IDS).optional(),
    gender: z.enum(GENDERS).optional(),
    birthDate: fhirDate.optional(),
    // MultipleBirthOrder.yaml: 1-7 the order of birth, 8 not applicable, 9 not known.
    multipleBirthInteger: z.int().min(1).max(9).optional(),
    deceasedDateTime: utcDateTime.optional(),
    address: z.array(address).max(L.maxAddresses).refine(uniqueIds, UNIQUE_IDS).optional(),
    telecom: z.array(contactPoint).max(L.maxTelecoms).refine(uniqueIds, UNIQUE_IDS).optional(),
    contact: z.array(contact).max(L.maxContacts).refine(uniqueIds, UNIQUE_IDS).optional(),
    generalPractitioner: z.array(generalPractitioner).max(L.maxGeneralPractitioners).optional(),
    managingOrganization: managingOrganization.optional(),
    extension: patientExtensions.optional(),
  })
  .refine(deathNotBeforeBirth, { error: 'must not be before birthDate', path: ['deceasedDateTime'] })
  .refine(identifierIsId, { error: 'must be the NHS number of the record (its id)', path: ['identifier'] })

/** The parts as types, for code that builds or reads one element. */
export type PatientRecord = z.output<typeof PatientSchema>
export type HumanName = z.output<typeof humanName>
export type Address = z.output<typeof address>
export type ContactPoint = z.output<typeof contactPoint>
export type PatientContact = z.output<typeof contact>
export type GeneralPractitioner = z.output<typeof generalPractitioner>
export type ManagingOrganization = z.output<typeof managingOrganization>
export type PatientExtension = z.output<typeof patientExtensions>[number]
export type PatientIdentifier = z.output<typeof identifier>
export type Meta = z.output<typeof meta>
export type SecurityLabel = z.output<typeof securityLabel>
