/** `spinekv patient get|put|search|merge`: support work on patient records through a node's client port. */
import type { Command } from 'commander'
import { readFileSync } from 'node:fs'
import { PatientApiError, type PatientResult, type PatientSearch } from '../client/patients.js'
import type { Patient } from '../patient/record.js'
import { HOST_HELP, withClient } from './client.js'
import { fail, printJson, table, usage } from './format.js'
import { intArg } from './parse.js'

interface Common {
  host?: string
  json?: boolean
}

/** A record failure: one line with its PDS code, exit 3 for not found (as `kv get`), else 1. */
function patientFail(e: unknown): never {
  if (!(e instanceof PatientApiError)) return fail(e)
  process.stderr.write(`spinekv: ${e.code} (${e.status}): ${e.message}\n`)
  process.exit(e.code === 'RESOURCE_NOT_FOUND' ? 3 : 1)
}

function common(cmd: Command): Command {
  return cmd.option('--host <host:port>', HOST_HELP).option('--json', 'JSON output')
}

export function registerPatient(program: Command): void {
  const patient = program.command('patient').description('read, write and trace patient records (exit 0 ok, 3 not found, 1 failure)')
  common(patient.command('get <nhs>').description('read a record by NHS number (prints its ETag)')).action((nhs: string, o: Common) => get(nhs, o).catch(patientFail))
  common(patient.command('put <file>').description('create a record, or replace one with --if-match; FILE is @path or a path to FHIR JSON'))
    .option('--if-match <etag>', 'the ETag read (W/"n"); without it the record must be new')
    .action((file: string, o: Common & { ifMatch?: string }) => put(file, o).catch(patientFail))
  common(patient.command('search').description('trace patients: birth date always, then family (Sm* wildcard), given, gender, postcode'))
    .requiredOption('--birthdate <date...>', 'yyyy-mm-dd, eqyyyy-mm-dd, or geyyyy-mm-dd and leyyyy-mm-dd for a range')
    .option('--family <name>', 'family name; a trailing * after two letters matches prefixes')
    .option('--given <name...>', 'given name(s)')
    .option('--gender <gender>', 'male, female, other or unknown')
    .option('--postcode <postcode>', "postcode, e.g. 'LS1 6AE'")
    .option('--fuzzy', 'fuzzy match: Soundex of names, names transposed, day and month swapped')
    .option('--history', 'search previous names and addresses too')
    .option('--max <n>', 'most results (1..50)')
    .action((o: Common & SearchFlags) => search(o).catch(patientFail))
  common(patient.command('merge <source> <target>').description('SOURCE becomes an alias of TARGET (two registrations of one patient)')).action(
    (source: string, target: string, o: Common) => merge(source, target, o).catch(patientFail),
  )
}

interface SearchFlags {
  birthdate: string[]
  family?: string
  given?: string[]
  gender?: string
  postcode?: string
  fuzzy?: boolean
  history?: boolean
  max?: string
}

function printRecord(r: PatientResult, o: Common): void {
  if (o.json) return printJson(r)
  process.stdout.write(`ETag: ${r.etag}${r.supersededFrom ? `  (${r.supersededFrom} was superseded by ${r.patient.id})` : ''}\n`)
  process.stdout.write(JSON.stringify(r.patient, null, 2) + '\n')
}

async function get(nhs: string, o: Common): Promise<void> {
  printRecord(await withClient(o, (c) => c.patients.get(nhs)), o)
}

function readRecord(file: string): Patient {
  const path = file.startsWith('@') ? file.slice(1) : file
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    return usage(`cannot read ${path}: ${(e as Error).message}`)
  }
  try {
    return JSON.parse(text) as Patient
  } catch {
    return usage(`${path} is not JSON`)
  }
}

async function put(file: string, o: Common & { ifMatch?: string }): Promise<void> {
  const record = readRecord(file)
  const r = await withClient(o, (c) => (o.ifMatch === undefined ? c.patients.create(record) : c.patients.update(String(record.id), record, { ifMatch: o.ifMatch })))
  printRecord(r, o)
}

function nameOf(p: Patient): string {
  const n = p.name?.find((x) => x.use === 'usual') ?? p.name?.[0]
  return n ? `${(n.given ?? []).join(' ')} ${n.family ?? ''}`.trim() : ''
}

async function search(o: Common & SearchFlags): Promise<void> {
  const q: PatientSearch = {
    birthdate: o.birthdate,
    ...(o.family === undefined ? {} : { family: o.family }),
    ...(o.given === undefined ? {} : { given: o.given }),
    ...(o.gender === undefined ? {} : { gender: o.gender as PatientSearch['gender'] }),
    ...(o.postcode === undefined ? {} : { postcode: o.postcode }),
    ...(o.fuzzy ? { fuzzy: true } : {}),
    ...(o.history ? { history: true } : {}),
    ...(o.max === undefined ? {} : { maxResults: intArg('max', o.max, 1, 50) }),
  }
  const r = await withClient(o, (c) => c.patients.search(q))
  if (o.json) return printJson(r)
  const rows = r.entries.map((e) => [e.score.toFixed(4), e.patient.id, nameOf(e.patient), e.patient.gender ?? '', e.patient.birthDate ?? '', e.patient.address?.[0]?.postalCode ?? ''])
  process.stdout.write(table(['SCORE', 'NHS NUMBER', 'NAME', 'GENDER', 'BORN', 'POSTCODE'], rows) + '\n')
  process.stdout.write(`${r.total} match(es); ${r.stats.indexEntries} index entries read on ${r.stats.nodes} node(s)\n`)
}

async function merge(source: string, target: string, o: Common): Promise<void> {
  printRecord(await withClient(o, (c) => c.patients.merge(source, target)), o)
}
