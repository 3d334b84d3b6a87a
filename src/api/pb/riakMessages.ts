/**
 * The Riak messages the PB port reads and writes, as a protobufjs descriptor. Field names, numbers,
 * types and rules are Riak's wire protocol as defined in basho/riak_pb (src/riak.proto and
 * src/riak_kv.proto, Apache License 2.0, Copyright Basho Technologies); restated here, in
 * protobufjs's JSON form, for the messages spinekv serves, so the build needs no .proto files or
 * code generation. A field spinekv does not use is still declared, so a client's message decodes
 * and the handler can refuse what it cannot honour instead of ignoring it.
 */
import protobuf from 'protobufjs/light.js'

type Rule = 'required' | 'repeated'
type FieldSpec = [id: number, type: string, rule?: Rule]

function message(fields: Record<string, FieldSpec>, nested?: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, { id: number; type: string; rule?: Rule }> = {}
  for (const [name, [id, type, rule]] of Object.entries(fields)) out[name] = rule ? { id, type, rule } : { id, type }
  // proto2, as Riak's files are: protobufjs takes a JSON type without an edition as proto3, which
  // drops false and 0 on the wire and loses presence (an explicit notfound_ok=false, pr=0).
  return nested ? { edition: 'proto2', fields: out, nested } : { edition: 'proto2', fields: out }
}

const req: Rule = 'required'
const rep: Rule = 'repeated'

