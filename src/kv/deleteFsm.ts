/**
 * A delete is a write of a tombstone with the caller's causal context. Without a context the
 * coordinator reads one first (as Riak does), so the tombstone supersedes what the read saw
 * rather than sitting beside it as a sibling. The read and the write share one timeout.
 */
import { SpineError } from '../shared/errors.js'
import type { BKey } from '../core/hash.js'
import { encodeContext } from '../core/objectCodec.js'
import type { KvEnv } from './env.js'
import { kvGet } from './getFsm.js'
import { kvPut, type PutResult } from './putFsm.js'
import { checkTimeout, type DeleteOptions } from './request.js'

export async function kvDelete(env: KvEnv, bk: BKey, opts: DeleteOptions = {}): Promise<PutResult> {
  env.stats.deletes++
  const timeoutMs = checkTimeout(opts.timeoutMs)
  const started = env.clock.now()
  let context = opts.context ?? null
  if (!context || context.byteLength === 0) {
    const read = await kvGet(env, bk, { r: opts.r, pr: opts.pr, timeoutMs, sloppyQuorum: opts.sloppyQuorum })
    context = encodeContext(read.context)
  }
  const remaining = timeoutMs - (env.clock.now() - started)
  if (remaining < 1) throw new SpineError('TIMEOUT', `delete timed out after ${timeoutMs} ms`, { timeoutMs })
  const content = { value: new Uint8Array(0), contentType: 'application/octet-stream', meta: {}, deleted: true }
  return kvPut(env, { bk, content, opts: { ...opts, context, timeoutMs: remaining } })
}
