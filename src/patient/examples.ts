/**
 * A worked example of a valid Patient (~1 KB, the size the validation benchmark used), for tests, docs
 * and the CLI's help. 9434765919 is the NHS number from NHS Digital's own check-digit example, and
 * every contact detail is from a range reserved for fiction (Ofcom's 01632 960xxx, example.com).
 */
import type { Patient } from './record.js'

export function examplePatient(): Patient {
  return {
    resourceType: 'Patient',
    id: '9434765919',
    meta: {
      versionId: '2',
      lastUpdated: '2024-03-01T10:15:00Z',
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'U', display: 'unrestricted' }],
    },
    name: [
      { id: 'n1', use: 'usual', period: { start: '1995-06-10' }, given: ['Jane', 'Anne'], family: 'Smith', prefix: ['Mrs'] },
      { id: 'n2', use: 'maiden', period: { start: '1970-01-01', end: '1995-06-10' }, given: ['Jane', 'Anne'], family: 'Jones' },
    ],
    gender: 'female',
    birthDate: '1970-01-01',
    address: [
      { id: 'a1', use: 'home', period: { start: '2010-05-01' }, line: ['1 Trevelyan Square', 'Boar Lane', 'Leeds', 'West Yorkshire'], postalCode: 'LS1 6AE' },
      { id: 'a2', use: 'old', period: { start: '1995-02-01', end: '2010-05-01' }, line: ['22 Acacia Avenue', 'Headingley', 'Leeds'], postalCode: 'LS6 3AA' },
    ],
    telecom: [
      { id: 't1', system: 'phone', value: '01632 960587', use: 'home' },
      { id: 't2', system: 'email', value: 'jane.smith@example.com', use: 'home' },
    ],
    generalPractitioner: [
      { id: 'g1', type: 'Organization', identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'Y12345', period: { start: '2010-05-01' } } },
    ],
  }
}
