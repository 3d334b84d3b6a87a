/** Argument checks every backend applies, so both refuse the same bad input with the same error. */
import { SpineError } from '../shared/errors.js'
import type { FoldOptions } from './backend.js'

/** Partitions are stored as 4 big-endian bytes. */
export const MAX_PARTITION = 0xffff_ffff

export function checkPartition(partition: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition > MAX_PARTITION) {
    throw new SpineError('INVALID_ARGUMENT', `partition must be an integer in 0..${MAX_PARTITION}`, { partition })
  }
}

export function checkBytes(name: string, bytes: unknown): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new SpineError('INVALID_ARGUMENT', `${name} must be a Uint8Array`)
  }
}

export function checkFoldOptions(opts: FoldOptions): void {
  if (opts.after !== undefined) checkBytes('after', opts.after)
  if (opts.before !== undefined) checkBytes('before', opts.before)
  const { limit } = opts
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new SpineError('INVALID_ARGUMENT', 'fold limit must be a non-negative integer', { limit })
  }
}
