/**
 * Key and bucket listings across the cluster (Riak's list keys and list buckets), as streams of
 * pages so a caller can send each page on as it comes and nothing holds a whole bucket's keys.
 *
 * Keys: a coverage plan for the bucket's N (src/core/coverage.ts), each vnode asked for the hash
 * partitions the plan gives it, so every key is listed once. Buckets: every vnode of the ring, on
 * its owner, since buckets of different N live on different vnodes and only the first of a key's
 * preference list holds it whatever its N; names are held to drop the duplicates.
 * As in Riak, a listing reads every vnode it asks and is for operators, not for the request path;
 * one that cannot reach a vnode fails rather than answer short.
 */
import { SpineError } from '../shared/errors.js'
import { coveragePlan } from '../core/coverage.js'
import { KV } from '../config.js'
import type { ListingPage } from './listingPage.js'
import type { KvEnv } from './env.js'
import { checkTimeout } from './request.js'

interface Cursor {
  node: string
  p: number
  parts: readonly number[] | null
  after: Uint8Array | null
}

function pageOf(reply: unknown, node: string): ListingPage {
  const r = reply as Partial<ListingPage> | null
  if (!r || !Array.isArray(r.items) || !r.items.every((k) => typeof k === 'string') || !(r.next === null || r.next instanceof Uint8Array)) {
    throw new SpineError('INTERNAL', `node ${node} answered a listing page in an unknown shape`, { node })
  }
  return { items: r.items, next: r.next }
}

/** Pages from every cursor, KV.listConcurrency vnodes at a time, within one deadline. */
async function* pages(env: KvEnv, type: string, bucket: string | null, cursors: Cursor[], timeoutMs: number): AsyncGenerator<string[]> {
  const deadline = env.clock.now() + checkTimeout(timeoutMs)
  let open = cursors
  while (open.length > 0) {
    const remaining = deadline - env.clock.now()
    if (remaining < 1) throw new SpineError('TIMEOUT', `listing did not finish within ${timeoutMs} ms`, { timeoutMs })
    const batch = open.slice(0, KV.listConcurrency)
    const replies = await Promise.all(
      batch.map(async (c) => {
        const body = { op: 'vlist', p: c.p, type, bucket, parts: c.parts, after: c.after, limit: KV.listPageEntries }
        return pageOf(await env.transport.request(c.node, body, remaining), c.node)
      }),
    )
    const items: string[] = []
    replies.forEach((page, i) => {
      items.push(...page.items)
      batch[i]!.after = page.next
    })
    open = open.filter((c) => !batch.includes(c) || c.after !== null)
    if (items.length > 0) yield items
  }
}

/** The live keys of one bucket, a page at a time. */
export function listKeys(env: KvEnv, type: string, bucket: string, timeoutMs?: number): AsyncGenerator<string[]> {
  const { n } = env.props.get(type, bucket)
  const plan = coveragePlan(env.ring(), n, (node) => env.isUp(node), env.self)
  const cursors = plan.map((e) => ({ node: e.node, p: e.vnode, parts: e.partitions, after: null }))
  return pages(env, type, bucket, cursors, timeoutMs ?? KV.defaultTimeoutMs)
}

/** The buckets of one bucket type holding at least one live key, each named once, a page at a time. */
export async function* listBuckets(env: KvEnv, type: string, timeoutMs?: number): AsyncGenerator<string[]> {
  const ring = env.ring()
  const down = ring.owners.findIndex((o) => !env.isUp(o))
  if (down >= 0) {
    throw new SpineError('INSUFFICIENT_VNODES', `the owner of partition ${down} (${ring.owners[down]}) is down, so a bucket listing cannot see its keys`, { partition: down })
  }
  const cursors = ring.owners.map((node, p) => ({ node, p, parts: null, after: null }))
  const seen = new Set<string>()
  for await (const page of pages(env, type, null, cursors, timeoutMs ?? KV.defaultTimeoutMs)) {
    const fresh = page.filter((b) => !seen.has(b) && (seen.add(b), true))
    if (seen.size > KV.maxListBuckets) {
      throw new SpineError('OVERLOADED', `more than ${KV.maxListBuckets} buckets of type ${type}`, { max: KV.maxListBuckets })
    }
    if (fresh.length > 0) yield fresh
  }
}
