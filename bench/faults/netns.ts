/** cluster/netns/netns.sh, called from Node: one prefix (so one set of namespaces) per run. */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The repository root: the first directory above this file holding package.json (works from bench/ and dist/bench/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('no package.json above bench/faults')
    dir = up
  }
  return dir
}

export interface ShResult { code: number; out: string }

export class Netns {
  readonly script: string
  private readonly env: NodeJS.ProcessEnv

  constructor(readonly prefix: string, readonly net = '10.77.0') {
    this.script = join(repoRoot(), 'cluster/netns/netns.sh')
    this.env = { ...process.env, NETNS_PREFIX: prefix, NETNS_NET: net }
  }

  /** Node name (n1..) to its address inside the namespaces. */
  addr(node: string): string {
    return `${this.net}.${10 + Number(node.replace(/^n/, ''))}`
  }

  async sh(args: readonly string[], timeoutMs = 120_000): Promise<ShResult> {
    try {
      const { stdout, stderr } = await run(this.script, [...args], { env: this.env, timeout: timeoutMs })
      return { code: 0, out: stdout + stderr }
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string; message?: string }
      return { code: typeof err.code === 'number' ? err.code : -1, out: (err.stdout ?? '') + (err.stderr ?? '') || (err.message ?? '') }
    }
  }

  /** Like sh, but a failure throws: a fault that was not injected must not be recorded as one. */
  async must(args: readonly string[]): Promise<void> {
    const r = await this.sh(args)
    if (r.code !== 0) throw new Error(`netns.sh ${args.join(' ')} exited ${r.code}: ${r.out.trim()}`)
  }

  /** A process in the control namespace (where the clients run), its output inherited. */
  spawnInCtl(command: string, args: readonly string[]): ChildProcess {
    return spawn(this.script, ['exec', 'ctl', command, ...args], { env: this.env, stdio: ['ignore', 'inherit', 'inherit'] })
  }

  /** Synchronous teardown, for signal handlers that cannot wait on a promise. */
  downSync(): void {
    try {
      execFileSync(this.script, ['down'], { env: this.env, stdio: 'ignore', timeout: 60_000 })
    } catch {
      // Best effort: the namespaces are named by the prefix and the next `up` removes them too.
    }
  }
}
