// Shared wiring for the Gatehouse end-to-end suite.
//
// Everything is configured by environment variables (see README.md). Each *.test.mjs file runs
// in its own Node process under `node --test`, so the SDK's module-level state (Configuration,
// the stored access token) is per file; tests inside one file run one after another.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { generateKeyPairSync, randomBytes, createSign } from 'node:crypto';

import {
  Configuration,
  Auth,
  Tokens,
  ApiClients,
} from 'ordercloud-javascript-sdk';

// ---------------------------------------------------------------------------------------------
// Environment

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `Environment variable ${name} is required by the Gatehouse e2e suite (see tests/e2e_js/README.md).`,
    );
  }
  return value;
}

/** Base URL of the running server, without a trailing slash (the SDK appends `/oauth/...`, `/v1/...`). */
export const BASE_URL = requireEnv('GATEHOUSE_URL').replace(/\/+$/, '');
/** A client with AllowSeller=true in a fresh marketplace. */
export const CLIENT_ID = requireEnv('GATEHOUSE_CLIENT_ID');
/** A seller admin with FullAccess. */
export const USERNAME = requireEnv('GATEHOUSE_USERNAME');
export const PASSWORD = requireEnv('GATEHOUSE_PASSWORD');
/** Optional: an existing buyer company, for the positive ApiClient-assignment path. */
export const BUYER_ID = process.env.GATEHOUSE_BUYER_ID || null;

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------
// SDK set-up

/** Point the SDK at Gatehouse, exactly as an OrderCloud app would. */
export function configureSdk() {
  // A hung server should fail a test, not hang the run (the SDK's default is 60 s).
  Configuration.Set({ baseApiUrl: BASE_URL, clientID: CLIENT_ID, timeoutInMilliseconds: 30_000 });
}

/** Log in as the seller admin and store the token in the SDK. Returns the raw token response. */
export async function loginAdmin() {
  configureSdk();
  const response = await Auth.Login(USERNAME, PASSWORD, CLIENT_ID);
  Tokens.SetAccessToken(response.access_token);
  return response;
}

// ---------------------------------------------------------------------------------------------
// Watching the HTTP status of SDK calls.
//
// The SDK returns only `response.data`. It uses the CommonJS build of axios (require('axios')),
// which is a different object from `import axios from 'axios'` in ESM, so the interceptor must be
// installed on the CommonJS instance to see the SDK's traffic.

const require = createRequire(import.meta.url);
const sdkAxios = require('axios');
sdkAxios.defaults.timeout = 30_000; // Auth.* calls set no timeout of their own
let lastResponse = null;
sdkAxios.interceptors.response.use(
  (response) => {
    lastResponse = response;
    return response;
  },
  (error) => {
    if (error && error.response) lastResponse = error.response;
    return Promise.reject(error);
  },
);

/**
 * Run one SDK call and return `{ data, status, headers }` of the HTTP exchange it made.
 * Tests in a file run sequentially, so "the last response" is the call's own.
 */
