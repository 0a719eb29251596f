// The real OpenID Connect identity provider of the SSO tests: node-oidc-provider (panva, 9.x)
// with its development login and consent pages (any login and password sign in; the login
// becomes the account ID). One confidential client for Gatehouse: authorization code flow,
// client_secret_post (Gatehouse's UrlEncoded: true), PKCE, query and form_post responses.
// Listens on 127.0.0.1 only; prints "ready <issuer>" once listening.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const PORT = Number(process.env.PORT || 3002);
const ISSUER = `http://127.0.0.1:${PORT}`;
const REDIRECT_URI = process.env.REDIRECT_URI;
if (!REDIRECT_URI) throw new Error('REDIRECT_URI is required');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid: 'sso-test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: process.env.CLIENT_ID || 'gatehouse',
    client_secret: process.env.CLIENT_SECRET || 'gatehouse-secret-0123456789abcdef',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signing] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
  },
  // ID tokens carry the user's claims (Gatehouse's integration event reads them there).
  conformIdTokenClaims: false,
  findAccount: (_ctx, id) => ({
    accountId: id,
    claims: () => ({
      sub: id,
      email: `${id}@idp.example`,
      email_verified: true,
      given_name: id,
      family_name: 'Tester',
      name: `${id} Tester`,
    }),
  }),
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});

provider.listen(PORT, '127.0.0.1', () => {
  console.log(`ready ${ISSUER}`);
});
