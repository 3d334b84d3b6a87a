/**
 * One vnode's page of a key or bucket listing, and the request for it, as they travel between the
 * coordinator (src/kv/listKeys.ts) and the vnode that folds its store (src/node/keyListing.ts).
 */
export interface ListingPage {
  /** Keys (or bucket names) found on this page; a bucket is named once per page. */
  items: string[]
  /** Where the next page starts (exclusive), or null when the range is done. */
  next: Uint8Array | null
}

export interface ListingRequest {
  /** The vnode (its partition of the store). */
  p: number
  type: string
  /** null: list the type's buckets rather than one bucket's keys. */
  bucket: string | null
  /** Hash partitions whose keys this vnode answers for (a coverage plan's share); null: all. */
  parts: readonly number[] | null
  /** Resume strictly after this storage key (a previous page's `next`). */
  after: Uint8Array | null
  /** Stored entries read at most on this page, so one request's work is bounded whatever it finds. */
  limit: number
}
