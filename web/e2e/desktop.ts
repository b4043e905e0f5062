// Other programs on the device's desktop for the browser tests of the clipboard
// and input-block tools: `reach-test-clipboard` (an application reading or
// owning CLIPBOARD) and `reach-test-end-user` (the end user's own keyboard, a
// second XInput 2 master device typing through its own XTEST slave). Both are
// testkit binaries (`cargo build --release -p reach-testkit`).

import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { requireBinary } from './harness.ts';

type Line = Record<string, unknown>;

/** Reads CLIPBOARD as an X application pasting would; null when nobody owns it. */
export async function readXClipboard(display: string): Promise<string | null> {
  const program = requireBinary('reach-test-clipboard');
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(program, ['get'], { env: { ...process.env, DISPLAY: display }, timeout: 20_000 }, (error, out, err) =>
      error === null ? resolve(out) : reject(new Error(`reach-test-clipboard get: ${error.message}\n${err}`)),
    );
  });
  const line = JSON.parse(stdout) as { text: string | null };
  return line.text;
}

/** A long-running test client whose JSON lines are collected. */
class LineClient {
  readonly lines: Line[] = [];
  readonly process: ChildProcessWithoutNullStreams;
  #exit: string | null = null;

  constructor(name: string, display: string, args: string[]) {
    this.process = spawn(requireBinary(name), args, { env: { ...process.env, DISPLAY: display } });
    createInterface({ input: this.process.stdout }).on('line', (text) => {
      try {
        this.lines.push(JSON.parse(text) as Line);
      } catch {
        // Not a report line.
      }
    });
    let stderr = '';
    this.process.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.process.once('exit', (code, signal) => (this.#exit = `${signal ?? `exit ${code}`}: ${stderr}`));
  }

  async waitFor(what: string, wanted: (line: Line) => boolean, from = 0): Promise<Line> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = this.lines.slice(from).find(wanted);
      if (found !== undefined) return found;
      if (this.#exit !== null) throw new Error(`the test client ended (${this.#exit}) before ${what}`);
      if (Date.now() > deadline) throw new Error(`the test client did not report ${what}; it said ${JSON.stringify(this.lines)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stop(): void {
    if (this.#exit === null) this.process.kill('SIGKILL');
  }
}

/** An X application that copied `text`: owns CLIPBOARD until stopped. */
export async function ownXClipboard(display: string, text: string): Promise<LineClient> {
  const client = new LineClient('reach-test-clipboard', display, ['set']);
  client.process.stdin.end(text);
  await client.waitFor('owning the clipboard', (line) => line['event'] === 'owned');
  return client;
}

/** The end user's own keyboard. */
export class EndUserKeyboard {
  readonly #client: LineClient;

  private constructor(client: LineClient) {
    this.#client = client;
  }

  static async start(display: string): Promise<EndUserKeyboard> {
    const client = new LineClient('reach-test-end-user', display, []);
    await client.waitFor('its master device', (line) => line['event'] === 'ready');
    return new EndUserKeyboard(client);
  }

  async type(keysym: number): Promise<void> {
    const from = this.#client.lines.length;
    this.#client.process.stdin.write(`key ${keysym}\n`);
    await this.#client.waitFor(`typing ${keysym}`, (line) => line['event'] === 'typed' && line['keysym'] === keysym, from);
  }

  stop(): void {
    this.#client.stop();
  }
}
