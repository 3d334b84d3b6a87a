/**
 * Address.yaml: use required; five lines at most; a UK postcode; `text` (the description a temp
 * address carries); address keys as extensions — at most one PAF key (8 digits) and one UPRN (1-12 digits).
 */
import * as z from 'zod'
import { PATIENT_LIMITS as L } from '../limits.js'
import { ADDRESS_USES, CODE_SYSTEMS, EXT, TEMP_ADDRESS_TEXTS } from '../codes.js'
import { formatPostcode, isValidPostcode } from '../postcode.js'
import { elementId, period, text } from './common.js'

/** Accepted in any case and spacing; stored in the display form "LS1 6AE" so every copy reads the same. */
const postalCode = z
  .string()
  .max(10)
  .refine(isValidPostcode, { error: 'must be a UK postcode (or an ONS pseudo postcode such as ZZ99 3VZ)' })
  .transform((s) => formatPostcode(s) ?? s)

/** PAFAddressKey.yaml / UPRNAddressKey.yaml: [{ url: type, valueCoding }, { url: value, valueString }]. */
function addressKey<K extends 'PAF' | 'UPRN'>(kind: K, value: RegExp, shape: string) {
  return z.strictObject({
    url: z.literal(EXT.addressKey),
    extension: z.tuple([
      z.strictObject({ url: z.literal('type'), valueCoding: z.strictObject({ system: z.literal(CODE_SYSTEMS.addressKeyType), code: z.literal(kind) }) }),
      z.strictObject({ url: z.literal('value'), valueString: z.string().regex(value, { error: `must be ${shape}` }) }),
    ]),
  })
}

const pafKey = addressKey('PAF', /^[0-9]{8}$/, 'a PAF key: 8 digits')
const uprnKey = addressKey('UPRN', /^[0-9]{1,12}$/, 'a UPRN: 1-12 digits')

/** Which key an item is, read from its type coding (undefined when malformed: the schema reports that). */
function keyKind(x: unknown): unknown {
  const ext = (x as { extension?: unknown[] } | null)?.extension
  return Array.isArray(ext) ? (ext[0] as { valueCoding?: { code?: unknown } } | undefined)?.valueCoding?.code : undefined
}

const addressKeys = z
  .array(z.union([pafKey, uprnKey]))
  .max(2)
  .refine((keys) => new Set(keys.map(keyKind)).size === keys.length, { error: 'must hold at most one PAF key and one UPRN' })

export const address = z.strictObject({
  id: elementId.optional(),
  period: period.optional(),
  use: z.enum(ADDRESS_USES),
  text: z.enum(TEMP_ADDRESS_TEXTS).optional(),
  line: z.array(text(L.maxAddressLineLength)).max(L.maxAddressLines).optional(),
  postalCode: postalCode.optional(),
  extension: addressKeys.optional(),
})
