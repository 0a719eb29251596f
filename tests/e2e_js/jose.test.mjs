// npm `jose`, a generic JWT library, verifying Gatehouse's access tokens as an API gateway or a
// resource server would (issue 11): discovery through RFC 8414 metadata, the JWKS fetched
// remotely, RS256, issuer and audience, `maxTokenAge` (which needs `iat`) and RFC 9068's claims.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createRemoteJWKSet, jwtVerify, errors } from 'jose';

import { BASE_URL, loginAdmin, nowSeconds, rawFetch } from './lib/helpers.mjs';

async function discoveredJwks() {
  const response = await rawFetch('/.well-known/oauth-authorization-server');
  assert.equal(response.status, 200);
  const metadata = response.json;
  assert.equal(metadata.issuer, BASE_URL);
  return createRemoteJWKSet(new URL(metadata.jwks_uri));
}

const OPTIONS = {
  issuer: BASE_URL,
  audience: BASE_URL,
  algorithms: ['RS256'],
  maxTokenAge: '5 minutes',
  requiredClaims: ['iat', 'jti', 'sub', 'client_id', 'scope', 'exp', 'nbf'],
};

test('jose verifies a token through the remote JWKS with maxTokenAge and RFC 9068 claims', async () => {
  const jwks = await discoveredJwks();
  const { access_token } = await loginAdmin();
  const { payload, protectedHeader } = await jwtVerify(access_token, jwks, OPTIONS);
  assert.equal(protectedHeader.alg, 'RS256');
  assert.ok(payload.iat <= nowSeconds(), 'iat is not in the future');
  assert.equal(payload.sub, payload.u);
  assert.equal(payload.client_id, payload.cid);
  assert.equal(payload.scope, 'FullAccess');
  assert.equal(typeof payload.jti, 'string');
});

test('jose refuses a token older than maxTokenAge, by its iat', async () => {
  const jwks = await discoveredJwks();
  const { access_token } = await loginAdmin();
  const later = new Date(Date.now() + 10 * 60 * 1000); // still before exp, past maxTokenAge
  await assert.rejects(
    jwtVerify(access_token, jwks, { ...OPTIONS, currentDate: later }),
    (error) => error instanceof errors.JWTExpired && error.claim === 'iat',
  );
});

test('jose refuses a token for another audience', async () => {
  const jwks = await discoveredJwks();
  const { access_token } = await loginAdmin();
  await assert.rejects(
    jwtVerify(access_token, jwks, { ...OPTIONS, audience: 'https://elsewhere.example' }),
    (error) => error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud',
  );
});
