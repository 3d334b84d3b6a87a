/**
 * The record of a fault run, as JSON lines in the run directory: history.jsonl (one line per
 * client operation, written when it completes) and faults.jsonl (one line per fault, written
 * when it is healed). Times are wall-clock epoch milliseconds: the clients and the nemesis run in
 * different processes (and namespaces) on one machine, so they share one clock.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import type { EncodedSet } from './elements.js'

/** ok: acknowledged. fail: the cluster (or the socket) said no. timeout: no answer in time — it may or may not have happened. */
export type OpResult = 'ok' | 'fail' | 'timeout'

/** add: read-modify-write of one element into a set. read: a plain read. final: a read after heal and settle, R=all. */
export type OpType = 'add' | 'read' | 'final'

export interface Op {
  id: string
  /** Client number (final reads: -1). */
  client: number
  /** The node the request was sent to (it coordinated). */
  node: string
  type: OpType
  key: string
  /** The element an add adds. */
  value?: string
  invoke: number
  complete: number
  result: OpResult
  /** The error code when it did not succeed. */
  error?: string
  /** What an ok read (or final read) saw, merged over its siblings. */
  elements?: EncodedSet
  /** Siblings the read (or an add's read) found. */
  siblings?: number
  /** Final reads: how many tries it took. */
  attempts?: number
}

export type FaultKind = 'kill' | 'partition' | 'split' | 'cut' | 'loss'

export interface FaultRecord {
  kind: FaultKind
  /** Human description: "kill -9 n2", "split n1,n2 / n3,n4,n5", ... */
  what: string
  /** The nodes the fault touches. */
  nodes: string[]
  start: number
  /** When it was healed (for kill: when the node was started again). */
  end: number
}

/** The run's frame: when the workload began and ended, and how it was set up. */
export interface RunInfo {
  seed: number
  nodes: string[]
  clients: number
  keys: string[]
  ratePerClient: number
  readFraction: number
  /** Workload start and end, and the moment the nemesis healed everything for the last time. */
  start: number
  end: number
  lastHeal: number
  command: string
}

export function appendJsonLine(file: string, value: unknown): void {
  appendFileSync(file, JSON.stringify(value) + '\n')
}

/** Every line of a JSON-lines file; a torn last line (the writer killed mid-line) is skipped. */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return []
  const out: T[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    try {
      out.push(JSON.parse(line) as T)
    } catch {
      // Only a crashed writer leaves half a line; everything before it stands.
    }
  }
  return out
}
