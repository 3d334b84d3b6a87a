/**
 * What every TCP listener of a node does alike (the cluster and client ports, the PB port): log,
 * not throw, an error after bind (EMFILE on accept must not become an uncaught 'error' event),
 * resolve listen() once bound or reject with the bind error, and report the bound port.
 */
import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from '../shared/log.js'

export class Listener {
  readonly server: Server
  private listening = false

  constructor(
    private readonly where: { host: string; port: number },
    private readonly log: Logger,
    private readonly messages: { error: string; listening: string },
    accept: (socket: Socket) => void,
  ) {
    this.server = createServer(accept)
    this.server.on('error', (err) => {
      if (this.listening) this.log.error({ err: err.message }, messages.error)
    })
  }

  /** Resolves once bound; rejects with the bind error (EADDRINUSE, ...). */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.server.once('error', onError)
      this.server.listen(this.where.port, this.where.host, () => {
        this.server.off('error', onError)
        this.listening = true
        this.log.info({ host: this.where.host, port: this.port }, this.messages.listening)
        resolve()
      })
    })
  }

  /** Stops listening (open connections are the caller's to end first). */
  async close(): Promise<void> {
    if (!this.listening) return
    this.listening = false
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** The bound port (the real one when constructed with port 0). */
  get port(): number {
    const addr = this.server.address()
    return addr !== null && typeof addr === 'object' ? addr.port : this.where.port
  }
}
