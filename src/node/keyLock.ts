/**
 * Per-key mutual exclusion inside one vnode: read-merge-write of a key must not interleave with
 * another on the same key, or a concurrent put could overwrite a sibling it never merged.
 * Different keys run concurrently. The queue per key is bounded so one hot key cannot eat memory.
 */
import { SpineError } from '../shared/errors.js'

export class KeyLock {
  private readonly tails = new Map<string, { tail: Promise<unknown>; queued: number }>()

  constructor(private readonly maxQueuedPerKey: number) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const entry = this.tails.get(key) ?? { tail: Promise.resolve(), queued: 0 }
    if (entry.queued >= this.maxQueuedPerKey) {
      return Promise.reject(new SpineError('OVERLOADED', 'too many operations queued on one key', { queued: entry.queued }))
    }
    entry.queued++
    const result = entry.tail.then(fn, fn)
    entry.tail = result.catch(() => undefined)
    this.tails.set(key, entry)
    const release = (): void => {
      entry.queued--
      if (entry.queued === 0 && this.tails.get(key) === entry) this.tails.delete(key)
    }
    result.then(release, release)
    return result
  }

  size(): number {
    return this.tails.size
  }
}
