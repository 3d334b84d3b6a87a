/**
 * Every limit and default in spinekv, named, in one place. docs/configuration.md mirrors this file;
 * test/docs.test.ts fails when a name here is missing from that page.
 */

/** Ring and replication defaults (Riak's, where Riak has one). */
export const RING = {
  /** Partitions in the ring; a power of two fixed at cluster creation (Riak: ring_creation_size 64). */
  defaultPartitions: 64,
  minPartitions: 1,
  maxPartitions: 4096,
  /** Replica plans a node keeps per ring (src/kv/replicaPlan.ts); Q × N values × down-sets seen. */
  maxCachedPlans: 16384,
  /**
   * Node sets a coverage plan tries in its search for the fewest nodes (src/core/coverage.ts) before
   * it takes the greedy cover instead: enough for 16 nodes at N=3 (a cover of 6 is the 14,893rd set).
   */
  coverageSearchSets: 20_000,
  /** Coverage plans a node keeps per ring: one per N, asking node and set of nodes up. */
  maxCachedCoveragePlans: 256,
} as const

/** Bucket properties of the default bucket type (Riak's defaults, allow_mult on as for typed buckets). */
export const BUCKET_DEFAULTS = {
  n: 3,
  r: 'quorum',
  w: 'quorum',
  dw: 'quorum',
  pr: 0,
  pw: 0,
  notfoundOk: true,
  allowMult: true,
  /** 'quorum': a read asks R (or PR) replicas first and the rest only when needed (src/kv/readWave.ts); 'all': every read asks all N, as Riak does. */
  readFanout: 'quorum',
} as const

/** Vector clock pruning (Riak: small_vclock, big_vclock, young_vclock, old_vclock). */
export const VCLOCK = {
  smallVclock: 50,
  bigVclock: 50,
  /** seconds: entries younger than this are never pruned */
  youngVclockSec: 20,
  /** seconds: entries older than this are pruned once the clock is longer than smallVclock */
  oldVclockSec: 86_400,
} as const

/** Object and request size limits. */
export const LIMITS = {
  maxKeyBytes: 512,
  maxBucketBytes: 256,
  maxBucketTypeBytes: 64,
  /** One value sent by a client. Patient records are ~0.6-6 KB; 1 MiB leaves room without letting one put stall a vnode. */
  maxValueBytes: 1024 * 1024,
  /** Whole stored object (all siblings); a put whose result would be larger is refused with OBJECT_TOO_LARGE. */
  maxObjectBytes: 8 * 1024 * 1024,
  /** Siblings: a log line above the warning, a refused put above the maximum (Riak: 25 / 100). */
  warnSiblings: 25,
  maxSiblings: 100,
  /** User metadata entries per sibling. */
  maxUserMeta: 64,
  /** Secondary index entries (field, value pairs) per sibling: Riak sets none; a bound keeps one write's index work small. */
  maxIndexEntries: 256,
  /** Riak links per sibling. */
  maxLinks: 256,
  /** Bytes of one index field name or value, or one link's tag. */
  maxIndexTermBytes: 1024,
  /** Application index terms (patient search) per sibling: a patient record has ~5. */
  maxTerms: 256,
} as const

/** Framing and transport limits. */
export const NET = {
  /** Largest frame accepted on any port; bigger closes the connection with FRAME_TOO_LARGE. */
  maxFrameBytes: 16 * 1024 * 1024,
  /** Requests in flight on one connection before new ones are refused with OVERLOADED. */
  maxInFlightPerConnection: 4096,
  /** Bytes queued for one socket before the connection is treated as stuck and closed. */
  maxQueuedBytesPerConnection: 64 * 1024 * 1024,
  /** Time to establish a TCP connection to a peer. */
  connectTimeoutMs: 2_000,
  /** Timeout of node-to-node requests that are not part of a client operation (diagnostics such as debug replicas). */
  requestTimeoutMs: 5_000,
  /** How long a node waits for a peer's addresses when a client asks for the ring; a slower peer is listed as down. */
  memberInfoTimeoutMs: 1_000,
  /** Client connections accepted by one node. */
  maxClientConnections: 10_000,
  /** Inbound node-to-node connections (one per peer is normal; the cap stops a connect storm). */
  maxClusterConnections: 1_024,
  /**
   * Connections one client address may hold open on one port (client, cluster, HTTP, PB); more are
   * closed at accept. A client library keeps one per node and a bench or fault-run host a few
   * hundred, so a tenth of maxClientConnections leaves room while one runaway client cannot take them all.
   */
  maxConnectionsPerClient: 1_000,
  /** Bytes of an HTTP request's start line and headers (Node's own default, named); more is refused with 431 before any route runs. */
  maxHttpHeaderBytes: 16 * 1024,
  /** After a failed connect to a peer, requests to it fail fast for this long instead of dialling again. */
  reconnectBackoffMs: 200,
} as const

