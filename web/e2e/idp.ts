// A real SAML identity provider for the end-to-end tests: pysaml2 (Debian package
// python3-pysaml2) running `idp/idp.py`, with an RSA key made by openssl. It
// reads Reach's SP metadata from a file and the customer identifier from another,
// which the test writes once Reach has generated it.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, waitFor, type Child } from './harness.ts';

/** Debian's Python, which has python3-pysaml2 (a pyenv or venv python would not). */
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'idp', 'idp.py');

export interface IdentityProvider {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** Its metadata XML, as an administrator would download it. */
  metadata(): Promise<string>;
  /** From now on, assertions carry this `customeridentifier`. */
  setCustomerIdentifier(value: string): Promise<void>;
  /** Stops it and removes its key (its log stays). */
  stop(): Promise<void>;
  child: Child;
}

function requirePysaml2(): void {
  try {
    execFileSync(PYTHON, ['-c', 'import saml2.server'], { stdio: 'ignore' });
  } catch {
    throw new Error('pysaml2 is missing: install Debian package python3-pysaml2 (apt-get install python3-pysaml2), or run `cargo xtask test`, which installs it');
  }
  if (!existsSync('/usr/bin/xmlsec1')) throw new Error('xmlsec1 is missing: install Debian package xmlsec1 (apt-get install xmlsec1)');
}

/** Starts the identity provider for the service provider described by `spMetadata`. */
export async function startIdentityProvider(logDir: string, spMetadata: string, binding: 'redirect' | 'post' = 'redirect'): Promise<IdentityProvider> {
  requirePysaml2();
  const dir = await mkdtemp(join(tmpdir(), 'reach-e2e-idp-'));
  const key = join(dir, 'idp.key');
  const cert = join(dir, 'idp.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=Reach test IdP', '-keyout', key, '-out', cert], {
    stdio: 'ignore',
  });
  const spFile = join(dir, 'sp.xml');
  const customerFile = join(dir, 'customer-identifier');
  await writeFile(spFile, spMetadata);
  await writeFile(customerFile, 'not-generated-yet');
  let base: string | undefined;
  const child = start(`idp-${binding}`, PYTHON, [SCRIPT, '--key', key, '--cert', cert, '--sp-metadata', spFile, '--customer-identifier-file', customerFile, '--sso-binding', binding], logDir, {
    onStdoutLine: (line) => {
      base ??= /IdP ready at (http:\/\/\S+)/.exec(line)?.[1];
    },
  });
  await waitFor('the identity provider to listen', 20_000, () => base, child);
  if (base === undefined) throw new Error('unreachable');
  const url = base;
  return {
    base: url,
    child,
    async metadata() {
      const response = await fetch(`${url}/metadata`);
      if (!response.ok) throw new Error(`IdP metadata: ${response.status}`);
      return response.text();
    },
    async setCustomerIdentifier(value) {
      await writeFile(customerFile, value);
    },
    async stop() {
      await child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
