/** `spinekv load`: a synthetic population into a running cluster, in batches, with a progress bar. */
import type { Command } from 'commander'
import { SingleBar, Presets } from 'cli-progress'
import { connect } from '../client/client.js'
import { PATIENT } from '../config.js'
import { syntheticCapacity, syntheticPatient } from '../patient/synthetic.js'
import { hostOf, HOST_HELP } from './client.js'
import { fail, printJson, usage } from './format.js'
import { intArg } from './parse.js'

interface LoadFlags {
  records: string
  seed: string
  start?: string
  batch?: string
  parallel?: string
  host?: string
  json?: boolean
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description('load N synthetic patients (test-range NHS numbers, deterministic for a seed) into a running cluster')
    .requiredOption('--records <n>', 'how many records')
    .option('--seed <s>', 'population seed', '1')
    .option('--start <i>', 'index of the first record (to extend a population)', '0')
    .option('--batch <n>', `records per request (1..${PATIENT.maxLoadBatch})`, '200')
    .option('--parallel <n>', 'requests in flight', '4')
    .option('--host <host:port>', HOST_HELP)
    .option('--json', 'print the summary as JSON')
    .action((o: LoadFlags) => load(o).catch(fail))
}

export interface LoadSummary {
  records: number
  stored: number
  errors: number
  seconds: number
  recordsPerSecond: number
  firstErrors: { index: number; code: string; message: string }[]
}

async function load(o: LoadFlags): Promise<void> {
  const total = intArg('records', o.records, 1, 100_000_000)!
  const seed = intArg('seed', o.seed, 0, 2 ** 31 - 1)!
  const start = intArg('start', o.start, 0, 100_000_000)!
  const batch = intArg('batch', o.batch, 1, PATIENT.maxLoadBatch)!
  const parallel = intArg('parallel', o.parallel, 1, 64)!
  if (start + total > syntheticCapacity()) {
    usage(`--start + --records must be at most ${syntheticCapacity()}: the NHS test range 999 000 0000-999 999 9999 has that many valid numbers`)
  }
  // Every member takes batches (the client spreads them), so the load is not one node's bottleneck.
  const kv = await connect({ seeds: [hostOf(o)] })
  const bar = o.json || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'load [{bar}] {value}/{total} {rate} rec/s eta {eta_formatted}', hideCursor: true }, Presets.shades_classic)
  const began = performance.now()
  let stored = 0
  let next = 0
  const errors: LoadSummary['firstErrors'] = []
  let errorCount = 0
  bar?.start(total, 0, { rate: 0 })
  const worker = async (): Promise<void> => {
    while (next < total) {
      const from = next
      next = Math.min(total, next + batch)
      const records = Array.from({ length: next - from }, (_, k) => syntheticPatient(start + from + k, { seed }))
      const r = await kv.patients.loadBatch(records)
      stored += r.stored
      errorCount += r.errors.length
      for (const e of r.errors) if (errors.length < 10) errors.push({ ...e, index: start + from + e.index })
      const done = stored + errorCount
      bar?.update(done, { rate: Math.round(done / ((performance.now() - began) / 1000)) })
    }
  }
  try {
    await Promise.all(Array.from({ length: parallel }, worker))
  } finally {
    bar?.stop()
    await kv.close()
  }
  const seconds = (performance.now() - began) / 1000
  const summary: LoadSummary = { records: total, stored, errors: errorCount, seconds: Math.round(seconds * 10) / 10, recordsPerSecond: Math.round(stored / seconds), firstErrors: errors }
  if (o.json) printJson(summary)
  else process.stdout.write(`loaded ${stored} of ${total} records in ${summary.seconds} s (${summary.recordsPerSecond} records/s), ${errorCount} error(s)\n`)
  for (const e of o.json ? [] : errors) process.stderr.write(`  record ${e.index}: ${e.code}: ${e.message}\n`)
  if (errorCount > 0) process.exit(1)
}
