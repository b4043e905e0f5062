// A real OpenID Connect provider for the end-to-end tests: `oidc-provider` (the
// certified Node.js implementation) over https, with one confidential client
// (Reach) that must use PKCE. Its development sign-in pages sign in whoever
// types an address (any password); the address is the account's e-mail, which
// follows OpenID Connect Core to the letter: released at the user info
// endpoint, not in the ID token.
//
// node op.mjs --key K --cert C --client-id ID --client-secret S --redirect-uri URI
// prints `OP ready at https://127.0.0.1:PORT` once listening.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values } = parseArgs({
  options: {
    key: { type: 'string' },
    cert: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string' },
  },
});
for (const name of ['key', 'cert', 'client-id', 'client-secret', 'redirect-uri']) {
  if (!values[name]) throw new Error(`--${name} is required`);
}

let handler = (_request, response) => {
  response.statusCode = 503;
  response.end();
};
const server = createServer({ key: readFileSync(values.key), cert: readFileSync(values.cert) }, (request, response) => handler(request, response));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `https://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: values['client-id'],
        client_secret: values['client-secret'],
        redirect_uris: [values['redirect-uri']],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: id, email_verified: true, name: id.split('@')[0] };
        },
      };
    },
    cookies: { keys: ['reach-e2e-oidc-provider'] },
  });
  provider.on('server_error', (_ctx, error) => console.error('server_error', error));
  provider.on('grant.error', (_ctx, error) => console.error('grant.error', error.message, error.error_description ?? ''));
  provider.on('authorization.error', (_ctx, error) => console.error('authorization.error', error.message, error.error_description ?? ''));
  handler = provider.callback();
  console.log(`OP ready at ${issuer}`);
});
