/**
 * The load phase: records 0..total-1 written in batches, several batches in flight, with a progress
 * bar (on a terminal) and the load rate. Failed records are counted by error code; the load goes on.
 */
import cliProgress from 'cli-progress'
import { errorCode } from './workload.js'

export interface BatchOutcome {
  stored: number
  errors: ReadonlyArray<{ code: string }>
}

export interface LoadResult {
  records: number
  stored: number
  seconds: number
  recordsPerSec: number
  errors: Record<string, number>
}

export interface LoadOptions {
  total: number
  batchSize: number
  concurrency: number
  /** Write records [from, to). A rejection counts the whole batch as failed with its code. */
  writeBatch(from: number, to: number): Promise<BatchOutcome>
  label: string
  /** Progress bar on stderr (only drawn on a terminal; otherwise one line at the end). */
  progress: boolean
}

export async function loadRecords(o: LoadOptions): Promise<LoadResult> {
  const bar = o.progress && process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: `${o.label} [{bar}] {percentage}% {value}/{total} | {rate} records/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined
  const started = performance.now()
  bar?.start(o.total, 0, { rate: 0 })
  let next = 0
  let done = 0
  let stored = 0
  const errors: Record<string, number> = {}
  const worker = async (): Promise<void> => {
    while (next < o.total) {
      const from = next
      const to = Math.min(o.total, from + o.batchSize)
      next = to
      try {
        const r = await o.writeBatch(from, to)
        stored += r.stored
        for (const e of r.errors) errors[e.code] = (errors[e.code] ?? 0) + 1
      } catch (e) {
        const code = errorCode(e)
        errors[code] = (errors[code] ?? 0) + (to - from)
      }
      done += to - from
      bar?.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000)) })
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, worker))
  bar?.stop()
  const seconds = (performance.now() - started) / 1000
  const result = { records: o.total, stored, seconds, recordsPerSec: stored / seconds, errors }
  if (o.progress) {
    const errs = Object.entries(errors).map(([c, n]) => `${c} ${n}`).join(', ')
    process.stderr.write(`${o.label}: ${stored}/${o.total} records in ${seconds.toFixed(1)} s = ${Math.round(result.recordsPerSec)} records/s${errs ? `, errors: ${errs}` : ''}\n`)
  }
  return result
}

/** A key/value batch: its puts all at once; each failure counted by code. */
export async function putBatch(from: number, to: number, put: (i: number) => Promise<void>): Promise<BatchOutcome> {
  const settled = await Promise.allSettled(Array.from({ length: to - from }, (_, k) => put(from + k)))
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [{ code: errorCode(s.reason) }] : []))
  return { stored: settled.length - errors.length, errors }
}
