// A real OpenID Connect provider for the end-to-end tests: `oidc-provider` (npm)
// running `op/op.mjs` over https, with a certificate signed by a throwaway
// certificate authority that the Reach server is told to trust
// (`identity_provider_ca_file`), exactly as an administrator would for an
// internal provider.

import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, waitFor, type Child } from './harness.ts';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'op', 'op.mjs');

/** A certificate authority and the provider's certificate for 127.0.0.1, made by openssl. */
export interface ProviderCertificates {
  dir: string;
  /** The authority's certificate (PEM): what Reach trusts. */
  ca: string;
  key: string;
  cert: string;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'openssl is missing: install Debian package openssl (apt-get install openssl)' : `openssl ${args[0]} failed: ${String(error)}`);
  }
}

export async function makeProviderCertificates(): Promise<ProviderCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'reach-e2e-op-'));
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'op.key');
  const request = join(dir, 'op.csr');
  const cert = join(dir, 'op.pem');
  const extensions = join(dir, 'op.ext');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Reach e2e CA', '-keyout', caKey, '-out', ca, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', request]);
  await writeFile(extensions, 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', request, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '2', '-out', cert, '-extfile', extensions]);
  return { dir, ca, key, cert };
}

export interface OpenIdProvider {
  /** `https://127.0.0.1:PORT` */
  issuer: string;
  clientId: string;
  clientSecret: string;
  child: Child;
  /** Stops it and removes its certificates (its log stays). */
  stop(): Promise<void>;
}

/** Starts the provider with one client, Reach, whose redirect URI is `redirectUri`. */
export async function startOpenIdProvider(logDir: string, certificates: ProviderCertificates, redirectUri: string): Promise<OpenIdProvider> {
  const clientId = 'reach-e2e';
  const clientSecret = 'reach-e2e-client-secret';
  let issuer: string | undefined;
  const child = start('oidc-provider', process.execPath, [SCRIPT, '--key', certificates.key, '--cert', certificates.cert, '--client-id', clientId, '--client-secret', clientSecret, '--redirect-uri', redirectUri], logDir, {
    onStdoutLine: (line) => {
      issuer ??= /OP ready at (https:\/\/\S+)/.exec(line)?.[1];
    },
  });
  await waitFor('the OpenID Connect provider to listen', 20_000, () => issuer, child);
  if (issuer === undefined) throw new Error('unreachable');
  return {
    issuer,
    clientId,
    clientSecret,
    child,
    async stop() {
      await child.kill();
      await rm(certificates.dir, { recursive: true, force: true });
    },
  };
}
