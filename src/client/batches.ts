/**
 * Batched writes sent as requests that fit a frame. A putMany is cut by count (KV.maxBatchItems)
 * and by an estimate of its bytes (CLIENT.maxBatchBytes); a part whose frame this process still
 * refuses to send (FRAME_TOO_LARGE before anything left, neverSent) is halved and sent again —
 * never a part the node may have written, since a blind write sent twice is two siblings. One
 * item that alone does not fit fails with FRAME_TOO_LARGE, as a single put would.
 */
import { neverSent } from '../net/connection.js'

/** What a batched write answers: items stored, and the failures by their index in the request. */
export interface BatchReport {
  readonly stored: number
  readonly errors: ReadonlyArray<{ index: number; code: string; message: string }>
}

export { cutByBytes } from '../core/cutByBytes.js'

/** Send the parts one after another (a bulk load's back-pressure), halving any whose frame was too large to send; one report, indexes as in `items`. */
export async function sendInParts<T>(parts: ReadonlyArray<readonly T[]>, send: (part: readonly T[]) => Promise<BatchReport>): Promise<BatchReport> {
  let stored = 0
  const errors: Array<{ index: number; code: string; message: string }> = []
  let offset = 0
  const one = async (part: readonly T[], at: number): Promise<void> => {
    let r: BatchReport
    try {
      r = await send(part)
    } catch (e) {
      if (!neverSent(e) || part.length < 2) throw e
      const half = Math.ceil(part.length / 2)
      await one(part.slice(0, half), at)
      await one(part.slice(half), at + half)
      return
    }
    stored += r.stored
    for (const err of r.errors) errors.push({ ...err, index: err.index + at })
  }
  for (const part of parts) {
    await one(part, offset)
    offset += part.length
  }
  return { stored, errors }
}
