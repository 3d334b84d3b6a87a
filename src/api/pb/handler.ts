/**
 * One PB request to its reply (or, for listings, its stream of replies). Each message code maps to
 * one operation on the coordinators every port shares; codes Riak defines for features spinekv
 * does not have are answered with an ErrorResp that names them. Errors are thrown as SpineErrors
 * and turned into the ErrorResp by the connection (server.ts), mid-stream included.
 */
import { randomBytes } from 'node:crypto'
import { SpineError } from '../../shared/errors.js'
import type { KvEnv } from '../../kv/env.js'
import { listBuckets, listKeys } from '../../kv/listKeys.js'
import { checkBKey, DEFAULT_TYPE } from '../../kv/request.js'
import { checkUnchanged, propsToPb, type RpbBucketProps } from './bucketProps.js'
import { MSG, REFUSED } from './codes.js'
import { decodePb } from './codec.js'
import { bkeyOf, pbDel, pbGet, pbPut, type RpbDelReq, type RpbGetReq, type RpbPutReq } from './kvOps.js'
import { utf8Field } from './content.js'
import { pbIndex, type RpbIndexReq } from './indexOp.js'
import type { MessageName } from './riakMessages.js'
import type { PbFrame } from './frame.js'

export interface PbDeps {
  env: KvEnv
  /** GetServerInfo's server_version. */
  serverVersion: string
}

/** Per connection: the client id Riak lets a client set (spinekv's clocks use vnode actors, so it is only echoed). */
export interface PbSession {
  clientId: Uint8Array
}

export function newSession(): PbSession {
  return { clientId: randomBytes(4) }
}

/** Sends one reply; resolves once the socket can take more (streams wait on it). */
export type Send = (code: number, name?: MessageName, value?: object) => Promise<void>

interface BucketReq {
  bucket: Uint8Array
  type?: Uint8Array
  props?: RpbBucketProps
}

interface TypeReq {
  type: Uint8Array
  props?: RpbBucketProps
}

interface ListKeysReq {
  bucket: Uint8Array
  timeout?: number
  type?: Uint8Array
}

interface ListBucketsReq {
  timeout?: number
  stream?: boolean
  type?: Uint8Array
}

function typeName(t: Uint8Array | undefined): string {
  // checkBKey bounds a type's length; any bucket and key will do for it.
  return checkBKey(t === undefined || t.byteLength === 0 ? DEFAULT_TYPE : utf8Field('type', t), 'b', 'k').type
}

function bucketName(type: Uint8Array | undefined, bucket: Uint8Array): { type: string; bucket: string } {
  const bk = bkeyOf(type, bucket, 'k')
  return { type: bk.type, bucket: bk.bucket }
}

function timeoutOf(t: number | undefined): number | undefined {
  return t === undefined || t === 0 ? undefined : t
}