/** Riak's Protocol Buffers port (src/api/pb): the limits of one listener. */
export const PB = {
  /** Riak's PB port, for a node started without --pb-port. */
  defaultPort: 8087,
  /** Largest frame (code byte plus message) a client may send; a bigger length closes the connection. A value is at most LIMITS.maxValueBytes, so 2 MiB leaves room for its metadata. */
  maxFrameBytes: 2 * 1024 * 1024,
  /** PB connections accepted by one node (further ones are closed at once). */
  maxConnections: 10_000,
  /** Requests read ahead on one connection (a client pipelining); past this the socket is paused, not refused. Requests are answered one at a time, in order, as Riak does. */
  maxQueuedPerConnection: 64,
} as const

/** Failure detection: heartbeats over the cluster port and a fixed silence timeout. */
export const FAILURE = {
  /** How often a node pings each peer. */
  heartbeatIntervalMs: 1_000,
  /** How long one heartbeat waits for its reply. */
  heartbeatTimeoutMs: 1_000,
  /** A member not heard from for this long is marked down (and up again when heard). */
  downAfterMs: 5_000,
} as const

/** Hinted handoff: fallbacks hand the data they took for a down primary back to it. */
export const HANDOFF = {
  /** How often a node looks for hinted partitions whose owner is up again. */
  checkIntervalMs: 10_000,
  /** Also check the moment the failure detector hears a member that was down (its hints go home at once). */
  checkOnUp: true,
  /** Transfers one node runs at once (Riak: handoff_concurrency 2). */
  maxConcurrent: 2,
  /** Objects sent in one handoff message; each batch is acknowledged before its items are deleted. */
  batchSize: 100,
  /**
   * Bytes of keys and stored objects in one handoff message (hinted and ownership transfers): a
   * batch ends at whichever of batchSize and this comes first, and an object larger than this goes
   * alone. A quarter of NET.maxFrameBytes: 100 objects of 1 MiB could never be sent as one frame.
   */
  batchBytes: 4 * 1024 * 1024,
  /** Largest batch a receiver accepts (a peer sending more is refused with INVALID_ARGUMENT). */
  maxBatchItems: 10_000,
  /** How long one batch waits for the owner's acknowledgement before the transfer stops and retries later. */
  batchTimeoutMs: 30_000,
  /**
   * After a transfer fails, how long before that partition is tried again (sooner when its owner is
   * heard coming back up), doubling with each failure in a row up to maxRetryDelayMs: a transfer
   * that cannot progress is retried at this pace, never in a loop. Short, because the usual failure
   * is an owner that is just coming back.
   */
  retryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
  /** Keys a node holds for partitions it does not own before it refuses new hinted writes (HINTED_STORE_FULL). */
  maxHintedKeys: 1_000_000,
} as const

/** Membership: ring gossip and ring commands. */
export const MEMBERSHIP = {
  /** Each node sends its ring to one peer (round robin) this often; changes are pushed to all at once. */
  gossipIntervalMs: 1_000,
  /** How long one gossip exchange waits for the peer's reply. */
  gossipTimeoutMs: 2_000,
  /** How long a ring command (join, leave, plan, commit...) waits for the claimant. */
  commandTimeoutMs: 10_000,
  /** Members a ring may hold (a bound on what gossip will accept). */
  maxMembers: 256,
} as const

