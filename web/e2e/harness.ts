// Starts the real parts of an end-to-end run: Xvfb, the test-pattern X client,
// a DNS server (dnsmasq) the server asks for domain records, `reach server`, and
// an enrolled `reach agent`. No mocks. Every child's output is
// kept under the given log directory, and every child is killed at the end (or
// when the test process exits, whatever happens).

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where `cargo build --release` puts the binaries. */
export const BIN = join(process.env['CARGO_TARGET_DIR'] ?? join(REPO, 'target'), 'release');

export const SCREEN = { width: 1280, height: 800 } as const;
export const DEVICE_NAME = 'e2e-device';
export const ADMIN_EMAIL = 'admin@example.com';

/** One line of the test pattern's events file. */
export interface PatternEvent {
  event: string;
  button?: number;
  x?: number;
  y?: number;
  keysym?: number;
  text?: string;
  state?: number;
}

export interface Harness {
  /** `https://127.0.0.1:PORT/console`, as the server printed it. */
  consoleUrl: string;
  /** `https://127.0.0.1:PORT`. */
  origin: string;
  fingerprint: string;
  adminEmail: string;
  adminPassword: string;
  display: string;
  /** Makes the DNS server answer exactly these TXT records (name, value). */
  setDnsRecords(records: readonly (readonly [string, string])[]): Promise<void>;
  /** Starts `reach agent run` (the device goes online). */
  startAgent(): Promise<void>;
  /** Everything the test pattern has logged so far. */
  events(): Promise<PatternEvent[]>;
  /** Kills every child and removes the temporary directory (logs stay). */
  stop(): Promise<void>;
}

export class Child {
  /** Resolves with a description of how the process ended ("exit 0", "SIGTERM"). */
  readonly exited: Promise<string>;
  #ended = false;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly logPath: string,
  ) {
    this.exited = new Promise((resolveExit) => {
      process.once('exit', (code, signal) => {
        this.#ended = true;
        resolveExit(signal ?? `exit ${code}`);
      });
      process.once('error', (error) => {
        this.#ended = true;
        resolveExit(`failed to start: ${error.message}`);
      });
    });
  }

  get running(): boolean {
    return !this.#ended;
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

const children: Child[] = [];

// Last resort when the test process dies without running afterAll.
process.once('exit', () => {
  for (const child of children) if (child.running) child.process.kill('SIGKILL');
});

async function tail(path: string, lines = 30): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

async function failure(message: string, child?: Child): Promise<Error> {
  if (child === undefined) return new Error(message);
  return new Error(`${message}\n--- last lines of ${child.logPath} ---\n${await tail(child.logPath)}`);
}

function logStream(path: string): WriteStream {
  return createWriteStream(path, { flags: 'a' });
}

/** Copies a stream into the log and calls `onLine` for every complete line. */
function pipeLines(stream: Readable | null, log: WriteStream, prefix: string, onLine?: (line: string) => void): void {
  if (stream === null) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    log.write(chunk.replace(/^(?=.)/gm, prefix));
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      onLine?.(pending.slice(0, newline).replace(/\r$/, ''));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  });
}

interface StartOptions {
  env?: Record<string, string>;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  extraFd?: boolean;
}

