import type { Logger } from '../../src/shared/log.js'

export interface LogEntry {
  level: string
  obj: object
  msg?: string
}

/** Keeps every log line so tests can assert what was warned about. */
export function captureLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj, msg })
    }
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => captureLogger(entries) }
}
