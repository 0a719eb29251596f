// Anonymous shopping through the official SDK (spec §3.9, §6.2–6.4): Auth.Anonymous on an
// IsAnonBuyer client, the anonymous cart through Orders.*, Me.ListOrders, Me.Register (which
// moves the cart to the new user), Me.TransferAnonUserOrder, and what anonymous users may not do.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import { ApiClients, Auth, Me, Orders } from 'ordercloud-javascript-sdk';

import {
  createClient,
  decodeJwt,
  expectOcError,
  loginAdmin,
  unique,
  withStatus,
} from './lib/helpers.mjs';
import {
  assignProfile,
  createCompany,
  createCompanyUser,
  createProfile,
  newUserFields,
  roleClaim,
} from './lib/parties.mjs';

before(async () => {
  await loginAdmin();
});

/** A buyer with a template user holding Shopper and MeAdmin, and an anonymous client. */
async function anonymousShop(t) {
  const buyer = await createCompany(t, 'buyer');
  const profile = await createProfile(t, { Roles: ['Shopper', 'MeAdmin'] });
  await assignProfile(t, profile.ID, { BuyerID: buyer.ID });
  const { user: template } = await createCompanyUser(t, 'buyer', buyer.ID);
  const client = await createClient(t, {
    AllowAnyBuyer: true,
    IsAnonBuyer: true,
    DefaultContextUserName: template.Username,
    AnonymousTokenDuration: 30,
  });
  return { buyer, template, client };
}

test('an IsAnonBuyer client needs a buyer user as its default context user', async (t) => {
  await expectOcError(
    () => ApiClients.Create({ AppName: unique('anon'), AccessTokenDuration: 10, IsAnonBuyer: true }),
    { status: 400, errorCode: 'ApiClient.RequiredNotAnonBuyer' },
  );
  const { client } = await anonymousShop(t);
  await expectOcError(() => ApiClients.Patch(client.ID, { DefaultContextUserName: null }), {
    status: 400,
    errorCode: 'ApiClient.RequiredNotAnonBuyer',
  });
});

