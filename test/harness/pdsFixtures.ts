/**
 * The PDS specification's own examples (test/fixtures/pds/, copied from
 * NHSDigital/personal-demographics-service-api; see the README there for source, commit and licence).
 */
import { readFileSync } from 'node:fs'

const DIR = new URL('../fixtures/pds/', import.meta.url)

/** A fixture as parsed JSON, fresh on every call (tests may change it). */
export function pdsFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as unknown
}

/** The example Patients: the full one (9000000009), the minimal one (9000000033) and the restricted one (9000000025). */
export const PDS_PATIENTS = ['Patient.json', 'Minimal_Patient.json', 'Sensitive_Patient.json'] as const

export const PDS_PATCHES = [
  'add-deceased-date-time',
  'add-extension',
  'add-name',
  'delete-extension',
  'delete-gender',
  'delete-name-alternative',
  'delete-name',
  'update-address-alternative',
  'update-address',
  'update-extension',
  'update-gender',
] as const

export interface PdsErrorCase {
  name: string
  source: string
  record: 'Patient' | 'Minimal'
  contentType?: string
  body: unknown
  status: number
  code: string
  diagnostics?: string
}

export function pdsErrorCases(): PdsErrorCase[] {
  return (pdsFixture('errors/cases.json') as { cases: PdsErrorCase[] }).cases
}
