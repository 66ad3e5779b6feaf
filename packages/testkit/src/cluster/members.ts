/**
 * The brokers of a `startCluster()` cluster, in one of two modes:
 *   - InProcessMember: `new Broker(config)` from @kzoo/broker in this process;
 *   - ProcessMember: the same Broker in a child process (broker-main.js), so it can be
 *     SIGKILLed, SIGSTOPped and SIGCONTed for real.
 * Both bind PLAINTEXT (kzoo's protocol, also inter-broker) and KAFKA (Kafka's protocol)
 * listeners on 127.0.0.1; port 0 at first start, the same ports on restart.
 */
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Broker, ConfigInput } from '@kzoo/broker';
import { kzooNodeArgs } from '@kzoo/common';
import { trackChild } from '../util';

export type ClusterMode = 'process' | 'in-process';

export interface MemberSpec {
  id: number;
  dataDir: string;
  zkConnect: string;
  /** Broker config (Kafka keys), without listeners / zookeeper.connect / log.dirs. */
  config: ConfigInput;
  /** Fixed listener ports (a proxied cluster's hidden ports); default port 0 at first start. */
  ports?: { port: number; kafkaPort: number };
}

export interface ClusterMember {
  readonly id: number;
  readonly mode: ClusterMode;
  /** Bound ports (valid once started). */
  readonly port: number;
  readonly kafkaPort: number;
  readonly running: boolean;
  readonly paused: boolean;
  /** Loads the broker code ahead of start() (a child process forks and waits). */
  prepare(): void;
  /** Starts it (again, with the same ports and data) and resolves once it is registered and serving. */
  start(extraConfig?: ConfigInput): Promise<void>;
  /** Controlled shutdown (Kafka's SIGTERM): leadership moves away first. */
  stop(): Promise<void>;
  /** Abrupt end: no controlled shutdown, no ZooKeeper session close (it expires later). */
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Ends its ZooKeeper session from the server side (it then registers with a new one). */
  expireSession(): Promise<void>;
  /** The last lines it wrote (process mode), for error messages. */
  outputTail(): string;
}

function brokerConfig(spec: MemberSpec, ports: { port: number; kafkaPort: number }): ConfigInput {
  return {
    'broker.id': spec.id,
    'log.dirs': spec.dataDir,
    'zookeeper.connect': spec.zkConnect,
    listeners: `PLAINTEXT://127.0.0.1:${ports.port},KAFKA://127.0.0.1:${ports.kafkaPort}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,KAFKA:PLAINTEXT',
    'listener.wire.protocol.map': 'KAFKA:kafka',
    'inter.broker.listener.name': 'PLAINTEXT',
    ...spec.config,
  };
}

export class InProcessMember implements ClusterMember {
  readonly mode = 'in-process';
  private broker: Broker | null = null;
  private ports: { port: number; kafkaPort: number };
  private loading: Promise<typeof import('@kzoo/broker')> | null = null;

  constructor(private readonly spec: MemberSpec) {
    this.ports = spec.ports ?? { port: 0, kafkaPort: 0 };
  }

  get id() {
    return this.spec.id;
  }
  get port() {
    return this.ports.port;
  }
  get kafkaPort() {
    return this.ports.kafkaPort;
  }
  get running() {
    return this.broker !== null;
  }
  get paused() {
    return false;
  }
  /** The Broker object while it runs. */
  get instance(): Broker | null {
    return this.broker;
  }

  prepare(): void {
    // Loaded here: process-mode users never load the broker into their own process.
    this.loading ??= import('@kzoo/broker');
    this.loading.catch(() => undefined);
  }

  async start(extraConfig: ConfigInput = {}): Promise<void> {
    if (this.broker) throw new Error(`broker ${this.id} is already running`);
    this.prepare();
    const { Broker } = await this.loading!;
    const b = new Broker({ ...brokerConfig(this.spec, this.ports), ...extraConfig });
    b.on('fatal', () => void b.shutdown());
    await b.start();
    this.broker = b;
    this.ports = {
      port: b.dataPlane.socketServerOf('PLAINTEXT').port,
      kafkaPort: b.dataPlane.socketServerOf('KAFKA').port,
    };
  }

  async stop(): Promise<void> {
    const b = this.broker;
    this.broker = null;
    await b?.shutdown();
  }

  async kill(): Promise<void> {
    throw unsupported('killBroker', this.id);
  }
  pause(): void {
    throw unsupported('pauseBroker', this.id);
  }
  resume(): void {
    throw unsupported('resumeBroker', this.id);
  }

  async expireSession(): Promise<void> {
    if (!this.broker) throw new Error(`broker ${this.id} is not running`);
    await this.broker.zkClient.zk.forceExpire();
  }

  outputTail(): string {
    return '';
  }
}

function unsupported(what: string, id: number): Error {
  return new Error(
    `${what}(${id}) needs startCluster({ mode: 'process' }): an in-process broker shares this ` +
      'process, so it cannot be killed or frozen on its own (stopBroker, restartBroker, ' +
      'expireSession and network faults work in both modes)',
  );
}

/** The child entry: beside this file once compiled; from src/ (ts-jest), the dist/ copy. */
function brokerMain(): string {
  const here = path.join(__dirname, 'broker-main.js');
  if (fs.existsSync(here)) return here;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'cluster', 'broker-main.js');
  if (fs.existsSync(built)) return built;
  throw new Error(
    `${built} is missing: build first with \`npx tsc -b\` (mode 'process' runs compiled JS)`,
  );
}

