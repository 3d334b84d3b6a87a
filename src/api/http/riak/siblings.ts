/**
 * Answering with an object: 200 with its one live sibling, or Riak's 300 Multiple Choices with
 * every sibling as multipart/mixed (when the client accepts it) or as a text/plain vtag list.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Sibling } from '../../../core/object.js'
import { vtagOf } from '../../riakNames.js'
import { header, siblingHeaders, type Headers } from './headers.js'
import { styleOf } from './paths.js'

export function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)
}

export interface Where {
  type: string
  bucket: string
}

/** multipart/mixed of every sibling, each part with its own headers. */
export function multipart(siblings: Sibling[], headersOf: (s: Sibling) => Array<[string, string]>): { boundary: string; body: Buffer } {
  const values = siblings.map((s) => asBuffer(s.value))
  let boundary = randomBytes(18).toString('base64url')
  while (values.some((v) => v.includes(boundary))) boundary = randomBytes(18).toString('base64url')
  const parts: Buffer[] = []
  siblings.forEach((s, i) => {
    const head = headersOf(s)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')
    parts.push(Buffer.from(`--${boundary}\r\n${head}\r\n`, 'latin1'), values[i]!, Buffer.from('\r\n'))
  })
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { boundary, body: Buffer.concat(parts) }
}

/** The text/plain 300 body: "Siblings:" and one vtag per line. */
export function siblingList(siblings: Sibling[]): string {
  return ['Siblings:', ...siblings.map(vtagOf)].join('\n') + '\n'
}

export function accepts(h: Headers, type: string): boolean {
  const v = header(h, 'accept')
  return v !== undefined && v.split(',').some((p) => p.split(';')[0]!.trim().toLowerCase() === type)
}

export function sendSibling(req: FastifyRequest, reply: FastifyReply, where: Where, s: Sibling, status: number): FastifyReply {
  for (const [k, v] of siblingHeaders(s, styleOf(req), where.type, where.bucket)) reply.header(k, v)
  return reply.code(status).send(asBuffer(s.value))
}

/** 200 with one live sibling, 300 with several; the caller has answered "none". */
export function sendLive(req: FastifyRequest, reply: FastifyReply, where: Where, live: Sibling[], okStatus: number): FastifyReply {
  if (live.length === 1) return sendSibling(req, reply, where, live[0]!, okStatus)
  if (accepts(req.headers as Headers, 'multipart/mixed')) {
    const style = styleOf(req)
    const { boundary, body } = multipart(live, (s) => siblingHeaders(s, style, where.type, where.bucket))
    return reply.code(300).header('content-type', `multipart/mixed; boundary=${boundary}`).send(body)
  }
  return reply.code(300).type('text/plain; charset=utf-8').send(siblingList(live))
}