export function start(name: string, program: string, args: string[], logDir: string, options: StartOptions = {}): Child {
  const logPath = join(logDir, `${name}.log`);
  const log = logStream(logPath);
  log.write(`$ ${program} ${args.join(' ')}\n`);
  const proc = spawn(program, args, {
    env: { ...process.env, RUST_BACKTRACE: '1', RUST_LOG: process.env['RUST_LOG'] ?? 'info', ...options.env },
    stdio: options.extraFd === true ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  const child = new Child(name, proc, logPath);
  children.push(child);
  pipeLines(proc.stdout, log, '', options.onStdoutLine);
  pipeLines(proc.stderr, log, '[stderr] ', options.onStderrLine);
  proc.once('error', (error) => log.write(`[harness] could not start ${program}: ${error.message}\n`));
  void child.exited.then((how) => log.write(`[harness] ${name} ended: ${how}\n`));
  return child;
}

/** Runs a short command to completion and returns its stdout. */
async function run(name: string, program: string, args: string[], logDir: string, env: Record<string, string> = {}): Promise<string> {
  let stdout = '';
  const child = start(name, program, args, logDir, { env, onStdoutLine: (line) => (stdout += `${line}\n`) });
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 30_000);
  const how = await child.exited;
  clearTimeout(timer);
  if (how !== 'exit 0') throw await failure(`${name} failed (${how})`, child);
  return stdout;
}

/** Resolves with the first value `check` returns, polling every 50 ms. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, child?: Child): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (child !== undefined && !child.running) throw await failure(`${child.name} exited while waiting for ${what}`, child);
    if (Date.now() > deadline) throw await failure(`timed out after ${timeoutMs} ms waiting for ${what}`, child);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

async function startXvfb(logDir: string): Promise<{ child: Child; display: string }> {
  const child = start('xvfb', 'Xvfb', ['-displayfd', '3', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`, '-nolisten', 'tcp', '-noreset'], logDir, {
    extraFd: true,
  });
  let displayOutput = '';
  let spawnError: Error | null = null;
  child.process.once('error', (error) => (spawnError = error));
  const fd3 = child.process.stdio[3] as Readable | null;
  fd3?.setEncoding('utf8');
  fd3?.on('data', (chunk: string) => (displayOutput += chunk));
  const number = await waitFor(
    'Xvfb to print its display number',
    15_000,
    () => {
      if (spawnError !== null) {
        const code = (spawnError as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? 'Xvfb is not installed: install xvfb (apt-get install xvfb)' : `Xvfb: ${spawnError.message}`);
      }
      const match = /^(\d+)\n/.exec(displayOutput);
      return match?.[1];
    },
    child,
  );
  return { child, display: `:${number}` };
}

/** A port free on loopback (dnsmasq takes UDP and TCP on it). */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function answersTcp(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      answer(true);
    });
    socket.once('error', () => answer(false));
  });
}

/**
 * dnsmasq on loopback, authoritative for the given TXT records and nothing else (no
 * upstream, no hosts file). Records change by restarting it on the same port.
 */
async function startDns(logDir: string, port: number, records: readonly (readonly [string, string])[]): Promise<Child> {
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--bind-interfaces',
    '--listen-address=127.0.0.1',
    `--port=${port}`,
    '--pid-file=',
    '--user=',
    '--log-facility=-',
    ...records.map(([name, value]) => `--txt-record=${name},${value}`),
  ];
  const child = start('dnsmasq', 'dnsmasq', args, logDir);
  let spawnError: NodeJS.ErrnoException | null = null;
  child.process.once('error', (error) => (spawnError = error));
  await waitFor(
    'dnsmasq to answer',
    10_000,
    async () => {
      if (spawnError !== null) {
        throw new Error(spawnError.code === 'ENOENT' ? 'dnsmasq is not installed: install dnsmasq-base (apt-get install dnsmasq-base)' : `dnsmasq: ${spawnError.message}`);
      }
      return (await answersTcp(port)) ? true : undefined;
    },
    child,
  );
  return child;
}

export function requireBinary(name: string): string {
  const path = join(BIN, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: build it first with \`cargo build --release -p reach -p reach-testkit\` (or \`cargo xtask test\`)`);
  }
  return path;
}

function parseEvents(text: string): PatternEvent[] {
  const events: PatternEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as PatternEvent);
    } catch {
      // The last line may still be half-written.
    }
  }
  return events;
}

export interface HarnessOptions {
  /** A certificate authority (PEM) the server trusts when it talks to identity providers. */
  identityProviderCa?: string;
}

