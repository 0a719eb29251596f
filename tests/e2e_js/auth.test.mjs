// POST /oauth/token through Auth.Login, the JWT it returns, GET /oauth/certs/{kid}, and how
// /v1 answers requests without a valid token.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createVerify } from 'node:crypto';

import { Auth, Tokens, ApiClients, AdminUsers, Certs } from 'ordercloud-javascript-sdk';

import {
  BASE_URL,
  CLIENT_ID,
  USERNAME,
  PASSWORD,
  configureSdk,
  loginAdmin,
  createClient,
  decodeJwt,
  deleteIgnoringNotFound,
  defer,
  expectOcError,
  forgeJwt,
  withAlteredClaims,
  flipPayloadChar,
  nowSeconds,
  rawFetch,
  unique,
} from './lib/helpers.mjs';

const ORDERCLOUD_CLAIMS = ['aud', 'cid', 'exp', 'iss', 'nbf', 'role', 'u', 'usr', 'usrtype'];
// RFC 9068's claims, beside OrderCloud's (issue 11): nothing OrderCloud sends is removed.
const RFC9068_CLAIMS = ['client_id', 'iat', 'jti', 'scope', 'sub'];
const TOKEN_CLAIMS = [...ORDERCLOUD_CLAIMS, ...RFC9068_CLAIMS].sort();

let adminToken;

before(async () => {
  adminToken = (await loginAdmin()).access_token;
});

/** Checks shared by every admin token: header, exact claim set, types, lifetime. */
function checkAdminToken(response, { username, clientId, durationMinutes }) {
  const allowedKeys = new Set(['access_token', 'token_type', 'expires_in', 'refresh_token']);
  for (const key of Object.keys(response)) {
    assert.ok(allowedKeys.has(key), `unexpected field ${key} in the token response`);
  }
  assert.equal(response.token_type, 'bearer');
  assert.equal(typeof response.access_token, 'string');
  assert.equal(typeof response.expires_in, 'number');
  // OrderCloud's own sample is 600 min -> 35999 s; allow a second or two of processing time.
  assert.ok(
    response.expires_in <= durationMinutes * 60 && response.expires_in >= durationMinutes * 60 - 2,
    `expires_in ${response.expires_in} should be about ${durationMinutes * 60}`,
  );

  const { header, payload } = decodeJwt(response.access_token);
  assert.equal(header.alg, 'RS256');
  assert.equal(typeof header.kid, 'string');
  assert.ok(header.kid.length > 0, 'header has a kid');

  assert.deepEqual(Object.keys(payload).sort(), TOKEN_CLAIMS, 'the OrderCloud and RFC 9068 claims');
  assert.equal(payload.iat, payload.nbf + 1, 'iat is the second of issue');
  assert.equal(payload.sub, payload.u);
  assert.equal(payload.client_id, payload.cid);
  assert.equal(payload.usr, username);
  assert.equal(payload.cid, clientId.toLowerCase());
  assert.equal(typeof payload.u, 'string', 'u is the internal user id as a string');
  assert.match(payload.u, /^\d+$/);
  assert.equal(payload.usrtype, 'admin');
  assert.equal(payload.iss, BASE_URL);
  assert.equal(payload.aud, BASE_URL);
  assert.ok(Number.isInteger(payload.exp), 'exp is an integer');
  assert.ok(Number.isInteger(payload.nbf), 'nbf is an integer');
  assert.equal(payload.exp - payload.nbf, durationMinutes * 60, 'exp - nbf = AccessTokenDuration * 60');
  const now = nowSeconds();
  assert.ok(payload.nbf <= now + 1, `nbf ${payload.nbf} is not in the future (now ${now})`);
  assert.ok(payload.nbf >= now - 120, `nbf ${payload.nbf} is recent (now ${now})`);
  return { header, payload };
}

test('Auth.Login returns an OrderCloud token response with an RS256 JWT carrying the OrderCloud claims and RFC 9068 ones', async () => {
  configureSdk();
  const client = await ApiClients.Get(CLIENT_ID);
  const response = await Auth.Login(USERNAME, PASSWORD, CLIENT_ID);
  const { payload } = checkAdminToken(response, {
    username: USERNAME,
    clientId: CLIENT_ID,
    durationMinutes: client.AccessTokenDuration,
  });
  // The admin has FullAccess: one role is a JSON string, several are an array (never a 1-element array).
  if (Array.isArray(payload.role)) {
    assert.ok(payload.role.length >= 2, 'a single role must be serialized as a string');
    assert.ok(payload.role.includes('FullAccess'));
  } else {
    assert.equal(payload.role, 'FullAccess');
  }
  if ('refresh_token' in response) {
    assert.ok(client.RefreshTokenDuration > 0, 'refresh_token only when RefreshTokenDuration > 0');
    assert.equal(typeof response.refresh_token, 'string');
  } else {
    assert.equal(client.RefreshTokenDuration, 0, 'RefreshTokenDuration > 0 but no refresh_token');
  }
  // The SDK accepts it as a token.
  Tokens.SetAccessToken(response.access_token);
  Tokens.SetAccessToken(adminToken);
});

