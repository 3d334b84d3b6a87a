/**
 * The zod schema of a stored Patient (zod 4; see docs/decisions.md for why zod). The schema is split by
 * part under schema/ (common datatypes, names, addresses, telecom and contacts, extensions, identifier)
 * and assembled in schema/patient.ts; this module is the one the rest of the code imports.
 */
export { PatientSchema } from './schema/patient.js'