export async function withStatus(fn) {
  lastResponse = null;
  const data = await fn();
  assert.ok(lastResponse, 'the SDK call made no HTTP request');
  return { data, status: lastResponse.status, headers: lastResponse.headers };
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Await `promiseOrFn`, which must reject with an OrderCloudError, and check it.
 * `expected` may hold `status`, `errorCode` and `data` (deep-equal to `errors[0].Data`).
 * Returns the error for further checks.
 */
export async function expectOcError(promiseOrFn, expected = {}) {
  const promise = typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn;
  let error;
  try {
    const value = await promise;
    assert.fail(
      `expected an OrderCloudError${expected.errorCode ? ` (${expected.errorCode})` : ''}, ` +
        `but the call succeeded with ${JSON.stringify(value)?.slice(0, 500)}`,
    );
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    error = e;
  }
  // A NotFound without Data makes the SDK's own OrderCloudError constructor throw a TypeError;
  // a body without `Errors` gives errorCode 'OrderCloudError'. Both are server bugs.
  // NB: `instanceof OrderCloudError` is always false: the SDK's ES5-compiled subclass of Error
  // returns the object made by Error(), so callers identify it by `isOrderCloudError`.
  assert.ok(
    error && error.isOrderCloudError === true && error.name === 'OrderCloudError',
    `expected an OrderCloudError, got ${error && error.name}: ${error && error.message}`,
  );
  const body = JSON.stringify(error.response?.data)?.slice(0, 1000);
  if (expected.status !== undefined) {
    assert.equal(error.status, expected.status, `HTTP status (body: ${body})`);
  }
  if (expected.errorCode !== undefined) {
    assert.equal(error.errorCode, expected.errorCode, `errorCode (body: ${body})`);
  }
  if (expected.data !== undefined) {
    assert.deepEqual(error.errors?.[0]?.Data, expected.data, `Errors[0].Data (body: ${body})`);
  }
  assert.ok(Array.isArray(error.errors) && error.errors.length >= 1, `Errors[] present (body: ${body})`);
  for (const item of error.errors) {
    assert.equal(typeof item.ErrorCode, 'string', `each Errors[] entry has an ErrorCode (body: ${body})`);
    assert.equal(typeof item.Message, 'string', `each Errors[] entry has a Message (body: ${body})`);
  }
  return error;
}

// ---------------------------------------------------------------------------------------------
// Clean-up

const cleanupStacks = new WeakMap();

/**
 * Run `fn` when test `t` ends, last registered first (node:test runs t.after hooks first-in
 * first-out, but an assignment must go before its user and profile). Every step runs; the first
 * failure is reported.
 */
export function defer(t, fn) {
  let stack = cleanupStacks.get(t);
  if (!stack) {
    stack = [];
    cleanupStacks.set(t, stack);
    t.after(async () => {
      let firstError = null;
      while (stack.length) {
        try {
          await stack.pop()();
        } catch (e) {
          firstError ??= e;
        }
      }
      if (firstError) throw firstError;
    });
  }
  stack.push(fn);
}

/** Ignore NotFound (the test may have deleted the object itself); anything else is a failure. */
export async function deleteIgnoringNotFound(fn) {
  try {
    await fn();
  } catch (e) {
    if (e && e.isOrderCloudError && e.status === 404) return;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Names and objects

/** A name no other test (or earlier run) uses: `${prefix}-<time>-<random>`. Only [A-Za-z0-9-]. */
export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}

/** A password that meets the minimum policy (10+ chars, upper, lower, digit). */
export function strongPassword() {
  return `Gh${randomBytes(8).toString('hex')}Z9`;
}

/** Create an ApiClient as the current SDK user and delete it when the test ends. */
export async function createClient(t, fields = {}) {
  const client = await ApiClients.Create({
    AppName: unique('e2e-client'),
    AccessTokenDuration: 10,
    ...fields,
  });
  defer(t, () => deleteIgnoringNotFound(() => ApiClients.Delete(client.ID)));
  return client;
}

// ---------------------------------------------------------------------------------------------
// JWTs

export function decodeJwt(token) {
  assert.equal(typeof token, 'string', 'token is a string');
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'a JWT has three dot-separated parts');
  const json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(parts[0]), payload: json(parts[1]), signature: parts[2], parts };
}

function b64urlJson(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

let forgingKey = null;
/** Sign a JWT with an RSA key made here (not Gatehouse's): a well-formed token no server should accept. */
export function forgeJwt(header, payload) {
  forgingKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const signingInput = `${b64urlJson(header)}.${b64urlJson(payload)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(forgingKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** Keep the header and signature of a real token but change its claims (valid JSON, bad signature). */
export function withAlteredClaims(token, alter) {
  const { parts, payload } = decodeJwt(token);
  return `${parts[0]}.${b64urlJson(alter({ ...payload }))}.${parts[2]}`;
}

/**
 * Flip one base64url character of the payload part, choosing a position where the payload still
 * decodes to JSON with the same aud, cid, exp and nbf (so only the signature can catch it).
 */
export function flipPayloadChar(token) {
  const [h, p, s] = token.split('.');
  const original = decodeJwt(token).payload;
  const keep = ['aud', 'cid', 'exp', 'nbf', 'iss'];
  for (let i = 0; i < p.length - 2; i++) {
    for (const replacement of ['A', 'B', 'Q', 'g', 'w']) {
      if (p[i] === replacement) continue;
      const candidate = `${p.slice(0, i)}${replacement}${p.slice(i + 1)}`;
      let claims;
      try {
        claims = JSON.parse(Buffer.from(candidate, 'base64url').toString('utf8'));
      } catch {
        continue;
      }
      if (claims && typeof claims === 'object' && keep.every((k) => claims[k] === original[k])) {
        return `${h}.${candidate}.${s}`;
      }
    }
  }
  throw new Error('no JSON-preserving single-character flip found');
}

/** Flip the character at `index` of the payload part, whatever that does to the JSON. */
export function flipPayloadCharAt(token, index) {
  const [h, p, s] = token.split('.');
  const i = index % p.length;
  const replacement = p[i] === 'A' ? 'B' : 'A';
  return `${h}.${p.slice(0, i)}${replacement}${p.slice(i + 1)}.${s}`;
}

export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP, for what the SDK cannot express (no Authorization header at all).

export async function rawFetch(path, init = {}) {
  const response = await fetch(`${BASE_URL}${path}`, { signal: AbortSignal.timeout(30_000), ...init });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text.replace(/^\uFEFF/, '')) : null;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}
