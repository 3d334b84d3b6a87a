/**
 * The client protocol's batched put (`putMany`): many keys of any buckets in one request, each
 * a full quorum write (src/kv/putMany.ts), answered per item as DynamoDB's BatchWriteItem is, so
 * one bad item never fails its neighbours. For bulk imports; interactive writes use `put`.
 */
import { SpineError, toSpineError } from '../shared/errors.js'
import { KV } from '../config.js'
import { checkContext, parseForward, parseWriteOptions, type PutRequest } from '../kv/forward.js'
import type { KvEnv } from '../kv/env.js'
import { batchReport, kvPutMany, type BatchItemError } from '../kv/putMany.js'

export interface PutManyReply {
  stored: number
  /** The items that failed, by their index in the request, in order. */
  errors: BatchItemError[]
}

export async function putManyOp(env: KvEnv, body: Record<string, unknown>): Promise<PutManyReply> {
  const items = body.items
  if (!Array.isArray(items) || items.length > KV.maxBatchItems) {
    throw new SpineError('INVALID_ARGUMENT', `items must be a list of at most ${KV.maxBatchItems}`, { field: 'items', max: KV.maxBatchItems })
  }
  // One set of options for the batch: a per-item context would still go in the item.
  const opts = parseWriteOptions(body.opts)
  const errors: BatchItemError[] = []
  const writes: Array<{ index: number; req: PutRequest }> = []
  items.forEach((item: unknown, index) => {
    try {
      const req = parseForward(item)
      const context = checkContext((item as { context?: unknown }).context)
      writes.push({ index, req: { ...req, opts: { ...opts, context, returnBody: false } } })
    } catch (e) {
      const err = toSpineError(e)
      errors.push({ index, code: err.code, message: err.message })
    }
  })
  const outcomes = await kvPutMany(env, writes.map((w) => w.req))
  return batchReport(writes.map((w) => w.index), outcomes, errors)
}
