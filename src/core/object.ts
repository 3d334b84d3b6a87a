/**
 * Stored objects and their merge. Each sibling carries the dot (actor, counter) of the write
 * that made it, as in dotted version vectors: a put drops exactly the siblings its causal
 * context has seen, and a merge of two replicas keeps a sibling unless the other side has
 * seen its dot and dropped it. That is what stops Riak's "sibling explosion" with vnode actors:
 * siblings never duplicate, and a client can never lose a write it did not see.
 */
import { counterOf, merge as mergeClocks, withEntry, type VClock } from './vclock.js'

export interface Dot {
  actor: string
  counter: number
}

export interface SiblingContent {
  value: Uint8Array
  contentType: string
  /** ms since epoch, set by the coordinating vnode */
  lastModified: number
  meta: Record<string, string>
  /** a tombstone: the sibling records a delete */
  deleted: boolean
  /** Riak's secondary index entries, [field, value] (field ends _bin or _int), sorted; absent when none. */
  indexes?: Array<[string, string]>
  /** Riak's links, [bucket, key, tag], in the order given; absent when none. */
  links?: Array<[string, string, string]>
  /**
   * The application's index terms of this value (patient search, `<index>:<value>`, sorted), computed
   * once by the coordinator of the write and stored with the value, as Riak keeps 2i entries with the
   * object. Every replica's index hook reads them here instead of decoding the value again, on the new
   * copy and on the one it replaces. Absent on values written before terms travelled. Never taken from a client.
   */
  terms?: readonly string[]
}

export interface Sibling extends SiblingContent {
  dot: Dot
}

export interface KvObject {
  clock: VClock
  siblings: Sibling[]
}

export function covered(dot: Dot, clock: VClock): boolean {
  return counterOf(clock, dot.actor) >= dot.counter
}

function sameDot(a: Dot, b: Dot): boolean {
  return a.actor === b.actor && a.counter === b.counter
}

function hasDot(obj: KvObject, dot: Dot): boolean {
  return obj.siblings.some((s) => sameDot(s.dot, dot))
}

function compareDots(a: Dot, b: Dot): number {
  return a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : a.counter - b.counter
}

/** Deterministic order so equal objects encode to equal bytes on every replica. */
function sortSiblings(s: Sibling[]): Sibling[] {
  return s.sort((a, b) => compareDots(a.dot, b.dot))
}

/** The smallest counter a new dot of this actor may take for this key: above every one it has seen. */
export function counterFloor(local: KvObject | undefined, context: VClock, actor: string): number {
  return Math.max(counterOf(local?.clock ?? [], actor), counterOf(context, actor)) + 1
}

/**
 * The write at the coordinating vnode: drop the local siblings the client's context has seen,
 * give the new value a fresh dot from this vnode's actor, and advance the clock past both.
 *
 * `counter`, when given, is the dot's counter (the vnode's own monotonic counter, at least
 * counterFloor): a vnode that reaped or lost a key no longer knows what it minted for it, so a
 * per-key counter would mint a dot again that an old copy elsewhere already covers, and the new
 * write would vanish in the next merge (Riak's kv679).
 */
export function coordinatePut(
  local: KvObject | undefined,
  context: VClock,
  content: SiblingContent,
  actor: string,
  now: number,
  allowMult: boolean,
  counter: number = counterFloor(local, context, actor),
): KvObject {
  const localClock = local?.clock ?? []
  if (counter < counterFloor(local, context, actor)) throw new RangeError('a dot must be newer than every dot of its actor seen')
  const clock = withEntry(mergeClocks(localClock, context), actor, counter, now)
  const fresh: Sibling = { ...content, dot: { actor, counter } }
  if (!allowMult) return { clock, siblings: [fresh] }
  const kept = (local?.siblings ?? []).filter((s) => !covered(s.dot, context))
  return { clock, siblings: sortSiblings([...kept, fresh]) }
}

/**
 * Merge two replicas (read repair, replication, handoff). Commutative, associative and
 * idempotent, so replicas converge whatever order the copies arrive in.
 */
export function syncMerge(a: KvObject, b: KvObject, allowMult = true): KvObject {
  const keepA = a.siblings.filter((s) => hasDot(b, s.dot) || !covered(s.dot, b.clock))
  const keepB = b.siblings.filter((s) => !hasDot(a, s.dot) && !covered(s.dot, a.clock))
  const merged: KvObject = { clock: mergeClocks(a.clock, b.clock), siblings: sortSiblings([...keepA, ...keepB]) }
  if (allowMult) return merged
  // Two replicas that saw the same writes may have kept different winners, each covered by the
  // other's clock; then nothing survives the causal merge and the winner is picked from both.
  return lastWriteWins(merged.siblings.length > 0 ? merged : { clock: merged.clock, siblings: [...a.siblings, ...b.siblings] })
}

export function mergeAll(objs: KvObject[], allowMult = true): KvObject | undefined {
  if (objs.length === 0) return undefined
  // Replicas that hold the same bytes are decoded once (src/kv/getFsm.ts), so the usual quorum
  // read merges one object with itself; merging is idempotent, so that is the object as it is.
  const distinct = objs.filter((o, i) => objs.indexOf(o) === i)
  if (distinct.length === 1) return objs.length > 1 && !allowMult ? lastWriteWins(distinct[0]!) : distinct[0]
  return distinct.reduce((acc, o) => syncMerge(acc, o, allowMult))
}

/** allow_mult=false: keep one sibling, the latest by timestamp, ties broken by dot. */
export function lastWriteWins(obj: KvObject): KvObject {
  if (obj.siblings.length <= 1) return obj
  const winner = obj.siblings.reduce((w, s) =>
    s.lastModified > w.lastModified || (s.lastModified === w.lastModified && compareDots(s.dot, w.dot) > 0) ? s : w,
  )
  return { clock: obj.clock, siblings: [winner] }
}

/** Same causal history and same siblings: nothing for read repair to do. */
export function sameObject(a: KvObject, b: KvObject): boolean {
  if (a.siblings.length !== b.siblings.length || a.clock.length !== b.clock.length) return false
  const sameClock = a.clock.every((e) => counterOf(b.clock, e.actor) === e.counter)
  return sameClock && a.siblings.every((s) => hasDot(b, s.dot))
}

export function liveSiblings(obj: KvObject): Sibling[] {
  return obj.siblings.filter((s) => !s.deleted)
}

export function isTombstone(obj: KvObject): boolean {
  return obj.siblings.every((s) => s.deleted)
}
