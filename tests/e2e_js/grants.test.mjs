// The client_credentials and refresh_token grants through the official SDK: Auth.ClientCredentials
// (the token is the default context user's), Auth.RefreshToken (the same refresh token keeps
// working; Gatehouse does not rotate it), and Tokens.GetValidToken refreshing by itself when the
// stored access token has expired.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Auth, Tokens, ApiClients, Configuration } from 'ordercloud-javascript-sdk';

import {
  BASE_URL,
  USERNAME,
  PASSWORD,
  loginAdmin,
  createClient,
  decodeJwt,
  expectOcError,
  withAlteredClaims,
  nowSeconds,
} from './lib/helpers.mjs';

const SECRET = `gh-secret-${Date.now().toString(36)}`;

before(async () => {
  await loginAdmin();
});

after(() => {
  Tokens.RemoveRefreshToken();
});

test('Auth.ClientCredentials issues a token as the default context user', async (t) => {
  const client = await createClient(t, {
    AllowSeller: true,
    ClientSecret: SECRET,
    DefaultContextUserName: USERNAME,
    RefreshTokenDuration: 60,
  });
  const response = await Auth.ClientCredentials(SECRET, client.ID, ['FullAccess']);
  assert.equal(response.refresh_token, undefined, 'client_credentials never gets a refresh token');
  const { payload } = decodeJwt(response.access_token);
  assert.equal(payload.usr, USERNAME);
  assert.equal(payload.cid, client.ID);
  assert.equal(payload.usrtype, 'admin');
  assert.equal(payload.role, 'FullAccess');
  assert.equal(typeof payload.u, 'string');
  assert.equal(payload.exp - payload.nbf, 10 * 60);
  const read = await ApiClients.Get(client.ID, { accessToken: response.access_token });
  assert.equal(read.ID, client.ID);

  await expectOcError(() => Auth.ClientCredentials('wrong-secret', client.ID, ['FullAccess']), {
    status: 401,
    errorCode: 'Auth.InvalidClientSecret',
  });
});

test('Auth.ClientCredentials needs a default context user and a secret', async (t) => {
  const noUser = await createClient(t, { AllowSeller: true, ClientSecret: SECRET });
  const error = await expectOcError(() => Auth.ClientCredentials(SECRET, noUser.ID, ['FullAccess']), {
    status: 400,
    errorCode: 'Auth.DefaultContextUserRequired',
  });
  assert.equal(error.message, 'Default context user required for client credentials grant');
  const noSecret = await createClient(t, { AllowSeller: true, DefaultContextUserName: USERNAME });
  await expectOcError(() => Auth.ClientCredentials('', noSecret.ID, ['FullAccess']), {
    status: 401,
    errorCode: 'Auth.InvalidClientSecret',
  });
});

test('Auth.RefreshToken: the same refresh token works again and again', async (t) => {
  const client = await createClient(t, { AllowSeller: true, RefreshTokenDuration: 60 });
  const login = await Auth.Login(USERNAME, PASSWORD, client.ID, ['FullAccess']);
  assert.equal(typeof login.refresh_token, 'string');
  assert.ok(login.refresh_token.length >= 43, 'at least 256 bits');
  for (let i = 0; i < 3; i++) {
    const refreshed = await Auth.RefreshToken(login.refresh_token, client.ID);
    assert.equal(refreshed.refresh_token, login.refresh_token, 'not rotated: the same one again');
    const { payload } = decodeJwt(refreshed.access_token);
    assert.equal(payload.usr, USERNAME);
    assert.equal(payload.cid, client.ID);
    assert.equal(payload.role, 'FullAccess');
    assert.equal(payload.exp - payload.nbf, 10 * 60);
  }
  await expectOcError(() => Auth.RefreshToken('not-a-refresh-token', client.ID), {
    status: 400,
    errorCode: 'Auth.InvalidRefreshToken',
  });
  const noRefresh = await Auth.Login(USERNAME, PASSWORD, (await createClient(t, { AllowSeller: true })).ID);
  assert.equal(noRefresh.refresh_token, undefined, 'RefreshTokenDuration 0: no refresh token');
});

test('Tokens.GetValidToken and SDK calls refresh an expired access token', async (t) => {
  const client = await createClient(t, { AllowSeller: true, RefreshTokenDuration: 60 });
  const adminConfig = Configuration.Get();
  const adminToken = Tokens.GetAccessToken();
  const login = await Auth.Login(USERNAME, PASSWORD, client.ID);
  const expire = (token) => withAlteredClaims(token, (claims) => ({ ...claims, exp: nowSeconds() - 60 }));
  try {
    // The SDK refreshes with Configuration.clientID when it is set, else with the token's cid.
    Configuration.Set({ ...adminConfig, clientID: client.ID });
    Tokens.SetRefreshToken(login.refresh_token);
    const expired = expire(login.access_token);
    Tokens.SetAccessToken(expired);

    const valid = await Tokens.GetValidToken();
    assert.notEqual(valid, expired);
    assert.ok(valid, 'the SDK obtained a new token');
    const { payload } = decodeJwt(valid);
    assert.equal(payload.cid, client.ID);
    assert.equal(payload.usr, USERNAME);
    assert.ok(payload.exp > nowSeconds(), 'the new token is not expired');
    assert.equal(Tokens.GetAccessToken(), valid, 'the SDK stored the new token');

    // An ordinary call with an expired stored token refreshes first, with the same refresh token.
    Tokens.SetAccessToken(expire(valid));
    const read = await ApiClients.Get(client.ID);
    assert.equal(read.ID, client.ID);
    assert.ok(decodeJwt(Tokens.GetAccessToken()).payload.exp > nowSeconds());
    assert.equal(Tokens.GetRefreshToken(), login.refresh_token);
  } finally {
    Tokens.RemoveRefreshToken();
    Configuration.Set(adminConfig);
    Tokens.SetAccessToken(adminToken);
  }
  assert.equal(Configuration.Get().baseApiUrl, BASE_URL);
});
