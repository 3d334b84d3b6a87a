/**
 * The Patient's extensions (Patient.yaml `extension`, schemas/extensions/*.yaml): pharmacies (nominated,
 * preferred dispenser, appliance supplier), death notification status, NHS communication, contact
 * preference, place of birth and removal from registration. Each is told apart by its url (a
 * discriminated union: one lookup, not a trial of every shape), and a record holds at most one of each.
 */
import * as z from 'zod'
import { PATIENT_LIMITS as L } from '../limits.js'
import {
  CODE_SYSTEMS,
  CONTACT_METHOD_CODES,
  DEATH_NOTIFICATION_CODES,
  EXT,
  ODS_SYSTEM,
  REMOVAL_REASON_CODES,
  WRITTEN_FORMAT_CODES,
} from '../codes.js'
import { coding, concept, dateTimePeriod, fhirDateTime, period, pharmacyCode, shortText, text } from './common.js'

/** Sub-extensions (a url each) told apart by url, each at most once, `required` ones present. */
function subExtensions<T extends readonly [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]]>(
  items: T,
  bounds: { min: number; max: number; required?: string },
) {
  return z
    .array(z.discriminatedUnion('url', items))
    .min(bounds.min)
    .max(bounds.max)
    .superRefine((xs, ctx) => {
      const urls = xs.map((x) => (x as { url: string }).url)
      if (new Set(urls).size !== urls.length) ctx.addIssue({ code: 'custom', message: 'must not repeat a sub-extension url', input: urls })
      if (bounds.required !== undefined && !urls.includes(bounds.required)) ctx.addIssue({ code: 'custom', message: `must include the '${bounds.required}' sub-extension`, input: urls })
    })
}

/** A pharmacy by ODS code (NominatedPharmacy.yaml, DispensingDoctor.yaml, MedicalApplianceSupplier.yaml). */
function pharmacy<U extends string>(url: U) {
  return z.strictObject({
    url: z.literal(url),
    valueReference: z.strictObject({
      identifier: z.strictObject({ system: z.literal(ODS_SYSTEM).optional(), value: pharmacyCode, period: period.optional() }),
    }),
  })
}

const deathNotificationStatus = z.strictObject({
  url: z.literal(EXT.deathNotificationStatus),
  extension: subExtensions(
    [
      z.strictObject({
        url: z.literal('deathNotificationStatus'),
        valueCodeableConcept: concept(coding(CODE_SYSTEMS.deathNotificationStatus, DEATH_NOTIFICATION_CODES, { systemRequired: true })),
      }),
      z.strictObject({ url: z.literal('systemEffectiveDate'), valueDateTime: fhirDateTime }),
    ],
    { min: 1, max: 2, required: 'deathNotificationStatus' },
  ),
})

/** Language.yaml: ISO 639-1 codes plus q1-q5 (Braille, sign languages, Makaton); lower case letters and digits. */
const languageCoding = z.strictObject({
  system: z.literal(CODE_SYSTEMS.humanLanguage).optional(),
  version: shortText.optional(),
  code: z.string().regex(/^[a-z]{2,3}(?:-[A-Za-z]{2,8})?$|^q[1-5]$/, { error: 'must be a language code such as fr, or q1-q5' }),
  display: shortText.optional(),
})

const nhsCommunication = z.strictObject({
  url: z.literal(EXT.nhsCommunication),
  extension: subExtensions(
    [
      z.strictObject({ url: z.literal('language'), valueCodeableConcept: concept(languageCoding) }),
      z.strictObject({ url: z.literal('interpreterRequired'), valueBoolean: z.boolean() }),
    ],
    { min: 1, max: 2, required: 'language' },
  ),
})

const contactPreference = z.strictObject({
  url: z.literal(EXT.contactPreference),
  extension: subExtensions(
    [
      z.strictObject({
        url: z.literal('PreferredWrittenCommunicationFormat'),
        valueCodeableConcept: concept(coding(CODE_SYSTEMS.preferredWrittenCommunicationFormat, WRITTEN_FORMAT_CODES)),
      }),
      z.strictObject({ url: z.literal('PreferredContactMethod'), valueCodeableConcept: concept(coding(CODE_SYSTEMS.preferredContactMethod, CONTACT_METHOD_CODES)) }),
      // "preferred contact time is a free-text field limited to 40 characters"
      z.strictObject({ url: z.literal('PreferredContactTimes'), valueString: text(L.maxContactTimesLength) }),
    ],
    { min: 1, max: 3 },
  ).refine((xs) => !xs.some((x) => x.url === 'PreferredContactTimes') || xs.some((x) => x.url === 'PreferredContactMethod'), {
    error: 'a PreferredContactTimes needs a PreferredContactMethod',
  }),
})

/** BirthPlace.yaml: city, district, country (ISO 3166-1 alpha-3, or a UK internal code 1-10), at least one. */
const birthPlace = z.strictObject({
  url: z.literal(EXT.birthPlace),
  valueAddress: z
    .strictObject({
      city: text(L.maxAddressLineLength).optional(),
      district: text(L.maxAddressLineLength).optional(),
      country: z.string().regex(/^(?:[A-Z]{3}|[1-9]|10)$/, { error: 'must be an ISO 3166-1 alpha-3 code or a UK internal code (1-10)' }).optional(),
    })
    .refine((a) => a.city !== undefined || a.district !== undefined || a.country !== undefined, { error: 'must give a city, district or country' }),
})

/** RemovalFromRegistration.yaml (read only: set by PDS, returned as stored). */
const removalFromRegistration = z.strictObject({
  url: z.literal(EXT.removalFromRegistration),
  extension: subExtensions(
    [
      z.strictObject({
        url: z.literal('removalFromRegistrationCode'),
        valueCodeableConcept: z.strictObject({
          coding: z.tuple([z.strictObject({ system: z.literal(CODE_SYSTEMS.removalReasonExitCode), code: z.enum(REMOVAL_REASON_CODES), display: shortText })]),
        }),
      }),
      z.strictObject({ url: z.literal('effectiveTime'), valuePeriod: dateTimePeriod }),
    ],
    { min: 1, max: 2 },
  ),
})

export const patientExtension = z.discriminatedUnion('url', [
  pharmacy(EXT.nominatedPharmacy),
  pharmacy(EXT.preferredDispenserOrganization),
  pharmacy(EXT.medicalApplianceSupplier),
  deathNotificationStatus,
  nhsCommunication,
  contactPreference,
  birthPlace,
  removalFromRegistration,
])

/** "zero or one of each": eight kinds, so at most eight. */
export const patientExtensions = z
  .array(patientExtension)
  .max(8)
  .refine((xs) => new Set(xs.map((x) => x.url)).size === xs.length, { error: 'must hold at most one extension of each url' })
