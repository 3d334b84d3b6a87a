import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Methods answered on a path; anything else there is 405 with an Allow header. Its own module so the
 * route files and the server that mounts them share it without importing each other.
 */
export type MethodTable = Partial<Record<string, (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>>>