test('the token lifetime follows the AccessTokenDuration of the client used', async (t) => {
  configureSdk();
  Tokens.SetAccessToken(adminToken);
  const client = await createClient(t, { AllowSeller: true, AccessTokenDuration: 15 });
  const response = await Auth.Login(USERNAME, PASSWORD, client.ID);
  const { payload } = checkAdminToken(response, {
    username: USERNAME,
    clientId: client.ID,
    durationMinutes: 15,
  });
  assert.equal(payload.cid, client.ID);
  assert.ok(!('refresh_token' in response), 'RefreshTokenDuration defaults to 0: no refresh token');
});

test('requesting scope ["FullAccess"] gives role "FullAccess" as a string', async () => {
  configureSdk();
  const response = await Auth.Login(USERNAME, PASSWORD, CLIENT_ID, ['FullAccess']);
  assert.equal(decodeJwt(response.access_token).payload.role, 'FullAccess');
});

test('a wrong password is refused with Auth.InvalidUsernameOrPassword (400, invalid_grant)', async () => {
  configureSdk();
  const error = await expectOcError(Auth.Login(USERNAME, `${PASSWORD}-wrong`, CLIENT_ID), {
    status: 400,
    errorCode: 'Auth.InvalidUsernameOrPassword',
  });
  assert.equal(error.response.data.error, 'invalid_grant');
  assert.equal(typeof error.response.data.error_description, 'string');
});

test('an unknown username gets the same answer as a wrong password', async () => {
  configureSdk();
  const error = await expectOcError(Auth.Login(unique('nobody'), PASSWORD, CLIENT_ID), {
    status: 400,
    errorCode: 'Auth.InvalidUsernameOrPassword',
  });
  assert.equal(error.response.data.error, 'invalid_grant');
});

test('an unknown client id is refused with ApiClient.InvalidClientID (401, invalid_client)', async () => {
  configureSdk();
  const error = await expectOcError(
    Auth.Login(USERNAME, PASSWORD, '00000000-0000-4000-8000-000000000000'),
    { status: 401, errorCode: 'ApiClient.InvalidClientID' },
  );
  assert.equal(error.response.data.error, 'invalid_client');
});

test('GET /oauth/certs/{kid} (Certs.GetPublicKey) serves the RSA key that verifies the token', async () => {
  configureSdk();
  Tokens.SetAccessToken(adminToken);
  const { header, parts } = decodeJwt(adminToken);
  const jwk = await Certs.GetPublicKey(header.kid);
  assert.equal(jwk.kty, 'RSA');
  assert.equal(jwk.kid, header.kid);
  assert.match(jwk.n, /^[A-Za-z0-9_-]+$/, 'n is base64url');
  assert.match(jwk.e, /^[A-Za-z0-9_-]+$/, 'e is base64url');
  if (jwk.alg !== undefined) assert.equal(jwk.alg, 'RS256');
  if (jwk.use !== undefined) assert.equal(jwk.use, 'sig');

  const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
  const verified = createVerify('RSA-SHA256')
    .update(`${parts[0]}.${parts[1]}`)
    .verify(key, Buffer.from(parts[2], 'base64url'));
  assert.ok(verified, 'the signature verifies with the published key');
});

test('the certs endpoint answers without a token and with an invalid one (the SDK and catalyst send "Bearer ...")', async () => {
  configureSdk();
  const { header } = decodeJwt(adminToken);
  Tokens.RemoveAccessToken(); // the SDK now sends "Authorization: Bearer" with nothing after it
  try {
    const jwk = await Certs.GetPublicKey(header.kid);
    assert.equal(jwk.kid, header.kid);
  } finally {
    Tokens.SetAccessToken(adminToken);
  }
  const bare = await rawFetch(`/oauth/certs/${encodeURIComponent(header.kid)}`);
  assert.equal(bare.status, 200);
  assert.equal(bare.json?.kid, header.kid);
  const forged = await rawFetch(`/oauth/certs/${encodeURIComponent(header.kid)}`, {
    headers: { Authorization: `Bearer ${flipPayloadChar(adminToken)}` },
  });
  assert.equal(forged.status, 200);
});

