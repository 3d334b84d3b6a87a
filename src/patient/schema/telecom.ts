/**
 * ContactPoint.yaml (telecom) and Contact.yaml (emergency contacts). A telecom of system `other` may
 * carry the OtherContactSystem extension (textphone). Emails: PDS requires a valid address of more than
 * 6 and fewer than 90 characters (patient-patch.yaml, Telecom).
 */
import * as z from 'zod'
import { PATIENT_LIMITS as L } from '../limits.js'
import { CODE_SYSTEMS, EXT, TELECOM_SYSTEMS, TELECOM_USES } from '../codes.js'
import { elementId, period, shortText, text } from './common.js'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
/** UK and international numbers as people write them: digits, spaces, brackets, hyphens, a leading +. */
const PHONE = /^\+?[0-9][0-9 ()-]{4,30}$/

/** The value checks that depend on the system, shared by telecom and contact telecom. */
function checkValue(c: { system: string; value: string }, ctx: z.RefinementCtx): void {
  if (c.system === 'email' && (!EMAIL.test(c.value) || c.value.length <= 6 || c.value.length >= 90)) {
    ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be an email address of 7 to 89 characters', input: c.value })
  }
  if ((c.system === 'phone' || c.system === 'fax') && !PHONE.test(c.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be a telephone number', input: c.value })
}

const otherContactSystem = z.strictObject({
  url: z.literal(EXT.otherContactSystem),
  valueCoding: z.strictObject({ system: z.literal(CODE_SYSTEMS.otherContactSystem).optional(), code: z.literal('textphone'), display: shortText.optional() }),
})

export const contactPoint = z
  .strictObject({
    id: elementId.optional(),
    period: period.optional(),
    system: z.enum(TELECOM_SYSTEMS),
    value: text(L.maxTelecomValueLength),
    use: z.enum(TELECOM_USES).optional(),
    extension: z.tuple([otherContactSystem]).optional(),
  })
  .superRefine(checkValue)

/** A contact's telecom "only contains system and value"; never fax (patient-patch.yaml, Emergency contact). */
const contactTelecom = z
  .strictObject({ system: z.enum(['phone', 'email', 'other']), value: text(L.maxTelecomValueLength) })
  .superRefine(checkValue)

const emergencyContact = z.strictObject({
  system: z.literal(CODE_SYSTEMS.contactRelationship).optional(),
  code: z.literal('C'),
  display: shortText.optional(),
})

/** Contact.yaml: relationship (exactly one, C Emergency Contact) and telecom are required. */
export const contact = z.strictObject({
  id: elementId.optional(),
  period: period.optional(),
  relationship: z.tuple([z.strictObject({ coding: z.tuple([emergencyContact]) })]),
  telecom: z.array(contactTelecom).min(1).max(L.maxContactTelecoms),
})