/** Coordinator behaviour. */
export const KV = {
  /** Buckets whose resolved properties a node keeps (src/kv/bucketProps.ts); cleared when full. */
  maxCachedBucketProps: 10_000,
  /** Whole-operation timeout when the request does not give one (Riak: 60 s; ours is shorter because a Spine caller gives up long before that). */
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 120_000,
  /** A read not decided this long after asking its first R replicas asks the others too (Cassandra's speculative retry). */
  readEscalateMs: 20,
  /** Tombstones are reaped this long after a delete that reached every primary (Riak: delete_mode 3000). */
  tombstoneReapDelayMs: 3_000,
  /** Coordinations in flight per node before new ones are refused with OVERLOADED. */
  maxInFlightOps: 20_000,
  /** Stored entries one vnode reads for one page of a key or bucket listing (src/kv/listKeys.ts); each page is one streamed reply. */
  listPageEntries: 1_000,
  /** Largest page a peer may ask a vnode for (more is refused with INVALID_ARGUMENT). */
  maxListPage: 10_000,
  /** Vnodes a listing reads from at once across the cluster. */
  listConcurrency: 4,
  /** Distinct buckets a bucket listing may find before it is refused (it holds them to drop duplicates). */
  maxListBuckets: 100_000,
  /** Writes one batched put (kvPutMany: a bulk load) carries; more is refused before any is written. */
  maxBatchItems: 2_000,
  /** Objects per batched replica message (vcoordMany / vputMany), and */
  maxReplicaBatchItems: 1_000,
  /** bytes of objects per such message: a quarter of NET.maxFrameBytes, so keys, clocks and framing always fit. */
  maxReplicaBatchBytes: 4 * 1024 * 1024,
} as const

/** Secondary index (2i) queries on the raw KV API (src/kv/indexQuery.ts, src/node/secondaryIndexScan.ts). */
export const INDEX = {
  /** Results one query returns: the largest max_results, and the most a query without it may find before it is refused with QUERY_TOO_LARGE. */
  maxResults: 10_000,
  /** Index entries (or, for $key and $bucket, stored keys) one node reads for one query: entries of vnodes the plan does not name, and term_regex misses, count too. */
  maxScanEntries: 200_000,
  /** Bytes of a term_regex; with the nested-quantifier check, a bound on what one pattern can cost per term. */
  maxRegexBytes: 256,
  /** Keys or results per streamed reply (HTTP multipart part, PB RpbIndexResp). */
  streamChunk: 1_000,
} as const

/** The counters and timings behind /stats (Riak's one-minute fields). */
export const STATS = {
  /** Riak's node_gets, vnode_puts... count the last minute; the window they are taken over. */
  windowMs: 60_000,
  /** How often the counters are sampled for those windows (their resolution). */
  sampleMs: 1_000,
  /** Latencies kept per operation (get, put) for the fsm_time percentiles: the most recent, within the window. */
  maxTimeSamples: 65_536,
} as const

/** Vnode behaviour. */
export const VNODE = {
  /** Commands queued on one key before further ones are refused with OVERLOADED. */
  maxQueuedPerKey: 1_000,
  /** Dot counters reserved per synced lease write; a restart skips what was left of the last block. */
  counterLeaseSize: 10_000,
  /** How long a vnode remembers a reaped tombstone, dropping older copies that arrive late. */
  reapMemoryMs: 60_000,
  /** Reaped-tombstone entries one sweep looks at per vnode (expired ones are deleted). */
  reapSweepLimit: 10_000,
} as const

/** Active anti-entropy: tictac trees per vnode, exchanged between the primaries of a preference list. */
export const AAE = {
  /** Anti-entropy on this node: off keeps no trees (no write cost) and runs no exchanges; turning it on again rebuilds the trees by the startup fold. */
  enabled: true,
  /** How often a node starts exchanges. */
  tickMs: 1_000,
  /** A preference list found the same is not exchanged again while this node's tree of it is unchanged, for at most this long. */
  recheckMs: 60_000,
  /** Exchanges started per tick at most (most end after one root comparison). */
  exchangesPerTick: 16,
  /** Exchanges one node runs at once. */
  concurrency: 2,
  /** Differing branches are compared again after this long and only those still differing are looked into (writes in flight make replicas differ for a moment). */
  confirmDelayMs: 500,
  /** Keys one exchange repairs at most; the rest wait for the next exchange of that tree. */
  maxRepairsPerExchange: 1_000,
  /** Differing segments one exchange asks the keys of. */
  maxSegmentsPerExchange: 4_096,
  /** Keys with their hashes one segment listing returns at most (maxListingBytes also bounds it). */
  maxKeysPerListing: 20_000,
  /** Bytes of keys one listing returns at most: 20,000 keys of the longest bucket and key (~850 bytes) would not fit a frame. */
  maxListingBytes: 4 * 1024 * 1024,
  /** Level-1 width of each tree (leveled_tictac's "small" is 256; 64 keeps a tree at 64 KB). */
  branches: 64,
  /** Segments per branch (leveled_tictac uses 256). Both are powers of two. */
  segmentsPerBranch: 256,
  /** Keys per second the startup fold reads per node (it rebuilds or verifies the trees while the vnode serves). */
  rebuildRateKeysPerSec: 20_000,
  /** Keys read per fold step. */
  rebuildBatch: 500,
  /** How long one exchange request waits for the peer. */
  requestTimeoutMs: 10_000,
} as const

