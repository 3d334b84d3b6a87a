/** One pipelined connection from a client to a node's client port. */
import { connect as netConnect } from 'node:net'
import { SpineError } from '../shared/errors.js'
import type { Clock } from '../core/env.js'
import { FramedConnection } from '../net/connection.js'
import { RpcChannel } from '../net/rpc.js'
import type { Logger } from '../shared/log.js'

export function openChannel(host: string, port: number, timeoutMs: number, clock: Clock, log: Logger): Promise<RpcChannel> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port })
    socket.setNoDelay(true)
    const fail = (why: string): void => {
      socket.destroy()
      reject(new SpineError('UNREACHABLE', `cannot connect to ${host}:${port}: ${why}`, { address: `${host}:${port}` }))
    }
    const timer = clock.setTimer(timeoutMs, () => fail(`no answer in ${timeoutMs} ms`))
    socket.once('error', (e) => {
      clock.clearTimer(timer)
      fail(e.message)
    })
    socket.once('connect', () => {
      clock.clearTimer(timer)
      socket.removeAllListeners('error')
      resolve(new RpcChannel(new FramedConnection(socket, log), clock, log))
    })
  })
}