test('a password with form-special characters survives the x-www-form-urlencoded body', async (t) => {
  // The SDK encodes each value with encodeURIComponent (space -> %20, '+' -> %2B, '&' -> %26).
  configureSdk();
  Tokens.SetAccessToken(adminToken);
  const id = unique('e2e-pw');
  const password = `Aa9 +&=%#$?/${id}`;
  await AdminUsers.Create({
    ID: id,
    Username: id,
    Password: password,
    FirstName: 'Form',
    LastName: 'Chars',
    Email: `${id}@example.com`,
    Active: true,
  });
  defer(t, () => deleteIgnoringNotFound(() => AdminUsers.Delete(id)));
  const response = await Auth.Login(id, password, CLIENT_ID);
  const { payload } = decodeJwt(response.access_token);
  assert.equal(payload.usr, id);
  await expectOcError(Auth.Login(id, password.replace('+', ' '), CLIENT_ID), {
    status: 400,
    errorCode: 'Auth.InvalidUsernameOrPassword',
  });
});

// ---------------------------------------------------------------------------------------------
// /v1 without a valid token

test('a /v1 call with no token: the SDK throws OrderCloudError 401 InvalidToken', async () => {
  configureSdk();
  Tokens.RemoveAccessToken();
  try {
    await expectOcError(ApiClients.List(), { status: 401, errorCode: 'InvalidToken' });
    await expectOcError(ApiClients.Get(CLIENT_ID), { status: 401, errorCode: 'InvalidToken' });
  } finally {
    Tokens.SetAccessToken(adminToken);
  }
});

test('a /v1 call with no Authorization header at all: 401 InvalidToken', async () => {
  const response = await rawFetch('/v1/apiclients');
  assert.equal(response.status, 401);
  assert.equal(response.json?.Errors?.[0]?.ErrorCode, 'InvalidToken');
});

test('a /v1 call with a non-JWT bearer: 401 InvalidToken', async () => {
  for (const value of ['Bearer garbage', 'Bearer a.b.c', `Basic ${Buffer.from('a:b').toString('base64')}`]) {
    const response = await rawFetch('/v1/apiclients', { headers: { Authorization: value } });
    assert.equal(response.status, 401, value);
    assert.equal(response.json?.Errors?.[0]?.ErrorCode, 'InvalidToken', value);
  }
});

test('a /v1 call with a tampered token (claims changed, signature kept): 401 InvalidToken', async () => {
  configureSdk();
  const tampered = withAlteredClaims(adminToken, (claims) => ({ ...claims, usr: `${claims.usr}x` }));
  await expectOcError(ApiClients.List({}, { accessToken: tampered }), {
    status: 401,
    errorCode: 'InvalidToken',
  });
  const flipped = flipPayloadChar(adminToken);
  const response = await rawFetch('/v1/apiclients', { headers: { Authorization: `Bearer ${flipped}` } });
  assert.equal(response.status, 401);
  assert.equal(response.json?.Errors?.[0]?.ErrorCode, 'InvalidToken');
});

test('a /v1 call with a token signed by another key under the real kid: 401 InvalidToken', async () => {
  configureSdk();
  const { header, payload } = decodeJwt(adminToken);
  const forged = forgeJwt(header, payload);
  await expectOcError(ApiClients.List({}, { accessToken: forged }), {
    status: 401,
    errorCode: 'InvalidToken',
  });
});

test('a /v1 call with an expired token: 401 InvalidToken', async () => {
  configureSdk();
  const { header, payload } = decodeJwt(adminToken);
  const now = nowSeconds();
  // Same claims and kid, expired an hour ago. The signature is also wrong (it cannot be right
  // without the server's key), so this only proves that such a token is refused.
  const expired = forgeJwt(header, { ...payload, nbf: now - 7200, exp: now - 3600 });
  await expectOcError(ApiClients.List({}, { accessToken: expired }), {
    status: 401,
    errorCode: 'InvalidToken',
  });
});

test('with a valid token the same call succeeds (the 401s above are about the token)', async () => {
  configureSdk();
  const list = await ApiClients.List({}, { accessToken: adminToken });
  assert.ok(Array.isArray(list.Items));
});
