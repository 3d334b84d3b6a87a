/**
 * The answers one node has given, by request key (X-Request-ID, method and path), so a retried
 * request is answered from its first result rather than applied again (PDS: the request id is what
 * "we use to de-duplicate repeated requests"). Bounded by entries and body bytes, oldest dropped
 * first, and each answer forgotten after a fixed time. A request whose first attempt is still running
 * is marked pending: a retry arriving meanwhile waits for that answer instead of running beside it.
 * In memory and per node: a retry sent to another node, or after a restart, runs again.
 */

/** One remembered answer: what the first attempt sent. */
export interface StoredReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Buffer
}

export interface ReplayLimits {
  /** Answers (and pending first attempts) remembered at once. */
  readonly maxEntries: number
  /** Bytes of keys and remembered bodies. */
  readonly maxBytes: number
  /** Milliseconds an answer is remembered after it was given. */
  readonly ttlMs: number
}

interface Entry {
  /** Settles with the answer, or undefined when the first attempt left nothing to replay. */
  readonly settled: Promise<StoredReply | undefined>
  readonly settle: (r: StoredReply | undefined) => void
  reply?: StoredReply
  expiresAt: number
  /** Bytes it holds: its key (a path may be up to Node's 16 KiB header limit), then its body too. */
  bytes: number
}

/** What a request finds: a remembered answer, a first attempt to wait for, or nothing (it runs, and is now the first). */
export type Lookup = { kind: 'replay'; reply: StoredReply } | { kind: 'wait'; settled: Promise<StoredReply | undefined> } | { kind: 'first'; ticket: Ticket }

/** The first attempt's claim on its key: finish it with the answer (or with undefined to keep none). */
export interface Ticket {
  finish(reply: StoredReply | undefined): void
}

export class ReplayMemory {
  /** Insertion order is age order, so the first key is the oldest. */
  private readonly entries = new Map<string, Entry>()
  private bytes = 0

  constructor(
    private readonly limits: ReplayLimits,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.entries.size
  }

  get storedBytes(): number {
    return this.bytes
  }

  lookup(key: string): Lookup {
    const found = this.entries.get(key)
    if (found !== undefined && found.expiresAt <= this.now()) this.remove(key, found)
    else if (found !== undefined) return found.reply !== undefined ? { kind: 'replay', reply: found.reply } : { kind: 'wait', settled: found.settled }
    let settle!: (r: StoredReply | undefined) => void
    const settled = new Promise<StoredReply | undefined>((resolve) => (settle = resolve))
    // A pending first attempt is not forgotten by time alone: it is bounded by the in-flight limit and
    // by maxEntries, and its waiters are released when it finishes however it ends.
    const entry: Entry = { settled, settle, expiresAt: Number.POSITIVE_INFINITY, bytes: key.length }
    this.entries.set(key, entry)
    this.bytes += entry.bytes
    this.trim()
    return { kind: 'first', ticket: { finish: (reply) => this.finish(key, entry, reply) } }
  }

  private finish(key: string, entry: Entry, reply: StoredReply | undefined): void {
    entry.settle(reply)
    // Dropped meanwhile (trimmed out, or finished twice): waiters got the answer, nothing is kept.
    if (this.entries.get(key) !== entry || entry.reply !== undefined) return
    if (reply === undefined || entry.bytes + reply.body.length > this.limits.maxBytes) {
      this.remove(key, entry)
      return
    }
    entry.reply = reply
    entry.expiresAt = this.now() + this.limits.ttlMs
    entry.bytes += reply.body.length
    this.bytes += reply.body.length
    // Re-inserted so its age counts from its answer, as its expiry does.
    this.entries.delete(key)
    this.entries.set(key, entry)
    this.trim()
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key)
    this.bytes -= entry.bytes
  }

  /** Drops expired answers from the oldest end, then the oldest entries until within both bounds. */
  private trim(): void {
    const now = this.now()
    for (const [key, entry] of this.entries) {
      const over = this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes
      if (!over && entry.expiresAt > now) break
      this.remove(key, entry)
    }
  }
}
