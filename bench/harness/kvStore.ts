/**
 * What the key/value workloads run against: spinekv through its client, or a baseline (one
 * LevelDB in-process, etcd, Redis Cluster). A get of a missing key is not an error (found: false).
 */
import type { BatchOutcome } from './load.js'

export interface KvStore {
  /** How the summary names it: "spinekv", "level", "etcd", "redis". */
  readonly name: string
  /** A line on what it is (nodes, replication), for the summary and the report. */
  readonly description: string
  get(key: string): Promise<boolean>
  put(key: string, value: Buffer): Promise<void>
  /** Several puts in one request, where the store has such a thing (the load phase uses it). */
  putMany?(keys: readonly string[], value: Buffer): Promise<BatchOutcome>
  close(): Promise<void>
}

/** Record i's key in every store, so a baseline loads and reads exactly the keys spinekv did. */
export function kvKey(i: number): string {
  return `k${i}`
}

/** A baseline that cannot run here (not installed, failed to start): skipped with this one-line reason. */
export class BaselineUnavailable extends Error {}
