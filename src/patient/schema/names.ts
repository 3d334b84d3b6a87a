/** HumanName.yaml: use and family required; at most five given names of 35 characters; element id set by the server. */
import * as z from 'zod'
import { PATIENT_LIMITS as L } from '../limits.js'
import { NAME_USES } from '../codes.js'
import { elementId, period, text } from './common.js'

const namePart = text(L.maxNamePartLength)

export const humanName = z.strictObject({
  id: elementId.optional(),
  use: z.enum(NAME_USES),
  period: period.optional(),
  given: z.array(namePart).max(L.maxGivenNames).optional(),
  family: text(L.maxFamilyLength),
  prefix: z.array(namePart).max(L.maxNameAffixes).optional(),
  suffix: z.array(namePart).max(L.maxNameAffixes).optional(),
})
