/**
 * Real node processes for tests: `spinekv dev start --detach` in a temporary directory on free
 * loopback ports, stopped (SIGKILL if need be) when the test ends.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { freeBasePort } from '../../src/cli/freePorts.js'

const run = promisify(execFile)
export const CLI = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../dist/src/cli/main.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }
  }
}

export interface TestCluster {
  dir: string
  basePort: number
  clientPort(i: number): number
  host(i: number): string
  stop(): Promise<void>
}

/**
 * A fresh dev cluster on free ports. A start that times out is retried once on new ports (a
 * port picked as free can be taken by another process's outgoing connection before the node
 * binds it, and a loaded CI machine is slow); the failure keeps the nodes' last log lines.
 */
export async function startCluster(nodes = 3, extra: string[] = []): Promise<TestCluster> {
  let dir = ''
  let basePort = 0
  for (let attempt = 1; ; attempt++) {
    dir = mkdtempSync(join(tmpdir(), 'spinekv-test-'))
    basePort = await freeBasePort(nodes)
    const r = await cli(['dev', 'start', '--dir', dir, '--nodes', String(nodes), '--base-port', String(basePort), '--detach', ...extra])
    if (r.code === 0) break
    const logs = nodeLogTails(dir, nodes)
    await cli(['dev', 'stop', '--dir', dir, '--kill'])
    rmSync(dir, { recursive: true, force: true })
    if (attempt >= 2) throw new Error(`dev start failed (${r.code}): ${r.stderr}\n${logs}`)
    process.stderr.write(`dev start failed (${r.code}), retrying on other ports: ${r.stderr}\n${logs}\n`)
  }
  const clientPort = (i: number): number => basePort + 10 * i + 1
  return {
    dir,
    basePort,
    clientPort,
    host: (i) => `127.0.0.1:${clientPort(i)}`,
    async stop() {
      await cli(['dev', 'stop', '--dir', dir, '--kill'])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function nodeLogTails(dir: string, nodes: number): string {
  return Array.from({ length: nodes }, (_, k) => {
    const file = join(dir, `n${k + 1}.log`)
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-5) : ['(no log)']
    return `n${k + 1}.log: ${lines.join(' | ')}`
  }).join('\n')
}

/** Polls fn every 250 ms until it holds; the time it took, or an error naming what never happened within ms. */
export async function waitFor(what: string, fn: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now()
  while (!(await fn())) {
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  return Date.now() - started
}

/** A CLI command against host with --json, parsed; a non-zero exit is an error carrying its stderr. */
export async function cliJsonAt<T>(host: string, args: string[]): Promise<T> {
  const r = await cli([...args, '--host', host, '--json'])
  if (r.code !== 0) throw new Error(`spinekv ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}
