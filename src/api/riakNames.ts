/**
 * Names Riak gives that both of its ports (HTTP and Protocol Buffers) must give alike: a
 * sibling's vtag and a generated key.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Sibling } from '../core/object.js'

/** Riak's vtag: names one sibling. Derived from the sibling's dot, so every node gives the same one. */
export function vtagOf(s: Sibling): string {
  return createHash('sha256').update(s.dot.actor).update('\0').update(String(s.dot.counter)).digest('base64url').slice(0, 22)
}

/** A key for a write without one: 20 URL-safe characters. */
export function newKey(): string {
  return randomBytes(15).toString('base64url')
}
