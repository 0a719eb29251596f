// Revocation and live-token checks through the official SDK (spec §3.11, decisions.md):
// Me.RevokeTokens, AdminUsers/Users/SupplierUsers.RevokeUserTokens, and deactivating or
// deleting a client or user stopping its existing tokens on the next request.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Auth, Me, AdminUsers, Users, ApiClients, Tokens } from 'ordercloud-javascript-sdk';

import { CLIENT_ID, loginAdmin, createClient, expectOcError, withStatus } from './lib/helpers.mjs';
import { createAdminUser, createCompany, createCompanyUser, runFileCleanup } from './lib/parties.mjs';

before(async () => {
  await loginAdmin();
});

after(async () => {
  await runFileCleanup();
});

const REVOKED = { status: 401, errorCode: 'Auth.TokenRevoked' };
const INVALID = { status: 401, errorCode: 'InvalidToken' };

async function adminLogin(t, clientID = CLIENT_ID) {
  const { user, password } = await createAdminUser(t);
  const { access_token: accessToken } = await Auth.Login(user.Username, password, clientID);
  return { user, password, accessToken };
}

test('Me.RevokeTokens: the token is revoked; logging in again works at once', async (t) => {
  const { user, password, accessToken } = await adminLogin(t);
  const { access_token: second } = await Auth.Login(user.Username, password, CLIENT_ID);
  assert.equal((await Me.Get({ accessToken })).ID, user.ID);
  const { status } = await withStatus(() => Me.RevokeTokens({ accessToken }));
  assert.equal(status, 204);
  await expectOcError(() => Me.Get({ accessToken }), REVOKED);
  await expectOcError(() => Me.Get({ accessToken: second }), REVOKED);
  const { access_token: fresh } = await Auth.Login(user.Username, password, CLIENT_ID);
  assert.equal((await Me.Get({ accessToken: fresh })).ID, user.ID);
  assert.ok((await Me.Get()).ID, 'the admin running the suite is untouched');
});

test('Me.RevokeTokens also ends the refresh token', async (t) => {
  const client = await createClient(t, { AllowSeller: true, RefreshTokenDuration: 60 });
  const { user, password } = await createAdminUser(t);
  const login = await Auth.Login(user.Username, password, client.ID);
  assert.ok(login.refresh_token);
  await Me.RevokeTokens({ accessToken: login.access_token });
  await expectOcError(() => Auth.RefreshToken(login.refresh_token, client.ID), {
    status: 400,
    errorCode: 'Auth.InvalidRefreshToken',
  });
});

test('AdminUsers.RevokeUserTokens revokes that user only', async (t) => {
  const target = await adminLogin(t);
  const bystander = await adminLogin(t);
  const { status } = await withStatus(() => AdminUsers.RevokeUserTokens(target.user.ID));
  assert.equal(status, 204);
  await expectOcError(() => Me.Get({ accessToken: target.accessToken }), REVOKED);
  assert.equal((await Me.Get({ accessToken: bystander.accessToken })).ID, bystander.user.ID);
});

test('Users.RevokeUserTokens revokes a buyer user', async (t) => {
  const buyer = await createCompany(t, 'buyer');
  const client = await createClient(t, { AllowAnyBuyer: true });
  const { user, password } = await createCompanyUser(t, 'buyer', buyer.ID);
  const { access_token: accessToken } = await Auth.Login(user.Username, password, client.ID);
  assert.equal((await Me.Get({ accessToken })).ID, user.ID);
  await Users.RevokeUserTokens(buyer.ID, user.ID);
  await expectOcError(() => Me.Get({ accessToken }), REVOKED);
  await expectOcError(() => Users.RevokeUserTokens(buyer.ID, 'nobody-here'), {
    status: 404,
    errorCode: 'NotFound',
  });
});

test('deactivating a client stops its tokens; other clients are untouched', async (t) => {
  const client = await createClient(t, { AllowSeller: true });
  const { user, password } = await createAdminUser(t);
  const { access_token: viaClient } = await Auth.Login(user.Username, password, client.ID);
  const { access_token: viaDefault } = await Auth.Login(user.Username, password, CLIENT_ID);
  await ApiClients.Patch(client.ID, { Active: false });
  await expectOcError(() => Me.Get({ accessToken: viaClient }), INVALID);
  assert.equal((await Me.Get({ accessToken: viaDefault })).ID, user.ID);
  await ApiClients.Delete(client.ID);
  await expectOcError(() => Me.Get({ accessToken: viaClient }), INVALID);
});

test('deactivating or deleting a user stops their live token', async (t) => {
  const { user, accessToken } = await adminLogin(t);
  await AdminUsers.Patch(user.ID, { Active: false });
  await expectOcError(() => Me.Get({ accessToken }), INVALID);
  await AdminUsers.Patch(user.ID, { Active: true });
  assert.equal((await Me.Get({ accessToken })).ID, user.ID);
  await AdminUsers.Delete(user.ID);
  await expectOcError(() => Me.Get({ accessToken }), INVALID);
  assert.ok(Tokens.GetAccessToken(), 'the suite token is still stored');
});
