/**
 * Connections per client address, so one client (a runaway pool, a connect storm, a fuzzer)
 * cannot take every connection a port allows from the others. Every listener of a node (client,
 * cluster, HTTP and PB ports) keeps one; a socket over the limit is closed at accept, before any
 * of its bytes are read. Counted by IP address: the port of the other end changes per connection.
 */
import type { Socket } from 'node:net'

export class PerClientConnections {
  private readonly counts = new Map<string, number>()

  constructor(readonly max: number) {}

  /**
   * Counts the socket against its address and returns true, or returns false (and counts
   * nothing) when that address already holds `max`. A counted socket is released when it closes.
   */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? '?'
    const n = this.counts.get(address) ?? 0
    if (n >= this.max) return false
    this.counts.set(address, n + 1)
    socket.once('close', () => {
      const left = (this.counts.get(address) ?? 1) - 1
      if (left <= 0) this.counts.delete(address)
      else this.counts.set(address, left)
    })
    return true
  }

  /** Open connections from one address. */
  of(address: string): number {
    return this.counts.get(address) ?? 0
  }
}