export async function handlePb(deps: PbDeps, session: PbSession, frame: PbFrame, send: Send): Promise<void> {
  const { env } = deps
  const body = frame.body
  switch (frame.code) {
    case MSG.PingReq:
      return send(MSG.PingResp)
    case MSG.GetClientIdReq:
      return send(MSG.GetClientIdResp, 'RpbGetClientIdResp', { client_id: session.clientId })
    case MSG.SetClientIdReq:
      // A copy: the decoded field is a view into the socket's chunk, which it would keep alive.
      session.clientId = Buffer.from(decodePb<{ client_id: Uint8Array }>('RpbSetClientIdReq', body).client_id)
      return send(MSG.SetClientIdResp)
    case MSG.GetServerInfoReq:
      return send(MSG.GetServerInfoResp, 'RpbGetServerInfoResp', { node: Buffer.from(env.self), server_version: Buffer.from(deps.serverVersion) })
    case MSG.GetReq:
      return send(MSG.GetResp, 'RpbGetResp', await pbGet(env, decodePb<RpbGetReq>('RpbGetReq', body)))
    case MSG.PutReq:
      return send(MSG.PutResp, 'RpbPutResp', await pbPut(env, decodePb<RpbPutReq>('RpbPutReq', body)))
    case MSG.DelReq:
      await pbDel(env, decodePb<RpbDelReq>('RpbDelReq', body))
      return send(MSG.DelResp)
    case MSG.ListBucketsReq:
      return sendBuckets(env, decodePb<ListBucketsReq>('RpbListBucketsReq', body), send)
    case MSG.ListKeysReq: {
      const req = decodePb<ListKeysReq>('RpbListKeysReq', body)
      const { type, bucket } = bucketName(req.type, req.bucket)
      for await (const keys of listKeys(env, type, bucket, timeoutOf(req.timeout))) {
        await send(MSG.ListKeysResp, 'RpbListKeysResp', { keys: keys.map((k) => Buffer.from(k, 'utf8')) })
      }
      return send(MSG.ListKeysResp, 'RpbListKeysResp', { done: true })
    }
    case MSG.GetBucketReq: {
      const req = decodePb<BucketReq>('RpbGetBucketReq', body)
      const { type, bucket } = bucketName(req.type, req.bucket)
      return send(MSG.GetBucketResp, 'RpbGetBucketResp', { props: propsToPb(env.props.get(type, bucket)) })
    }
    case MSG.SetBucketReq: {
      const req = decodePb<BucketReq>('RpbSetBucketReq', body)
      const { type, bucket } = bucketName(req.type, req.bucket)
      checkUnchanged(`SetBucket ${type}/${bucket}`, env.props.get(type, bucket), req.props ?? {})
      return send(MSG.SetBucketResp)
    }
    case MSG.ResetBucketReq: {
      const req = decodePb<BucketReq>('RpbResetBucketReq', body)
      const { type, bucket } = bucketName(req.type, req.bucket)
      // Reset means "the type's properties": nothing to do when the bucket has none of its own.
      checkUnchanged(`ResetBucket ${type}/${bucket}`, env.props.get(type, bucket), propsToPb(env.props.get(type, '')))
      return send(MSG.ResetBucketResp)
    }
    case MSG.GetBucketTypeReq: {
      const type = typeName(decodePb<TypeReq>('RpbGetBucketTypeReq', body).type)
      return send(MSG.GetBucketResp, 'RpbGetBucketResp', { props: propsToPb(env.props.get(type, '')) })
    }
    case MSG.SetBucketTypeReq: {
      const req = decodePb<TypeReq>('RpbSetBucketTypeReq', body)
      const type = typeName(req.type)
      checkUnchanged(`SetBucketType ${type}`, env.props.get(type, ''), req.props ?? {})
      return send(MSG.SetBucketResp)
    }
    case MSG.IndexReq:
      return pbIndex(env, decodePb<RpbIndexReq>('RpbIndexReq', body), send)
    default: {
      const refused = REFUSED.get(frame.code)
      if (refused !== undefined) throw new SpineError('UNKNOWN_OPERATION', `${refused} is not supported by spinekv`, { pbCode: frame.code })
      throw new SpineError('UNKNOWN_OPERATION', `unknown or non-request message code ${frame.code}`, { pbCode: frame.code })
    }
  }
}

/** Streamed: a page per reply and a final done. Not streamed: one reply with every bucket, as Riak. */
async function sendBuckets(env: KvEnv, req: ListBucketsReq, send: Send): Promise<void> {
  const pages = listBuckets(env, typeName(req.type), timeoutOf(req.timeout))
  const toBytes = (names: string[]): Buffer[] => names.map((b) => Buffer.from(b, 'utf8'))
  if (req.stream === true) {
    for await (const names of pages) await send(MSG.ListBucketsResp, 'RpbListBucketsResp', { buckets: toBytes(names) })
    return send(MSG.ListBucketsResp, 'RpbListBucketsResp', { done: true })
  }
  const all: string[] = []
  for await (const names of pages) all.push(...names)
  return send(MSG.ListBucketsResp, 'RpbListBucketsResp', { buckets: toBytes(all) })
}