/** Client library. */
export const CLIENT = {
  connectTimeoutMs: 2_000,
  /** How many other nodes a request is retried on when its node cannot be reached. */
  maxRetries: 2,
  defaultPort: 8711,
  /** The coordinator enforces an operation's timeout; the client waits this much longer for the coordinator's answer. */
  replyGraceMs: 2_000,
  /**
   * Bytes of values (with keys and metadata) in one putMany request: a larger call is sent as
   * several requests (one over KV.maxBatchItems is still refused whole). Half NET.maxFrameBytes;
   * KV.maxBatchItems values of 1 MiB would be 2 GiB.
   */
  maxBatchBytes: 8 * 1024 * 1024,
} as const

/** Local development cluster (`spinekv dev start`). */
export const DEV = {
  nodes: 3,
  dir: './data/dev',
  basePort: 8700,
  /** Port stride per node: cluster base+10i, client base+10i+1, HTTP base+10i+2, Protocol Buffers base+10i+3. */
  portStride: 10,
  startTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  /** After SIGKILL, how long `dev stop` waits for the process to go before giving up with TIMEOUT. */
  killWaitMs: 5_000,
  /** One liveness ping of a node's client port. */
  pingTimeoutMs: 1_000,
  /** Pause between pings while waiting for nodes to come up. */
  pollIntervalMs: 100,
} as const

/** Operator CLI. */
export const CLI = {
  /** How often `cluster transfers --watch` refreshes its progress bars. */
  watchIntervalMs: 1_000,
  /** How long a membership command (join, leave, plan, commit...) waits for its node's answer. */
  membershipTimeoutMs: 15_000,
} as const

/** Storage (LevelDB) settings. */
export const STORAGE = {
  /** fsync every write before acknowledging it. Off by default, as in Riak's eleveldb: N replicas on N machines are the durability, and sync costs ~15x in put rate here. */
  syncWrites: false,
  /** LevelDB block cache shared by all vnodes of a node. */
  cacheSizeBytes: 32 * 1024 * 1024,
  /** LevelDB write buffer (memtable) size. */
  writeBufferBytes: 16 * 1024 * 1024,
  /**
   * Values of recently read and written keys kept in the node's memory (src/storage/readCache.ts),
   * so a hot key's read skips LevelDB's memtable walk. 0 turns the cache off.
   */
  readCacheBytes: 32 * 1024 * 1024,
  /** Most LevelDB operations gathered into one batch or getMany per event-loop turn. */
  maxOpsPerBatch: 1_000,
  /** Most entries a fold reads per trip to LevelDB's thread (classic-level also stops a trip at 16 KiB). */
  foldChunkEntries: 1_000,
} as const

