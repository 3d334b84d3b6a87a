/** The client library's public types. */
import type { QuorumSpec } from '../core/quorum.js'

export interface Sibling {
  value: Buffer
  contentType: string
  lastModified: number
  meta: Record<string, string>
}

/** Picks one sibling from several; called when a get finds more than one. */
export type Resolver = (siblings: Sibling[]) => Sibling

export interface ConnectOptions {
  /** "host:clientPort" of one or more nodes; the client learns the rest from the first that answers. */
  seeds: string[]
  connectTimeoutMs?: number
  /** Default per-request timeout, sent to the coordinator. */
  timeoutMs?: number
  resolver?: Resolver
  /** How many other nodes a request is retried on when its node cannot be reached. */
  maxRetries?: number
  /**
   * "primary" (default): send each request to a primary of its key. "seed": send everything to
   * the first seed, which then coordinates (what an operator's CLI wants: that node's view).
   */
  routing?: 'primary' | 'seed'
}

export interface CommonOptions {
  /** Bucket type; "default" when omitted. */
  type?: string
  timeoutMs?: number
}

export interface GetOptions extends CommonOptions {
  r?: QuorumSpec
  pr?: QuorumSpec
  notfoundOk?: boolean
  resolver?: Resolver
  /** false: primaries only, no fallbacks for down nodes (default true). */
  sloppyQuorum?: boolean
}

export interface PutOptions extends CommonOptions {
  w?: QuorumSpec
  dw?: QuorumSpec
  pw?: QuorumSpec
  /** Distinct physical nodes that must acknowledge the write. */
  nodeConfirms?: QuorumSpec
  /** false: primaries only, no fallbacks for down nodes (default true). */
  sloppyQuorum?: boolean
  contentType?: string
  meta?: Record<string, string>
  /** Riak secondary index entries, [field, value]: fields end `_bin` or `_int` (whole numbers). Kept with this value. */
  indexes?: Array<[string, string]>
  /** The context from the get (or put) this write follows; omit it to write blind (a sibling if the key exists). */
  context?: Buffer | null
  returnBody?: boolean
}

/** One write of a putMany: a blind write unless it carries the context of an earlier read. */
export interface PutManyItem {
  bucket: string
  key: string
  value: Buffer | Uint8Array | string
  type?: string
  contentType?: string
  meta?: Record<string, string>
  context?: Buffer | null
}

export type PutManyOptions = Pick<PutOptions, 'w' | 'dw' | 'pw' | 'nodeConfirms' | 'sloppyQuorum' | 'timeoutMs'>

/** How many were stored; each failure by its index in the request (the others were stored). */
export interface PutManyResult {
  stored: number
  errors: Array<{ index: number; code: string; message: string }>
}

/** A secondary index query (`kv.index`): Riak's return_terms, max_results, continuation and term_regex. */
export interface IndexOptions extends CommonOptions {
  /** On a range: each result names its term. */
  returnTerms?: boolean
  /** Results per page (1..INDEX.maxResults); the page's continuation asks for the next. */
  maxResults?: number
  continuation?: string
  /** On a range of a _bin field or $key: terms the regular expression matches. */
  termRegex?: string
}

export interface IndexResult {
  /** Sorted by term, then key; `term` is present when the query asked for terms on a range. */
  results: Array<{ key: string; term?: string }>
  /** Present when more results follow. */
  continuation?: string
}

export interface DeleteOptions extends PutOptions {
  r?: QuorumSpec
  pr?: QuorumSpec
}

export interface GetResult {
  found: boolean
  /** Every live sibling (more than one means concurrent writes). */
  siblings: Sibling[]
  /** The one value: the only sibling, or the resolver's choice; undefined when not found or unresolved. */
  value: Buffer | undefined
  /** Send this back with the next put or delete of the key. */
  context: Buffer | null
}

export interface PutResult {
  context: Buffer
  siblings?: Sibling[]
}

export interface MemberView {
  name: string
  host: string
  clusterPort: number
  clientPort: number
  httpPort: number
  up: boolean
}

export interface RingView {
  q: number
  owners: string[]
  members: MemberView[]
}

export interface ReplicaView {
  node: string
  partition: number
  found: boolean
  clock?: Array<[string, number]>
  siblings?: number
  deleted?: boolean
  error?: string
}

// The operator views are the node's own types, so the client cannot drift from what is sent.
export type { MemberView as MemberStatus, ClusterStatus, ClusterTransfers, ClusterAae, MemberAae } from '../api/clusterView.js'
export type { NodeAaeStatus, PartitionAaeStatus } from '../node/antiEntropy/manager.js'
export type { TransferStatus as TransferView } from '../node/handoff/transfer.js'