interface StartedMessage {
  type: 'started';
  port: number;
  kafkaPort: number;
}

export class ProcessMember implements ClusterMember {
  readonly mode = 'process';
  private child: ChildProcess | null = null;
  private ports: { port: number; kafkaPort: number };
  private output = '';
  private _paused = false;
  private configured = false;
  private seq = 0;
  private readonly replies = new Map<number, (error?: string) => void>();

  constructor(private readonly spec: MemberSpec) {
    this.ports = spec.ports ?? { port: 0, kafkaPort: 0 };
  }

  get id() {
    return this.spec.id;
  }
  get port() {
    return this.ports.port;
  }
  get kafkaPort() {
    return this.ports.kafkaPort;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running() {
    const c = this.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }
  get paused() {
    return this._paused;
  }

  prepare(): void {
    if (this.running) return;
    this.output = '';
    const child = fork(brokerMain(), [], {
      env: {
        ...process.env,
        KZOO_LOG_LEVEL: process.env.KZOO_BROKER_LOG_LEVEL ?? process.env.KZOO_LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: kzooNodeArgs(),
    });
    trackChild(child);
    this.child = child;
    this.configured = false;
    this._paused = false;
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString('utf8')).slice(-20000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('error', () => undefined); // 'exit' follows
    child.on('message', (m: { type: string; seq?: number; error?: string }) => {
      if (m.type === 'expired' && m.seq !== undefined) {
        this.replies.get(m.seq)?.(m.error);
        this.replies.delete(m.seq);
      }
    });
  }

  async start(extraConfig: ConfigInput = {}): Promise<void> {
    if (this.running && this.configured) throw new Error(`broker ${this.id} is already running`);
    this.prepare();
    const child = this.child!;
    this.configured = true;
    child.send({
      type: 'start',
      config: { ...brokerConfig(this.spec, this.ports), ...extraConfig },
    });
    const started = await new Promise<StartedMessage>((resolve, reject) => {
      const onMessage = (m: StartedMessage) => {
        if (m.type !== 'started') return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(m);
      };
      const onExit = (code: number | null, signal: string | null) =>
        reject(
          new Error(
            `broker ${this.id} exited during startup (${signal ?? `code ${code}`}):\n${this.outputTail()}`,
          ),
        );
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    this.ports = { port: started.port, kafkaPort: started.kafkaPort };
    // The channel must not keep this process alive by itself.
    child.channel?.unref();
  }

  private exited(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise((r) => c.once('exit', () => r()));
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const exited = this.exited();
    c.kill('SIGTERM');
    if (this._paused) this.resume();
    const t = setTimeout(() => c.kill('SIGKILL'), 30000);
    await exited;
    clearTimeout(t);
  }

  async kill(): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const exited = this.exited();
    c.kill('SIGKILL');
    this._paused = false;
    await exited;
  }

  pause(): void {
    if (!this.running) throw new Error(`broker ${this.id} is not running`);
    this.child!.kill('SIGSTOP');
    this._paused = true;
  }

  resume(): void {
    if (!this.running) return;
    this.child!.kill('SIGCONT');
    this._paused = false;
  }

  async expireSession(): Promise<void> {
    const c = this.child;
    if (!c || !this.running) throw new Error(`broker ${this.id} is not running`);
    if (this._paused) throw new Error(`broker ${this.id} is paused: resume it first`);
    const seq = ++this.seq;
    const error = await new Promise<string | undefined>((resolve) => {
      this.replies.set(seq, resolve);
      c.send({ type: 'expireSession', seq });
    });
    if (error) throw new Error(`broker ${this.id} could not expire its session: ${error}`);
  }

  outputTail(): string {
    return this.output.trimEnd().split('\n').slice(-30).join('\n');
  }
}
