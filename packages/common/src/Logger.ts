/**
 * Structured logging with child loggers per component (`broker=1 partition=t-0`).
 * One line per event: `<iso time> <LEVEL> [<namespace>] <msg> key=value ...`, or JSON
 * lines when KZOO_LOG_FORMAT=json. Level from KZOO_LOG_LEVEL (default info;
 * under jest default warn). State changes log on their own namespace, `state.change`,
 * as Kafka's state-change.log.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, unknown>;
export type LogSink = (line: string) => void;

function defaultLevel(): LogLevel {
  const env = process.env.KZOO_LOG_LEVEL as LogLevel | undefined;
  if (env && env in RANK) return env;
  return process.env.JEST_WORKER_ID ? 'warn' : 'info';
}

let globalLevel: LogLevel = defaultLevel();
let globalSink: LogSink = (line) => process.stderr.write(line + '\n');

export function setLogLevel(level: LogLevel): void {
  globalLevel = level;
}
export function setLogSink(sink: LogSink): void {
  globalSink = sink;
}

function fmtValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v) ?? String(v);
}

export class Logger {
  constructor(
    readonly namespace: string,
    private readonly bindings: LogFields = {},
  ) {}

  child(bindings: LogFields, namespace = this.namespace): Logger {
    return new Logger(namespace, { ...this.bindings, ...bindings });
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[globalLevel];
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const all = { ...this.bindings, ...fields };
    if (process.env.KZOO_LOG_FORMAT === 'json') {
      globalSink(
        JSON.stringify(
          { time: new Date().toISOString(), level, ns: this.namespace, msg, ...all },
          (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v),
        ),
      );
      return;
    }
    const kv = Object.entries(all)
      .map(([k, v]) => `${k}=${fmtValue(v)}`)
      .join(' ');
    globalSink(
      `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${this.namespace}] ${msg}${kv ? ' ' + kv : ''}`,
    );
  }
}

export function createLogger(namespace: string, bindings?: LogFields): Logger {
  return new Logger(namespace, bindings);
}

const TEXT_LINE = /^\S+ (DEBUG|INFO|WARN|ERROR) +\[/;

/**
 * The lines of `text` (a process's log output, in either format; other lines are skipped)
 * logged at `min` or above, e.g. what a broker warned about during a bench phase.
 */
export function logLinesAtOrAbove(text: string, min: LogLevel): string[] {
  const rank = RANK[min];
  return text.split('\n').filter((line) => {
    const m = TEXT_LINE.exec(line);
    if (m) return RANK[m[1].toLowerCase() as LogLevel] >= rank;
    if (!line.startsWith('{')) return false;
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level;
      return typeof level === 'string' && level in RANK && RANK[level as LogLevel] >= rank;
    } catch {
      return false;
    }
  });
}
