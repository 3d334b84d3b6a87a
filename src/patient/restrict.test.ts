import t from 'tap'
import { examplePatient } from './examples.js'
import type { Patient, SecurityCode } from './record.js'
import { exposesLocation, readView, searchView, searchable } from './restrict.js'

function labelled(code: SecurityCode | undefined): Patient {
  const p = examplePatient()
  if (code === undefined) delete p.meta.security
  else p.meta.security = [{ code }]
  return p
}

t.test('U and unlabelled records read whole, as copies', async (t) => {
  for (const code of ['U', undefined] as const) {
    const p = labelled(code)
    const v = readView(p)
    if (!v.visible) throw new Error('expected visible')
    t.same(v.patient, p)
    t.not(v.patient, p, 'a copy')
    t.equal(v.restricted, false)
    t.ok(exposesLocation(p))
  }
})

t.test('R never shows address, telecom or GP', async (t) => {
  const p = labelled('R')
  const v = readView(p)
  if (!v.visible) throw new Error('expected visible')
  t.equal(v.restricted, true)
  t.equal(v.patient.address, undefined)
  t.equal(v.patient.telecom, undefined)
  t.equal(v.patient.generalPractitioner, undefined)
  t.same(v.patient.name, p.name, 'names still shown')
  t.equal(v.patient.meta.security?.[0].code, 'R', 'the label itself is shown, so the client knows why')
  t.ok(p.address !== undefined && p.telecom !== undefined, 'the stored record is not modified')
  t.notOk(exposesLocation(p))
  t.notOk(JSON.stringify(v.patient).includes('LS1 6AE'))
})

t.test('REDACTED reads as not found, the same as a missing record', async (t) => {
  const v = readView(labelled('REDACTED'))
  t.equal(v.visible, false)
  if (v.visible) return
  t.equal(v.error.code, 'RESOURCE_NOT_FOUND')
  t.notMatch(v.error.message, /redact|invalid/i, 'nothing tells it apart from a number never stored')
})

t.test('search: restricted records are excluded when the search names a postcode or GP', async (t) => {
  const r = labelled('R')
  t.ok(searchable(r, {}))
  t.notOk(searchable(r, { postalCode: 'LS16AE' }))
  t.notOk(searchable(r, { generalPractitioner: 'Y12345' }))
  t.ok(searchable(labelled('U'), { postalCode: 'LS16AE' }))
  t.notOk(searchable(labelled('REDACTED'), {}))
  const shown = searchView(r, {})
  t.ok(shown.visible && shown.patient.address === undefined)
  t.equal(searchView(r, { postalCode: 'LS16AE' }).visible, false)
})
