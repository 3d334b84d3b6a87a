/**
 * The Patient record: the subset of the PDS / UK Core FHIR Patient that spinekv stores, in the same
 * JSON shape, so a PDS client can read it without a mapping. The zod schema in schema.ts is checked
 * at compile time to accept exactly these types; validate.ts turns schema failures into PDS errors.
 *
 * Not modelled (yet): extensions (pharmacy, place of birth, death notification status), contact,
 * communication, multipleBirth, managingOrganization, and address keys (UPRN/PAF). A body carrying
 * them fails with ADDITIONAL_PROPERTIES rather than being stored unchecked.
 */

export const NAME_USES = ['usual', 'official', 'temp', 'nickname', 'old', 'maiden'] as const
export const GENDERS = ['male', 'female', 'other', 'unknown'] as const
/** U unrestricted; R restricted (no address, telecom or GP is ever shown); REDACTED invalidated (reads as not found). */
export const SECURITY_CODES = ['U', 'R', 'REDACTED'] as const
export const ADDRESS_USES = ['home', 'work', 'temp', 'old', 'billing'] as const
export const TELECOM_SYSTEMS = ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'] as const
export const TELECOM_USES = ['home', 'work', 'temp', 'old', 'mobile'] as const

export type NameUse = (typeof NAME_USES)[number]
export type Gender = (typeof GENDERS)[number]
export type SecurityCode = (typeof SECURITY_CODES)[number]
export type AddressUse = (typeof ADDRESS_USES)[number]
export type TelecomSystem = (typeof TELECOM_SYSTEMS)[number]
export type TelecomUse = (typeof TELECOM_USES)[number]

export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality'
export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code'

/** When an element applied: FHIR dates (yyyy, yyyy-mm or yyyy-mm-dd); end not before start. */
export interface Period {
  start?: string
  end?: string
}

export interface HumanName {
  /** FHIR element id; PDS gives each name one so a patch can address it safely. */
  id?: string
  use: NameUse
  period?: Period
  /** At most PATIENT_LIMITS.maxGivenNames; first name first. */
  given?: string[]
  /** At most PATIENT_LIMITS.maxFamilyLength characters. */
  family: string
  prefix?: string[]
  suffix?: string[]
}

export interface Address {
  id?: string
  use?: AddressUse
  period?: Period
  /** Up to five unstructured lines: premises, street, locality, town, county. */
  line?: string[]
  /** A UK postcode or ONS pseudo postcode; validation stores it as "LS1 6AE". */
  postalCode?: string
}

export interface ContactPoint {
  id?: string
  system: TelecomSystem
  value: string
  use?: TelecomUse
  period?: Period
}

export interface GeneralPractitioner {
  id?: string
  type?: 'Organization'
  identifier: {
    system?: typeof ODS_SYSTEM
    /** ODS code of the GP practice: a letter and five digits, e.g. Y12345. */
    value: string
    period?: Period
  }
}

export interface SecurityLabel {
  system?: typeof CONFIDENTIALITY_SYSTEM
  code: SecurityCode
  display?: string
}

export interface Meta {
  /** The record's version: a positive integer as a string, as FHIR has it; the ETag is W/"versionId". */
  versionId: string
  /** FHIR instant of the last change; set by the server, used as the merge's tie-break. */
  lastUpdated?: string
  /** One label; absent means U. */
  security?: [SecurityLabel]
}

export interface Patient {
  resourceType: 'Patient'
  /** The NHS number: ten digits with a valid check digit. */
  id: string
  meta: Meta
  /** At least one name. */
  name: HumanName[]
  gender?: Gender
  /** yyyy, yyyy-mm or yyyy-mm-dd; a real date, not in the future. */
  birthDate?: string
  /** FHIR dateTime; not in the future and not before birthDate. */
  deceasedDateTime?: string
  address?: Address[]
  telecom?: ContactPoint[]
  generalPractitioner?: GeneralPractitioner[]
}

/** The record's security code; a record with no label is unrestricted. */
export function securityCodeOf(p: Patient): SecurityCode {
  return p.meta.security?.[0].code ?? 'U'
}

/** The version as a number (validation guarantees a safe positive integer). */
export function versionOf(p: Patient): number {
  return Number(p.meta.versionId)
}
