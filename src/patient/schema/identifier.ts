/**
 * Identifier.yaml: at most one identifier, the NHS number, with the NHSNumberVerificationStatus
 * extension. Its value must be the record's id (checked in patient.ts, where both are known).
 */
import * as z from 'zod'
import { CODE_SYSTEMS, EXT, NHS_NUMBER_SYSTEM, NHS_NUMBER_VERIFICATION_CODES } from '../codes.js'
import { isValidNhsNumber } from '../nhsNumber.js'
import { coding, concept } from './common.js'

export const nhsNumber = z.string().refine(isValidNhsNumber, { error: 'must be a valid NHS number: ten digits with a modulus-11 check digit' })

const verificationStatus = z.strictObject({
  url: z.literal(EXT.nhsNumberVerificationStatus),
  valueCodeableConcept: concept(coding(CODE_SYSTEMS.nhsNumberVerificationStatus, NHS_NUMBER_VERIFICATION_CODES)),
})

export const identifier = z.strictObject({
  system: z.literal(NHS_NUMBER_SYSTEM).optional(),
  value: nhsNumber,
  extension: z.array(verificationStatus).max(1).optional(),
})
