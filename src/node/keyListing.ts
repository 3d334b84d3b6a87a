/**
 * One page of a key or bucket listing from one vnode's stored objects (Riak's list keys and list
 * buckets folds). Storage keys are length-prefixed (type, bucket, key), so one bucket's keys lie
 * in one contiguous range of a partition: a listing reads that range only, a page at a time, and
 * says where the next page starts. Tombstones are not listed: a deleted key is gone to a reader.
 */
import { decodeBKey, partitionOf } from '../core/hash.js'
import { decodeObject } from '../core/objectCodec.js'
import type { Backend } from '../storage/backend.js'
import type { ListingPage, ListingRequest } from '../kv/listingPage.js'

export function lengthPrefixed(...fields: string[]): Buffer {
  return Buffer.concat(fields.flatMap((f) => {
    const b = Buffer.from(f, 'utf8')
    const len = Buffer.allocUnsafe(2)
    len.writeUInt16BE(b.length, 0)
    return [len, b]
  }))
}

/** Past every storage key under `prefix`: the next field's length can never be 0xffff (keys are far shorter). */
export function rangeEnd(prefix: Buffer): Buffer {
  return Buffer.concat([prefix, Buffer.from([0xff, 0xff])])
}

export function isLive(raw: Uint8Array): boolean {
  try {
    return decodeObject(raw).siblings.some((s) => !s.deleted)
  } catch {
    // An undecodable copy is not a key anyone can read; anti-entropy owns repairing it.
    return false
  }
}

function later(a: Uint8Array | null, b: Buffer): Uint8Array {
  return a !== null && Buffer.compare(a, b) > 0 ? a : b
}

export async function listPage(backend: Backend, q: number, req: ListingRequest): Promise<ListingPage> {
  return req.bucket === null ? bucketsPage(backend, req) : keysPage(backend, q, req, req.bucket)
}

async function keysPage(backend: Backend, q: number, req: ListingRequest, bucket: string): Promise<ListingPage> {
  const prefix = lengthPrefixed(req.type, bucket)
  const parts = req.parts === null ? null : new Set(req.parts)
  const items: string[] = []
  let read = 0
  let last: Uint8Array | null = null
  for await (const [key, raw] of backend.fold(req.p, { after: later(req.after, prefix), before: rangeEnd(prefix), limit: req.limit })) {
    read++
    last = key
    const bk = decodeBKey(key)
    if (parts !== null && !parts.has(partitionOf(bk, q))) continue
    if (isLive(raw)) items.push(bk.key)
  }
  return { items, next: read >= req.limit ? last : null }
}

/**
 * Buckets: the first live key of each bucket names it, then the fold jumps past the rest of that
 * bucket's range, so a bucket of a million keys costs one read, not a million.
 */
async function bucketsPage(backend: Backend, req: ListingRequest): Promise<ListingPage> {
  const typePrefix = lengthPrefixed(req.type)
  const end = rangeEnd(typePrefix)
  const items: string[] = []
  let cursor: Uint8Array = later(req.after, typePrefix)
  let read = 0
  for (;;) {
    let jumped = false
    for await (const [key, raw] of backend.fold(req.p, { after: cursor, before: end, limit: req.limit - read })) {
      read++
      cursor = key
      if (!isLive(raw)) continue
      const { bucket } = decodeBKey(key)
      items.push(bucket)
      cursor = rangeEnd(lengthPrefixed(req.type, bucket))
      jumped = true
      break
    }
    if (read >= req.limit) return { items, next: cursor }
    if (!jumped) return { items, next: null }
  }
}
