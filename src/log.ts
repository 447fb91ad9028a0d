/** A tiny structured logger: one JSON line per event, on stderr so CLI output stays parseable. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export function createLog(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Log {
  const emit = (at: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (order[at] < order[level]) return;
    write(JSON.stringify({ t: new Date().toISOString(), level: at, msg, ...fields }));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A log that keeps its lines, for tests that assert on what was said. */
export function memoryLog(): Log & { lines: Array<{ level: string; msg: string } & Record<string, unknown>> } {
  const lines: Array<{ level: string; msg: string } & Record<string, unknown>> = [];
  const keep = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push({ level, msg, ...fields });
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}
