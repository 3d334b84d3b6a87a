/**
 * What the etcd and Redis baselines share: finding an installed server binary, free loopback ports,
 * starting server processes in a temporary directory and stopping them afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/** The absolute path of an executable on PATH (plus the sbin directories Debian uses), or undefined. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin']
  for (const d of dirs) {
    if (!d) continue
    try {
      accessSync(join(d, name), constants.X_OK)
      return join(d, name)
    } catch {
      // not here; next directory
    }
  }
  return undefined
}

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer()
    s.once('error', () => res(false))
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)))
  })
}

/**
 * count free ports in one random block below the ephemeral range (so no outgoing connection takes
 * one between this check and the server binding it); each also free at +offset when given (Redis
 * Cluster's bus port is the client port + 10000).
 */
export async function freePorts(count: number, offset?: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 21_000 + 50 * Math.floor(Math.random() * 200)
    const ports = Array.from({ length: count }, (_, k) => base + k)
    const all = offset === undefined ? ports : [...ports, ...ports.map((p) => p + offset)]
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return ports
  }
  throw new Error('no free port block found')
}

export class ServerGroup {
  readonly dir: string
  private readonly children: ChildProcess[] = []

  constructor(label: string) {
    this.dir = mkdtempSync(join(tmpdir(), `spinekv-bench-${label}-`))
  }

  /** A server process logging to DIR/name.log; a process that exits early is reported by exited(). */
  start(name: string, bin: string, args: string[]): ChildProcess {
    const log = openSync(join(this.dir, `${name}.log`), 'a')
    const child = spawn(bin, args, { stdio: ['ignore', log, log], cwd: this.dir })
    this.children.push(child)
    return child
  }

  exited(): boolean {
    return this.children.some((c) => c.exitCode !== null || c.signalCode !== null)
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((res) => {
            if (c.exitCode !== null || c.signalCode !== null) return res()
            const timer = setTimeout(() => c.kill('SIGKILL'), 5_000)
            c.once('exit', () => {
              clearTimeout(timer)
              res()
            })
            c.kill('SIGTERM')
          }),
      ),
    )
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** Retry probe until it resolves true or the deadline passes; false on timeout. */
export async function waitFor(probe: () => Promise<boolean>, timeoutMs: number, giveUp: () => boolean = () => false): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (giveUp()) return false
    try {
      if (await probe()) return true
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return false
}