/** Patient records, patches and demographic search (PDS field lengths and rules). */
export const PATIENT = {
  /** Given names in one HumanName; PDS refuses a sixth. */
  maxGivenNames: 5,
  /** Characters in a family name; the PDS/Spine field length. */
  maxFamilyLength: 35,
  /** Characters in one given name, prefix or suffix; the same Spine field length as family. */
  maxNamePartLength: 35,
  /** Prefixes or suffixes on one name ("Dr", "Rev", "PhD"): more than a handful is a data error. */
  maxNameAffixes: 5,
  /** Names on one record (current plus previous, maiden, nicknames); bounds the index terms a record adds. */
  maxNames: 10,
  /** Addresses on one record (home, temporary, previous); also bounds index terms. */
  maxAddresses: 10,
  /** Lines in one address; PDS addresses are five unstructured lines plus the postcode. */
  maxAddressLines: 5,
  /** Characters in one address line; the PAF line length PDS uses. */
  maxAddressLineLength: 35,
  /** Telecom entries on one record (PDS keeps one per system and use, so a few suffice). */
  maxTelecoms: 10,
  /** Characters in a telecom value; 254 is the longest valid email address. */
  maxTelecomValueLength: 254,
  /** Registered GP practices; PDS holds exactly one current registration. */
  maxGeneralPractitioners: 1,
  /** Emergency contacts on one record (Contact.yaml has no maximum; a few is all a patient names). */
  maxContacts: 5,
  /** Telecoms on one emergency contact (a phone, an email, a textphone). */
  maxContactTelecoms: 5,
  /** Characters in a preferred contact time (ContactPreference: "a free-text field limited to 40 characters"). */
  maxContactTimesLength: 40,
  /** Characters in a FHIR element id (FHIR's own limit for the id datatype). */
  maxElementIdLength: 64,
  /** Characters in free text fields with no PDS limit of their own (coding system URIs, displays). */
  maxTextLength: 200,
  /** Largest versionId; versions are integers and must stay exact in a JS number. */
  maxVersion: Number.MAX_SAFE_INTEGER,
  /** Operations in one JSON Patch; a patch is a few edits, and the cap bounds the work one request can make. */
  maxPatchOperations: 100,
  /** Search results returned at most (PDS healthcare-worker mode: 50); more matches → TOO_MANY_MATCHES. */
  maxSearchResults: 50,
  /** `_max-results` when the search does not give one. PDS defaults to 1 (application mode); we return
   * up to the cap so that a trace from the CLI lists the candidates. */
  defaultSearchResults: 50,
  /** Characters before a trailing `*` in a family name search (PDS: at least 2), so a scan stays narrow. */
  minWildcardPrefix: 2,
  /** Characters in one search parameter value (a family name plus `*`, with room for a postcode or date). */
  maxSearchValueLength: 36,
  /** Given names one search may list (`given` repeated), as many as a record may hold. */
  maxSearchGivenNames: 5,
  /** Index entries one search may read on one node before it is refused as TOO_MANY_MATCHES: bounds the
   * work of a wide wildcard or fuzzy search (SM* over fifty years) whatever few records it would return. */
  maxSearchEntries: 20_000,
  /** Superseded numbers followed on a read (an alias to an alias): merges chain rarely, loops never should. */
  maxAliasHops: 3,
  /** Bytes of a Patient request body (a full record is ~6 KB); larger is refused before parsing. */
  maxBodyBytes: 64 * 1024,
  /**
   * Bytes of one stored record (its JSON): a larger one is refused on write and is not a record to
   * search or index (a raw KV write could put one there). Twice maxBodyBytes, so no body the HTTP API
   * accepts is refused; it bounds a node's search reply (maxSearchResults + 1 records) well inside a frame.
   */
  maxRecordBytes: 128 * 1024,
  /** Records in one bulk load request (`spinekv load`, the bench's load phase). */
  maxLoadBatch: 500,
  /** How long a client waits for one load batch (hundreds of writes), rather than one operation's timeout. */
  loadBatchTimeoutMs: 120_000,
  /** Nodes a search waits for before it answers with the store's TIMEOUT. */
  searchTimeoutMs: 10_000,
  /**
   * Answers one node remembers by X-Request-ID, so a retried /Patient request (same id, method and
   * path) gets its first answer instead of being applied twice. At PDS's 1,500 TPS burst spread over
   * 7 nodes this is most of a minute of one node's requests; the bytes bound below is the real cap.
   */
  requestIdMemoryEntries: 10_000,
  /** Bytes of remembered keys (a path may be 16 KiB) and answer bodies on one node (a search Bundle may be ~300 KB); oldest go first. */
  requestIdMemoryBytes: 32 * 1024 * 1024,
  /** How long an answer is remembered: longer than a client's retries with backoff, short enough to stay bounded. */
  requestIdMemoryMs: 60_000,
  /** Seconds a 503 from the Patient API (overload, a quorum not met) asks the client to wait: the Retry-After header. */
  retryAfterSeconds: 1,
} as const

