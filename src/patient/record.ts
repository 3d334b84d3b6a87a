/**
 * The Patient record: the PDS FHIR Patient (NHSDigital/personal-demographics-service-api,
 * specification/components/schemas/Patient.yaml) in the same JSON shape, so a PDS client can read it
 * without a mapping. The types are the zod schema's own output (schema/patient.ts): with some forty
 * nested element types, deriving them means the schema and the types cannot drift apart, where
 * hand-written interfaces needed a compile-time check to stay in step. validate.ts turns schema
 * failures into PDS errors; the code systems and extension URLs are in codes.ts.
 */
import type { PatientRecord } from './schema/patient.js'
import type { GENDERS, NAME_USES, SECURITY_CODES, ADDRESS_USES, TELECOM_SYSTEMS, TELECOM_USES } from './codes.js'

export {
  ADDRESS_USES,
  CONFIDENTIALITY_SYSTEM,
  EXT,
  GENDERS,
  NAME_USES,
  NHS_NUMBER_SYSTEM,
  ODS_SYSTEM,
  SECURITY_CODES,
  TELECOM_SYSTEMS,
  TELECOM_USES,
} from './codes.js'
export type {
  Address,
  ContactPoint,
  GeneralPractitioner,
  HumanName,
  ManagingOrganization,
  Meta,
  PatientContact,
  PatientExtension,
  PatientIdentifier,
  SecurityLabel,
} from './schema/patient.js'

export type NameUse = (typeof NAME_USES)[number]
export type Gender = (typeof GENDERS)[number]
export type SecurityCode = (typeof SECURITY_CODES)[number]
export type AddressUse = (typeof ADDRESS_USES)[number]
export type TelecomSystem = (typeof TELECOM_SYSTEMS)[number]
export type TelecomUse = (typeof TELECOM_USES)[number]

/** When an element applied: FHIR dates; start required once a period is given; end not before start. */
export interface Period {
  start: string
  end?: string | undefined
}

/** A stored Patient: `id` is the NHS number, `meta.versionId` its version; every other element optional, as in PDS. */
export type Patient = PatientRecord

/** The record's security code; a record with no label is unrestricted. */
export function securityCodeOf(p: Patient): SecurityCode {
  return p.meta.security?.[0].code ?? 'U'
}

/** The version as a number (validation guarantees a safe positive integer). */
export function versionOf(p: Patient): number {
  return Number(p.meta.versionId)
}