const DESCRIPTOR = {
  nested: {
    // riak.proto
    RpbErrorResp: message({ errmsg: [1, 'bytes', req], errcode: [2, 'uint32', req] }),
    RpbGetServerInfoResp: message({ node: [1, 'bytes'], server_version: [2, 'bytes'] }),
    RpbPair: message({ key: [1, 'bytes', req], value: [2, 'bytes'] }),
    RpbGetBucketReq: message({ bucket: [1, 'bytes', req], type: [2, 'bytes'] }),
    RpbGetBucketResp: message({ props: [1, 'RpbBucketProps', req] }),
    RpbSetBucketReq: message({ bucket: [1, 'bytes', req], props: [2, 'RpbBucketProps', req], type: [3, 'bytes'] }),
    RpbResetBucketReq: message({ bucket: [1, 'bytes', req], type: [2, 'bytes'] }),
    RpbGetBucketTypeReq: message({ type: [1, 'bytes', req] }),
    RpbSetBucketTypeReq: message({ type: [1, 'bytes', req], props: [2, 'RpbBucketProps', req] }),
    RpbModFun: message({ module: [1, 'bytes', req], function: [2, 'bytes', req] }),
    RpbCommitHook: message({ modfun: [1, 'RpbModFun'], name: [2, 'bytes'] }),
    RpbBucketProps: message(
      {
        n_val: [1, 'uint32'],
        allow_mult: [2, 'bool'],
        last_write_wins: [3, 'bool'],
        precommit: [4, 'RpbCommitHook', rep],
        has_precommit: [5, 'bool'],
        postcommit: [6, 'RpbCommitHook', rep],
        has_postcommit: [7, 'bool'],
        chash_keyfun: [8, 'RpbModFun'],
        linkfun: [9, 'RpbModFun'],
        old_vclock: [10, 'uint32'],
        young_vclock: [11, 'uint32'],
        big_vclock: [12, 'uint32'],
        small_vclock: [13, 'uint32'],
        pr: [14, 'uint32'],
        r: [15, 'uint32'],
        w: [16, 'uint32'],
        pw: [17, 'uint32'],
        dw: [18, 'uint32'],
        rw: [19, 'uint32'],
        basic_quorum: [20, 'bool'],
        notfound_ok: [21, 'bool'],
        backend: [22, 'bytes'],
        search: [23, 'bool'],
        repl: [24, 'RpbReplMode'],
        search_index: [25, 'bytes'],
        datatype: [26, 'bytes'],
        consistent: [27, 'bool'],
        write_once: [28, 'bool'],
        hll_precision: [29, 'uint32'],
      },
      { RpbReplMode: { values: { FALSE: 0, REALTIME: 1, FULLSYNC: 2, TRUE: 3 } } },
    ),
    // riak_kv.proto
    RpbGetClientIdResp: message({ client_id: [1, 'bytes', req] }),
    RpbSetClientIdReq: message({ client_id: [1, 'bytes', req] }),
    RpbGetReq: message({
      bucket: [1, 'bytes', req],
      key: [2, 'bytes', req],
      r: [3, 'uint32'],
      pr: [4, 'uint32'],
      basic_quorum: [5, 'bool'],
      notfound_ok: [6, 'bool'],
      if_modified: [7, 'bytes'],
      head: [8, 'bool'],
      deletedvclock: [9, 'bool'],
      timeout: [10, 'uint32'],
      sloppy_quorum: [11, 'bool'],
      n_val: [12, 'uint32'],
      type: [13, 'bytes'],
    }),
    RpbGetResp: message({ content: [1, 'RpbContent', rep], vclock: [2, 'bytes'], unchanged: [3, 'bool'] }),
    RpbPutReq: message({
      bucket: [1, 'bytes', req],
      key: [2, 'bytes'],
      vclock: [3, 'bytes'],
      content: [4, 'RpbContent', req],
      w: [5, 'uint32'],
      dw: [6, 'uint32'],
      return_body: [7, 'bool'],
      pw: [8, 'uint32'],
      if_not_modified: [9, 'bool'],
      if_none_match: [10, 'bool'],
      return_head: [11, 'bool'],
      timeout: [12, 'uint32'],
      asis: [13, 'bool'],
      sloppy_quorum: [14, 'bool'],
      n_val: [15, 'uint32'],
      type: [16, 'bytes'],
      node_confirms: [17, 'uint32'],
    }),
    RpbPutResp: message({ content: [1, 'RpbContent', rep], vclock: [2, 'bytes'], key: [3, 'bytes'] }),
    RpbDelReq: message({
      bucket: [1, 'bytes', req],
      key: [2, 'bytes', req],
      rw: [3, 'uint32'],
      vclock: [4, 'bytes'],
      r: [5, 'uint32'],
      w: [6, 'uint32'],
      pr: [7, 'uint32'],
      pw: [8, 'uint32'],
      dw: [9, 'uint32'],
      timeout: [10, 'uint32'],
      sloppy_quorum: [11, 'bool'],
      n_val: [12, 'uint32'],
      type: [13, 'bytes'],
    }),
    RpbListBucketsReq: message({ timeout: [1, 'uint32'], stream: [2, 'bool'], type: [3, 'bytes'] }),
    RpbListBucketsResp: message({ buckets: [1, 'bytes', rep], done: [2, 'bool'] }),
    RpbListKeysReq: message({ bucket: [1, 'bytes', req], timeout: [2, 'uint32'], type: [3, 'bytes'] }),
    RpbListKeysResp: message({ keys: [1, 'bytes', rep], done: [2, 'bool'] }),
    RpbIndexReq: message(
      {
        bucket: [1, 'bytes', req],
        index: [2, 'bytes', req],
        qtype: [3, 'IndexQueryType', req],
        key: [4, 'bytes'],
        range_min: [5, 'bytes'],
        range_max: [6, 'bytes'],
        return_terms: [7, 'bool'],
        stream: [8, 'bool'],
        max_results: [9, 'uint32'],
        continuation: [10, 'bytes'],
        timeout: [11, 'uint32'],
        type: [12, 'bytes'],
        term_regex: [13, 'bytes'],
        pagination_sort: [14, 'bool'],
        cover_context: [15, 'bytes'],
        return_body: [16, 'bool'],
      },
      { IndexQueryType: { values: { eq: 0, range: 1 } } },
    ),
    RpbIndexResp: message({ keys: [1, 'bytes', rep], results: [2, 'RpbPair', rep], continuation: [3, 'bytes'], done: [4, 'bool'] }),
    RpbContent: message({
      value: [1, 'bytes', req],
      content_type: [2, 'bytes'],
      charset: [3, 'bytes'],
      content_encoding: [4, 'bytes'],
      vtag: [5, 'bytes'],
      links: [6, 'RpbLink', rep],
      last_mod: [7, 'uint32'],
      last_mod_usecs: [8, 'uint32'],
      usermeta: [9, 'RpbPair', rep],
      indexes: [10, 'RpbPair', rep],
      deleted: [11, 'bool'],
    }),
    RpbLink: message({ bucket: [1, 'bytes'], key: [2, 'bytes'], tag: [3, 'bytes'] }),
  },
}

export const ROOT = protobuf.Root.fromJSON(DESCRIPTOR)

export type MessageName = keyof typeof DESCRIPTOR.nested

export function messageType(name: MessageName): protobuf.Type {
  return ROOT.lookupType(name)
}
