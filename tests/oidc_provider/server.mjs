// A real OpenID Provider for the test suite: the certified `oidc-provider`
// package, listening on 127.0.0.1. Started by tests/accounts/oidc_provider.py.
//
//   node server.mjs CONFIG.json
//
// CONFIG.json: {"issuer": "..." (optional; default http://127.0.0.1:PORT; "{origin}" in
//               it stands for http://127.0.0.1:PORT),
//               "clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}],
//               "accounts_file": "accounts.json",
//               "omit_response_iss": false (true: answer without RFC 9207's iss, like
//               providers that do not send it)}
// accounts.json (read at every sign-in, so a test can change someone's groups):
//   {"anna": {"given_name": "Anna", "family_name": "Ek", "email": "...",
//             "groups": ["omsorg-chefer"], "omsorg_enheter": ["U1"]}}
// The account id is the login typed on the provider's sign-in page (any password).
//
// Prints "listening http://127.0.0.1:PORT ISSUER" once it accepts connections.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// Signing keys made for this process: another provider signs with other keys.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

function account(id) {
  const all = JSON.parse(readFileSync(config.accounts_file, 'utf8'));
  return all[id];
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  const issuer = (config.issuer || origin).replace('{origin}', origin);
  const provider = new Provider(issuer, {
    clients: config.clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...client,
    })),
    // PKCE is required of every client, not only public ones: a relying party
    // that leaves it out gets an error instead of a code.
    pkce: { required: () => true, methods: ['S256'] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups', 'omsorg_enheter'],
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-only-cookie-key'] },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    async findAccount(ctx, id) {
      const person = account(id);
      if (!person) {
        return undefined;
      }
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            preferred_username: id,
            name: `${person.given_name || ''} ${person.family_name || ''}`.trim(),
            email_verified: true,
            ...person,
          };
        },
      };
    },
  });
  if (config.omit_response_iss) {
    // Emitted with the response parameters just before they are sent.
    provider.on('authorization.success', (ctx, out) => {
      delete out.iss;
    });
  }
  // Plain HTTP on the loopback address.
  provider.proxy = false;
  server.on('request', provider.callback());
  process.stdout.write(`listening ${origin} ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