/** Benchmark harness (`spinekv bench`): defaults and the bounds its flags are checked against. */
export const BENCH = {
  /** Run length when neither --duration nor --ops is given. */
  defaultDurationS: 30,
  /** Longest --duration (and --warmup) accepted: a day; longer soaks want a different tool. */
  maxDurationS: 86_400,
  /** Largest --ops accepted. */
  maxOps: 1_000_000_000,
  /** Requests in flight at once (closed loop: workers; open loop: the cap on requests sent and unanswered). */
  defaultConcurrency: 64,
  maxConcurrency: 4_096,
  /** Highest --rate (ops/s) of an open loop; far above what one client process can send. */
  maxRate: 1_000_000,
  /** Keys (or patients) the operations draw from when --records is not given. */
  defaultRecords: 10_000,
  /** Largest --records / --load; the PDS workload is further bounded by the NHS test range (909,091). */
  maxRecords: 100_000_000,
  /** Value size of the key/value workloads. */
  defaultValueBytes: 1_024,
  /** Largest --value-bytes: the cluster's own per-value limit (LIMITS.maxValueBytes). */
  maxValueBytes: 1_024 * 1_024,
  /** Width of one point of the timelines (throughput and percentiles over time) and of the live progress line. */
  intervalMs: 1_000,
  /** Highest latency the histograms track (µs); a slower operation is recorded as this. */
  maxLatencyUs: 120_000_000,
  /** Patients per loadBatch call of the PDS load phase. */
  loadBatchSize: 500,
  /** Keys per batch of a key/value load: each batch's puts go out together, so loadConcurrency x this are in flight. */
  kvLoadBatchSize: 16,
  /** Batches in flight during the load phase. */
  loadConcurrency: 32,
  /** After the run ends, how long the harness waits for operations still in flight before giving up on them. */
  drainTimeoutMs: 30_000,
  /** How long a baseline (etcd, Redis) may take to start and form its cluster before it is skipped. */
  baselineStartTimeoutMs: 20_000,
  /** Largest --local cluster. */
  maxLocalNodes: 16,
  /** --seed when none is given: runs are reproducible by default. */
  defaultSeed: 1,
} as const

/** The fault run (`spinekv jepsen`, bench/faults): a set-add workload on the netns cluster under a nemesis. */
export const JEPSEN = {
  /** Seconds of workload under the nemesis when --duration is not given (the settle period comes on top). */
  defaultDurationS: 60,
  /** Longest --duration accepted: a fault run is minutes, a soak wants a different tool. */
  maxDurationS: 21_600,
  /** Nodes, each in its own network namespace (--nodes); 5 lets a partition split 2 from 3. */
  defaultNodes: 5,
  /** Fewest nodes a run accepts: N=3 needs three. */
  minNodes: 3,
  /** Most nodes: the /24 of netns.sh and a 2-core machine both run out long before this. */
  maxNodes: 9,
  /** Concurrent clients, each with its own connection to every node (--clients). */
  defaultClients: 4,
  maxClients: 64,
  /** Operations a second each client starts, at most (--rate); a modest rate keeps the run about faults, not load. */
  defaultRatePerClient: 5,
  maxRatePerClient: 1_000,
  /** Set keys the clients add to (--keys). */
  defaultKeys: 8,
  maxKeys: 1_000,
  /** Share of operations that are plain reads; the rest are adds (read-modify-write). */
  defaultReadFraction: 0.3,
  /** Per-operation timeout sent to the coordinator (the client waits CLIENT.replyGraceMs more). */
  opTimeoutMs: 1_500,
  /** Quiet time between faults, drawn between these bounds (ms). */
  quietMinMs: 5_000,
  quietMaxMs: 10_000,
  /** How long each fault lasts, drawn between these bounds (ms). */
  faultMinMs: 8_000,
  faultMaxMs: 20_000,
  /** Share of packets the one-way loss fault drops. */
  lossPercent: 60,
  /** After the last heal, the workload runs on this long with no faults: recovery shows, replicas converge. */
  settleMs: 15_000,
  /** How long the final reads (R=all from every node) may keep retrying after the settle period. */
  finalReadDeadlineMs: 60_000,
  /** How long the cluster may take to answer a write on every node after it starts. */
  warmupDeadlineMs: 60_000,
  /** Time allowed for the client process to start in the control namespace before the workload's (and nemesis's) clock begins. */
  workerStartMs: 3_000,
  /** A span this long with no successful operation anywhere counts as an unavailability window. */
  unavailableGapMs: 1_000,
  /** Width of one bar of the availability chart. */
  chartBucketMs: 1_000,
  /** --seed when none is given. */
  defaultSeed: 1,
} as const
