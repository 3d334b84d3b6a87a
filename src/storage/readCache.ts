/**
 * Recently read and written values, by stored key, bounded by bytes, least recently used first
 * out. A LevelDB read of a hot key is a walk down the memtable's skip list (16 MiB of it between
 * flushes) or a block-cache lookup: under kv-9010 that walk was 12-14% of a replica's CPU. A hit
 * here is one Map lookup. The cache only ever holds what LevelDB holds: TickBatcher fills it
 * from completed reads and writes and drops what a failed or superseded write touched, and the
 * backend empties it for a range it clears.
 */

/** What one entry costs beside its value: the key string, the Map slot, the Buffer object. */
const ENTRY_OVERHEAD_BYTES = 96

export class ReadCache {
  /** latin1 key -> value; insertion order is recency (a hit moves its entry to the end). */
  private readonly entries = new Map<string, Buffer>()
  private bytes = 0
  readonly stats = { hits: 0, misses: 0, evictions: 0 }

  constructor(private readonly maxBytes: number) {}

  /** A copy of the cached value, so no caller can change what the next one reads. */
  get(id: string): Buffer | undefined {
    const v = this.entries.get(id)
    if (v === undefined) {
      this.stats.misses++
      return undefined
    }
    this.stats.hits++
    this.entries.delete(id)
    this.entries.set(id, v)
    return Buffer.from(v)
  }

  /** Remember a value LevelDB now holds for id (a copy: the caller keeps its buffer). */
  set(id: string, value: Buffer): void {
    const cost = ENTRY_OVERHEAD_BYTES + id.length + value.byteLength
    // A value larger than a quarter of the budget would evict everything else for one key.
    if (this.maxBytes <= 0 || cost > this.maxBytes / 4) return this.delete(id)
    this.delete(id)
    this.entries.set(id, Buffer.from(value))
    this.bytes += cost
    while (this.bytes > this.maxBytes) this.evictOldest()
  }

  delete(id: string): void {
    const v = this.entries.get(id)
    if (v === undefined) return
    this.entries.delete(id)
    this.bytes -= ENTRY_OVERHEAD_BYTES + id.length + v.byteLength
  }

  /** Drop every key that starts with prefix (latin1), for a range cleared behind the cache's back. */
  deletePrefix(prefix: string): void {
    for (const id of [...this.entries.keys()]) if (id.startsWith(prefix)) this.delete(id)
  }

  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }

  get size(): number {
    return this.entries.size
  }

  get usedBytes(): number {
    return this.bytes
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next()
    if (oldest.done === true) return
    this.delete(oldest.value)
    this.stats.evictions++
  }
}
