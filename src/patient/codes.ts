/**
 * The code systems, value sets and extension URLs of the PDS Patient, as the specification
 * (NHSDigital/personal-demographics-service-api, specification/components/schemas/) defines them.
 * One place, so the schema, the update rules and the docs cannot disagree on a URL.
 */

/** HumanName.yaml: usual, temp, nickname, old, maiden ('official' and 'anonymous' "should not be used"). */
export const NAME_USES = ['usual', 'temp', 'nickname', 'old', 'maiden'] as const
export const GENDERS = ['male', 'female', 'other', 'unknown'] as const
/** Meta.yaml: U unrestricted, R restricted, V very restricted, REDACTED invalidated. */
export const SECURITY_CODES = ['U', 'R', 'V', 'REDACTED'] as const
/**
 * Address.yaml has home, work, temp, billing. 'old' is not PDS's (PDS marks a past address with
 * period.end) but is kept: spinekv's synthetic population and search history scoring use it, and a
 * record holding it must still validate. docs/api.md lists it as a deviation.
 */
export const ADDRESS_USES = ['home', 'work', 'temp', 'billing', 'old'] as const
/** Address.yaml `text`: the descriptions a temp address may carry (PDS may return others for legacy data). */
export const TEMP_ADDRESS_TEXTS = [
  'Second Home',
  'Student Accommodation',
  'Respite Care Address',
  'Temporary Residence Address',
  'Convalescence Home',
  'Mobile Home',
  'Holiday Home',
] as const
/** ContactPoint.yaml. */
export const TELECOM_SYSTEMS = ['phone', 'fax', 'email', 'other'] as const
export const TELECOM_USES = ['home', 'work', 'temp', 'mobile'] as const

export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality'
export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code'
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number'

const UKCORE_SD = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-'
const UKCORE_CS = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-'

export const EXT = {
  nhsNumberVerificationStatus: `${UKCORE_SD}NHSNumberVerificationStatus`,
  nominatedPharmacy: `${UKCORE_SD}NominatedPharmacy`,
  preferredDispenserOrganization: `${UKCORE_SD}PreferredDispenserOrganization`,
  medicalApplianceSupplier: `${UKCORE_SD}MedicalApplianceSupplier`,
  deathNotificationStatus: `${UKCORE_SD}DeathNotificationStatus`,
  nhsCommunication: `${UKCORE_SD}NHSCommunication`,
  contactPreference: `${UKCORE_SD}ContactPreference`,
  birthPlace: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
  removalFromRegistration: 'https://fhir.nhs.uk/StructureDefinition/Extension-PDS-RemovalFromRegistration',
  addressKey: `${UKCORE_SD}AddressKey`,
  otherContactSystem: `${UKCORE_SD}OtherContactSystem`,
} as const

export const CODE_SYSTEMS = {
  nhsNumberVerificationStatus: `${UKCORE_CS}NHSNumberVerificationStatus`,
  deathNotificationStatus: `${UKCORE_CS}DeathNotificationStatus`,
  humanLanguage: `${UKCORE_CS}HumanLanguage`,
  preferredWrittenCommunicationFormat: `${UKCORE_CS}PreferredWrittenCommunicationFormat`,
  preferredContactMethod: `${UKCORE_CS}PreferredContactMethod`,
  addressKeyType: `${UKCORE_CS}AddressKeyType`,
  otherContactSystem: `${UKCORE_CS}OtherContactSystem`,
  removalReasonExitCode: 'https://fhir.nhs.uk/CodeSystem/PDS-RemovalReasonExitCode',
  contactRelationship: 'http://terminology.hl7.org/CodeSystem/v2-0131',
} as const

/** NHS number verification status (UKCore-NHSNumberVerificationStatus): 01-08. */
export const NHS_NUMBER_VERIFICATION_CODES = ['01', '02', '03', '04', '05', '06', '07', '08'] as const
/** DeathNotificationStatus.yaml: 1 informal, 2 formal, U removed. */
export const DEATH_NOTIFICATION_CODES = ['1', '2', 'U'] as const
/** RemovalReasonExitCode.yaml. */
export const REMOVAL_REASON_CODES = ['DEA', 'EMB', 'SCT', 'NIT', 'TRA', 'ORR'] as const
/** ContactPreference.yaml: 11 large print, 12 Braille, 13 audio tape. */
export const WRITTEN_FORMAT_CODES = ['11', '12', '13'] as const
/** ContactPreference.yaml: 1 letter ... 8 no telephone contact. */
export const CONTACT_METHOD_CODES = ['1', '2', '3', '4', '5', '6', '7', '8'] as const
/** The top-level lists of a Patient whose items a patch addresses by index, and what identifies an item. */
export const PATIENT_LISTS = ['name', 'address', 'telecom', 'contact', 'generalPractitioner', 'extension', 'identifier'] as const