test('Auth.Anonymous: a temporary copy of the template with its own orderid', async (t) => {
  const { template, client } = await anonymousShop(t);
  const response = await Auth.Anonymous(client.ID, ['Shopper', 'MeAdmin'], [], {
    anonuserid: 'visitor-1',
  });
  assert.equal(response.refresh_token, undefined, 'anonymous users get no refresh token');
  const { payload } = decodeJwt(response.access_token);
  assert.equal(payload.usr, template.Username);
  assert.equal(payload.cid, client.ID);
  assert.equal(payload.usrtype, 'buyer');
  assert.equal(payload.u, undefined);
  assert.match(payload.orderid, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(payload.anonuserid, 'visitor-1');
  assert.deepEqual(roleClaim(payload), ['MeAdmin', 'Shopper']);
  assert.equal(payload.exp - payload.nbf, 30 * 60);
  const again = decodeJwt((await Auth.Anonymous(client.ID, ['Shopper'])).access_token).payload;
  assert.notEqual(again.orderid, payload.orderid);
});

test('the anonymous cart: Orders.Create/Get/Patch/List/Delete and Me.ListOrders', async (t) => {
  const { buyer, client } = await anonymousShop(t);
  const token = (await Auth.Anonymous(client.ID, ['Shopper', 'MeAdmin'])).access_token;
  const { orderid } = decodeJwt(token).payload;
  const as = { accessToken: token };
  const created = await withStatus(() => Orders.Create('Outgoing', {}, as));
  assert.equal(created.status, 201);
  assert.equal(created.data.ID, orderid);
  assert.equal(created.data.FromCompanyID, buyer.ID);
  assert.equal(created.data.Status, 'Unsubmitted');
  assert.equal(created.data.IsSubmitted, false);
  assert.equal((await Orders.Get('Outgoing', orderid, as)).ID, orderid);
  const patched = await Orders.Patch('Outgoing', orderid, { Comments: 'gift', xp: { a: 1 } }, as);
  assert.equal(patched.Comments, 'gift');
  assert.deepEqual(patched.xp, { a: 1 });
  assert.deepEqual((await Orders.List('Outgoing', {}, as)).Items.map((o) => o.ID), [orderid]);
  assert.deepEqual((await Me.ListOrders({}, as)).Items.map((o) => o.ID), [orderid]);
  const incoming = await Orders.List('Incoming', { filters: { ID: orderid } });
  assert.deepEqual(incoming.Items.map((o) => o.ID), [orderid], 'the seller sees it as Incoming');

  await expectOcError(() => Orders.Create('Outgoing', { ID: unique('other') }, as), {
    status: 403,
    errorCode: 'Auth.AnonUserProhibited',
  });
  await expectOcError(() => Orders.Create('Outgoing', {}, as), { status: 409, errorCode: 'IdExists' });
  const deleted = await withStatus(() => Orders.Delete('Outgoing', orderid, as));
  assert.equal(deleted.status, 204);
  assert.equal((await Me.ListOrders({}, as)).Items.length, 0);
});

test('an anonymous user is refused other orders and Me writes', async (t) => {
  const { buyer, template, client } = await anonymousShop(t);
  const { user: shopper, password } = await createCompanyUser(t, 'buyer', buyer.ID);
  const login = await Auth.Login(shopper.Username, password, client.ID, ['Shopper']);
  const theirs = await Orders.Create('Outgoing', { ID: unique('theirs') }, { accessToken: login.access_token });
  const as = { accessToken: (await Auth.Anonymous(client.ID, ['Shopper', 'MeAdmin'])).access_token };
  await expectOcError(() => Orders.Get('Outgoing', theirs.ID, as), { status: 404, errorCode: 'NotFound' });
  await expectOcError(() => Orders.Patch('Outgoing', theirs.ID, { Comments: 'x' }, as), {
    status: 404,
    errorCode: 'NotFound',
  });
  assert.equal((await Orders.List('Outgoing', {}, as)).Items.length, 0);
  const me = await Me.Get(as);
  assert.equal(me.Username, template.Username);
  const error = await expectOcError(() => Me.Patch({ FirstName: 'Changed' }, as), {
    status: 403,
    errorCode: 'Auth.AnonUserProhibited',
  });
  assert.equal(error.message, 'Anonymous users are prohibited from performing these actions');
  await Orders.Delete('Incoming', theirs.ID); // the seller deletes it as an incoming order
});

test('Me.Register turns the anonymous user into a buyer user and keeps its cart', async (t) => {
  const { buyer, client } = await anonymousShop(t);
  const token = (await Auth.Anonymous(client.ID, ['Shopper', 'MeAdmin'])).access_token;
  const { orderid } = decodeJwt(token).payload;
  await Orders.Create('Outgoing', {}, { accessToken: token });
  const fields = newUserFields('e2e-registered');
  delete fields.ID;
  const registered = await withStatus(() =>
    Me.Register(fields, { anonUserToken: token }, { accessToken: token }),
  );
  assert.equal(registered.status, 200);
  assert.deepEqual(Object.keys(registered.data), ['access_token']);
  const { payload } = decodeJwt(registered.data.access_token);
  assert.equal(payload.usr, fields.Username);
  assert.equal(typeof payload.u, 'string');
  assert.equal(payload.orderid, undefined);
  const as = { accessToken: registered.data.access_token };
  const me = await Me.Get(as);
  assert.equal(me.Buyer.ID, buyer.ID);
  const mine = await Me.ListOrders({}, as);
  assert.deepEqual(mine.Items.map((o) => o.ID), [orderid]);
  assert.equal(mine.Items[0].FromUserID, me.ID);
  const login = await Auth.Login(fields.Username, fields.Password, client.ID, ['Shopper']);
  assert.equal(decodeJwt(login.access_token).payload.usr, fields.Username);

  await expectOcError(
    () => Me.Register({ ...fields, Username: unique('again') }, { anonUserToken: token }, { accessToken: token }),
    { status: 400, errorCode: 'Auth.MustPassAnonUserToken' },
  );
  await expectOcError(
    () => Me.Register(fields, { anonUserToken: token }, as),
    { status: 400, errorCode: 'User.IsNotTemp' },
  );
  await Orders.Delete('Outgoing', orderid, as);
});

test('Me.TransferAnonUserOrder moves the anonymous cart to a logged-in user, once', async (t) => {
  const { buyer, client } = await anonymousShop(t);
  const { user: shopper, password } = await createCompanyUser(t, 'buyer', buyer.ID);
  const token = (await Auth.Anonymous(client.ID, ['Shopper'])).access_token;
  const { orderid } = decodeJwt(token).payload;
  await Orders.Create('Outgoing', {}, { accessToken: token });
  const login = await Auth.Login(shopper.Username, password, client.ID, ['Shopper']);
  const as = { accessToken: login.access_token };
  const moved = await withStatus(() => Me.TransferAnonUserOrder({ anonUserToken: token }, as));
  assert.equal(moved.status, 204);
  const mine = await Me.ListOrders({}, as);
  assert.deepEqual(mine.Items.map((o) => o.ID), [orderid]);
  assert.equal(mine.Items[0].FromUserID, shopper.ID);
  const since = await Me.ListOrders({ from: '2000-01-01', to: '2999-01-01' }, as);
  assert.deepEqual(since.Items.map((o) => o.ID), [orderid], 'from/to bound DateCreated');
  assert.equal((await Me.ListOrders({ to: '2000-01-01' }, as)).Items.length, 0);
  await expectOcError(() => Me.TransferAnonUserOrder({ anonUserToken: token }, as), {
    status: 400,
    errorCode: 'Auth.MustPassAnonUserToken',
  });
  await expectOcError(() => Me.TransferAnonUserOrder({}, as), {
    status: 400,
    errorCode: 'Auth.MustPassAnonUserToken',
  });
  await Orders.Delete('Outgoing', orderid, as);
});