export async function startHarness(logDir: string, options: HarnessOptions = {}): Promise<Harness> {
  const reach = requireBinary('reach');
  const pattern = requireBinary('reach-test-pattern');
  await mkdir(logDir, { recursive: true });
  const tmp = await mkdtemp(join(tmpdir(), 'reach-e2e-'));
  const own: Child[] = [];
  const stop = async (): Promise<void> => {
    for (const child of [...own].reverse()) await child.kill();
    await rm(tmp, { recursive: true, force: true });
  };

  try {
    const xvfb = await startXvfb(logDir);
    own.push(xvfb.child);
    const display = xvfb.display;

    const eventsFile = join(tmp, 'events.jsonl');
    const events = async (): Promise<PatternEvent[]> => parseEvents(await readFile(eventsFile, 'utf8').catch(() => ''));
    const patternChild = start('test-pattern', pattern, ['--events-out', eventsFile], logDir, { env: { DISPLAY: display } });
    own.push(patternChild);
    await waitFor('the test pattern to be ready', 15_000, async () => ((await events()).some((e) => e.event === 'ready') ? true : undefined), patternChild);

    const adminPassword = randomBytes(15).toString('base64url').slice(0, 20);
    let consoleUrl: string | undefined;
    let fingerprint: string | undefined;
    const scanServerLine = (line: string): void => {
      consoleUrl ??= /Console:\s+(https:\/\/\S+)/.exec(line)?.[1];
      fingerprint ??= /Fingerprint:\s+([0-9a-f]{64})/.exec(line)?.[1];
    };
    const dnsPort = await freePort();
    let dns = await startDns(logDir, dnsPort, []);
    own.push(dns);
    // Domains being verified are looked for every second, so a published record shows up at once.
    const configFile = join(tmp, 'reach.toml');
    const trust = options.identityProviderCa === undefined ? '' : `identity_provider_ca_file = ${JSON.stringify(options.identityProviderCa)}\n`;
    await writeFile(configFile, `dns_servers = ["127.0.0.1:${dnsPort}"]\ndomain_check_interval_secs = 1\n${trust}`);

    const serverData = join(tmp, 'server');
    const server = start('server', reach, ['server', '--config', configFile, '--listen', '127.0.0.1:0', '--data-dir', serverData], logDir, {
      env: { REACH_ADMIN_EMAIL: ADMIN_EMAIL, REACH_ADMIN_PASSWORD: adminPassword },
      onStdoutLine: scanServerLine,
      // Tolerated on stderr too, so a logging change cannot hide the address.
      onStderrLine: scanServerLine,
    });
    own.push(server);
    await waitFor('the server to print its console address and fingerprint', 30_000, () => (consoleUrl && fingerprint ? true : undefined), server);
    if (consoleUrl === undefined || fingerprint === undefined) throw new Error('unreachable');
    const origin = new URL(consoleUrl).origin;
    const serverFingerprint = fingerprint;

    const tokenOutput = await run('enroll-token', reach, ['admin', 'enroll-token', 'create', '--data-dir', serverData, '--max-uses', '1', '--expires', '1h'], logDir);
    const token = tokenOutput.trim();
    if (token === '' || /\s/.test(token)) throw new Error(`\`reach admin enroll-token create\` printed ${JSON.stringify(tokenOutput)}, not a token`);

    const agentState = join(tmp, 'agent');
    const agentEnv = { DISPLAY: display };
    await run(
      'agent-enroll',
      reach,
      ['agent', 'enroll', '--state-dir', agentState, '--server', origin, '--token', token, '--name', DEVICE_NAME, '--fingerprint', serverFingerprint],
      logDir,
      agentEnv,
    );

    return {
      consoleUrl,
      origin,
      fingerprint: serverFingerprint,
      adminEmail: ADMIN_EMAIL,
      adminPassword,
      display,
      async setDnsRecords(records) {
        await dns.kill();
        dns = await startDns(logDir, dnsPort, records);
        own.push(dns);
      },
      async startAgent() {
        if (own.some((child) => child.name === 'agent' && child.running)) return;
        const agent = start('agent', reach, ['agent', 'run', '--state-dir', agentState], logDir, { env: agentEnv });
        own.push(agent);
        // Fail fast if it dies on start; going online is the test's to check.
        await new Promise((wake) => setTimeout(wake, 300));
        if (!agent.running) throw await failure('reach agent run exited at once', agent);
      },
      events,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
