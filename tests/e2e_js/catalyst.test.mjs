// Gatehouse tokens checked by @ordercloud/catalyst, the library OrderCloud middleware uses.
//
// catalyst's verifyTokenAsync(token, rolesWithAccess, typesWithAccess, clientIDsWithAccess):
//   - clientIDsWithAccess must be non-empty (or process.env.OC_API_CLIENTS_WITH_ACCESS set), else
//     it throws a plain Error; '*' allows any client. The token's cid must be in it.
//   - rejects if nbf > now or now > exp (no network call);
//   - with a kid: GET ${aud}/oauth/certs/${kid} (axios 0.26, header `authorization: Bearer <token>`),
//     PEM from the JWK's n/e, jsonwebtoken.verify(token, pem, {algorithms: ['RS256']});
//     the key is cached in-process for 30 days under `${aud}-${kid}`;
//   - without a kid: GET ${aud}/v1/me and requires Active === true;
//   - maps usrtype "admin" to "Seller", then checks user types and roles (FullAccess passes all).
// Failures are UnauthorizedError (name "InvalidToken", status 401), InvalidUserTypeError (403) or
// InsufficientRolesError (403); FullAccess passes every role check. A payload that is not JSON
// makes it throw jsonwebtoken's SyntaxError instead.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import { verifyTokenAsync, getToken, withOcUserAuth } from '@ordercloud/catalyst';

import {
  BASE_URL,
  CLIENT_ID,
  loginAdmin,
  decodeJwt,
  forgeJwt,
  withAlteredClaims,
  flipPayloadChar,
  flipPayloadCharAt,
  nowSeconds,
} from './lib/helpers.mjs';

let adminToken;
// catalyst compares cid case-sensitively; Gatehouse's client IDs (and the cid claim) are lowercase.
const ALLOWED_CLIENTS = [CLIENT_ID.toLowerCase()];

before(async () => {
  adminToken = (await loginAdmin()).access_token;
});

/** A request as Express or Next.js would hand it to catalyst. */
function fakeRequest(token) {
  return { headers: { authorization: `Bearer ${token}` } };
}

/**
 * catalyst's error classes are ES5-compiled subclasses of Error, so `instanceof` never matches;
 * they are recognized by `isCatalystBaseError`, `name` and `status`.
 */
function catalystError(name, status) {
  return (error) => {
    assert.ok(error && error.isCatalystBaseError, `expected a catalyst error, got ${error && error.name}: ${error && error.message}`);
    assert.equal(error.name, name);
    assert.equal(error.status, status);
    return true;
  };
}

async function expectRejected(token, message) {
  await assert.rejects(verifyTokenAsync(token, [], [], ALLOWED_CLIENTS), catalystError('InvalidToken', 401), message);
}

test('catalyst verifies a fresh Gatehouse token (signature via ${aud}/oauth/certs/${kid})', async () => {
  const token = getToken(fakeRequest(adminToken));
  assert.equal(token, adminToken, 'catalyst reads the bearer token from the request');

  const verified = await verifyTokenAsync(token, [], [], ALLOWED_CLIENTS);
  const { header, payload } = decodeJwt(adminToken);
  assert.equal(verified.raw, adminToken);
  assert.equal(verified.headers.kid, header.kid);
  assert.equal(verified.headers.alg, 'RS256');
  assert.equal(verified.payload.aud, BASE_URL);
  assert.equal(verified.payload.cid, payload.cid);
  assert.equal(verified.payload.usrtype, 'Seller', 'catalyst maps usrtype "admin" to Seller');

  // Role and user-type checks on top of the signature.
  await verifyTokenAsync(adminToken, ['ApiClientAdmin'], ['Seller'], ALLOWED_CLIENTS);
  await assert.rejects(verifyTokenAsync(adminToken, [], ['Buyer'], ALLOWED_CLIENTS), catalystError('InvalidUserType', 403));
  await assert.rejects(verifyTokenAsync(adminToken, [], [], ['some-other-client']), catalystError('InvalidToken', 401));
});

test('catalyst middleware withOcUserAuth passes a Gatehouse request through to the handler', async () => {
  const req = fakeRequest(adminToken);
  let handled = false;
  let nextError = null;
  const middleware = withOcUserAuth(
    async (request) => {
      handled = true;
      assert.equal(request.ocToken.raw, adminToken);
    },
    ['ApiClientReader'],
    ['Seller'],
    ALLOWED_CLIENTS,
  );
  await middleware(req, {}, (error) => {
    nextError = error;
  });
  assert.equal(nextError, null, `middleware reported ${nextError && nextError.name}`);
  assert.ok(handled, 'the route handler ran');
});

test('catalyst rejects a token whose claims were changed (signature no longer matches)', async () => {
  // First make sure the real token passes in this process, so the key is fetched and cached and
  // the rejection below can only come from the signature check.
  await verifyTokenAsync(adminToken, [], [], ALLOWED_CLIENTS);
  const tampered = withAlteredClaims(adminToken, (claims) => ({ ...claims, usr: `${claims.usr}-evil` }));
  await expectRejected(tampered, 'claims changed');
  const escalated = withAlteredClaims(adminToken, (claims) => ({ ...claims, exp: claims.exp + 86400 }));
  await expectRejected(escalated, 'exp extended');
});

test('catalyst rejects a token with one character of its payload flipped', async () => {
  await verifyTokenAsync(adminToken, [], [], ALLOWED_CLIENTS);
  // A flip that keeps the payload valid JSON with the same aud/cid/exp/nbf: only the signature
  // check can reject it.
  await expectRejected(flipPayloadChar(adminToken), 'payload char flipped');
  // Flips anywhere else: catalyst must not accept any of them. (Where the payload stops being
  // JSON, catalyst's jwt.decode throws a SyntaxError instead of UnauthorizedError.)
  const length = adminToken.split('.')[1].length;
  for (let i = 0; i < length; i += Math.max(1, Math.floor(length / 25))) {
    await assert.rejects(verifyTokenAsync(flipPayloadCharAt(adminToken, i), [], [], ALLOWED_CLIENTS), `flip at ${i}`);
  }
});

test('catalyst rejects a token signed with another key under the real kid', async () => {
  await verifyTokenAsync(adminToken, [], [], ALLOWED_CLIENTS);
  const { header, payload } = decodeJwt(adminToken);
  await expectRejected(forgeJwt(header, payload), 'foreign signature');
});

test('catalyst rejects a token whose kid Gatehouse does not publish', async () => {
  const { header, payload } = decodeJwt(adminToken);
  await expectRejected(forgeJwt({ ...header, kid: `${header.kid}-unknown` }, payload), 'unknown kid');
});

test('catalyst rejects expired and garbage tokens', async () => {
  const { header, payload } = decodeJwt(adminToken);
  const now = nowSeconds();
  await expectRejected(forgeJwt(header, { ...payload, nbf: now - 7200, exp: now - 3600 }), 'expired');
  await expectRejected(
    withAlteredClaims(adminToken, (claims) => ({ ...claims, nbf: now - 7200, exp: now - 3600 })),
    'expired (real signature part)',
  );
  await expectRejected('garbage', 'garbage');
  await expectRejected('a.b.c', 'three garbage parts');
  await expectRejected('', 'empty');
  assert.equal(getToken({ headers: {} }), null, 'no header, no token');
  assert.equal(getToken({ headers: { authorization: `Basic ${adminToken}` } }), null, 'only Bearer is read');
});
