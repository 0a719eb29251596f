// Impersonation through the official SDK: ImpersonationConfigs CRUD, Users.GetAccessToken, and
// the impersonation token used the SDK's way (Tokens.SetImpersonationToken + `.As()`), then
// verified by @ordercloud/catalyst.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  ImpersonationConfigs,
  Me,
  Tokens,
  Users,
  Buyers,
} from 'ordercloud-javascript-sdk';
import { verifyTokenAsync } from '@ordercloud/catalyst';

import {
  createClient,
  decodeJwt,
  defer,
  deleteIgnoringNotFound,
  expectOcError,
  loginAdmin,
  unique,
  withStatus,
} from './lib/helpers.mjs';
import {
  createCompany,
  createCompanyUser,
  createProfile,
  roleClaim,
  runFileCleanup,
} from './lib/parties.mjs';

let adminToken;
let buyer;
let jane;
let storefront;
let profile;

before(async () => {
  adminToken = (await loginAdmin()).access_token;
  buyer = await createCompany(null, 'buyer');
  jane = (await createCompanyUser(null, 'buyer', buyer.ID)).user;
  profile = await createProfile(null, { Roles: ['Shopper', 'MeAdmin'], CustomRoles: ['CsrView'] });
});

after(runFileCleanup);

/** A storefront client for one test; a config made later is deleted before it (LIFO). */
async function storefrontClient(t, fields = {}) {
  return createClient(t, { AllowAnyBuyer: true, AccessTokenDuration: 20, ...fields });
}

async function createConfig(t, fields) {
  const config = await ImpersonationConfigs.Create(fields);
  defer(t, () => deleteIgnoringNotFound(() => ImpersonationConfigs.Delete(config.ID)));
  return config;
}

test('ImpersonationConfigs: Create (201), Get, List with filters, Save, Patch, Delete (204)', async (t) => {
  storefront = await storefrontClient(t);
  const id = unique('e2e-imp');
  const created = await withStatus(() =>
    ImpersonationConfigs.Create({
      ID: id,
      BuyerID: buyer.ID,
      UserID: jane.ID,
      SecurityProfileID: profile.ID,
      ClientID: storefront.ID.toUpperCase(),
    }),
  );
  defer(t, () => deleteIgnoringNotFound(() => ImpersonationConfigs.Delete(id)));
  assert.equal(created.status, 201);
  assert.deepEqual(created.data, {
    ID: id,
    Name: null,
    ImpersonationBuyerID: null,
    ImpersonationGroupID: null,
    ImpersonationUserID: null,
    BuyerID: buyer.ID,
    GroupID: null,
    UserID: jane.ID,
    SecurityProfileID: profile.ID,
    ClientID: storefront.ID,
  });
  assert.deepEqual(await ImpersonationConfigs.Get(id), created.data);

  const listed = await ImpersonationConfigs.List({ filters: { ClientID: storefront.ID } });
  assert.deepEqual(listed.Items.map((c) => c.ID), [id]);
  assert.equal(listed.Meta.TotalCount, 1);

  const saved = await ImpersonationConfigs.Save(id, {
    BuyerID: buyer.ID,
    SecurityProfileID: profile.ID,
    ClientID: storefront.ID,
  });
  assert.equal(saved.UserID, null, 'PUT replaces: the omitted UserID is cleared');
  const patched = await ImpersonationConfigs.Patch(id, { UserID: jane.ID });
  assert.equal(patched.UserID, jane.ID);
  assert.equal(patched.BuyerID, buyer.ID);

  await expectOcError(
    ImpersonationConfigs.Create({ BuyerID: buyer.ID, UserID: jane.ID, SecurityProfileID: profile.ID, ClientID: storefront.ID }),
    { status: 409, errorCode: 'ImpersonationConfig.ConflictingImpersonationConfigExists' },
  );
  await expectOcError(ImpersonationConfigs.Create({ ClientID: storefront.ID }), {
    status: 400,
    errorCode: 'RequiredField',
    data: { Field: 'SecurityProfileID' },
  });

  const deleted = await withStatus(() => ImpersonationConfigs.Delete(id));
  assert.equal(deleted.status, 204);
  await expectOcError(ImpersonationConfigs.Get(id), {
    status: 404,
    errorCode: 'NotFound',
    data: { ObjectType: 'ImpersonationConfig', ObjectID: id },
  });
});

test('Users.GetAccessToken, then Me.As() acts as the impersonated user; catalyst accepts the token', async (t) => {
  storefront = await storefrontClient(t);
  await expectOcError(
    Users.GetAccessToken(buyer.ID, jane.ID, { ClientID: storefront.ID, Roles: ['Shopper'] }),
    { status: 400, errorCode: 'Impersonation.ConfigError' },
  );
  await createConfig(t, { BuyerID: buyer.ID, SecurityProfileID: profile.ID, ClientID: storefront.ID });

  const token = await Users.GetAccessToken(buyer.ID, jane.ID, {
    ClientID: storefront.ID,
    Roles: ['Shopper', 'MeAdmin', 'OrderAdmin'],
    CustomRoles: ['CsrView'],
  });
  assert.equal(token.token_type, 'bearer');
  assert.equal(token.refresh_token, null);
  assert.equal(token.expires_in, 20 * 60 - 1);
  const { payload } = decodeJwt(token.access_token);
  const admin = decodeJwt(adminToken).payload;
  assert.equal(payload.usr, jane.Username);
  assert.equal(payload.cid, storefront.ID);
  assert.equal(payload.usrtype, 'buyer');
  assert.equal(payload.imp, admin.u, 'imp = the impersonating admin');
  assert.notEqual(payload.u, admin.u);
  assert.deepEqual(roleClaim(payload), ['CsrView', 'MeAdmin', 'Shopper'], 'OrderAdmin is outside the profile');

  Tokens.SetImpersonationToken(token.access_token);
  try {
    const me = await Me.As().Get();
    assert.equal(me.ID, jane.ID);
    assert.equal(me.Buyer.ID, buyer.ID);
    // Without As() the SDK still uses the admin's own token.
    const self = await Me.Get();
    assert.equal(self.Username, admin.usr);
    const patched = await Me.As().Patch({ FirstName: 'Impersonated' });
    assert.equal(patched.FirstName, 'Impersonated');
    // Only the granted roles: no BuyerReader, and never seller-only resources.
    await expectOcError(Buyers.As().List(), { status: 403, errorCode: 'Auth.InsufficientRoles' });
    await expectOcError(ImpersonationConfigs.As().List(), { status: 403, errorCode: 'Auth.UserNotAuthorizedToAdmin' });
  } finally {
    Tokens.RemoveImpersonationToken();
  }

  const verified = await verifyTokenAsync(token.access_token, ['Shopper'], [], [storefront.ID]);
  assert.equal(verified.payload.usr, jane.Username);
  assert.equal(verified.payload.imp, admin.u);
});

test('GetAccessToken refusals: unknown client, buyer not assigned, inactive user, missing Roles', async (t) => {
  const unassigned = await createClient(t, { AllowAnyBuyer: false, AccessTokenDuration: 10 });
  storefront = await storefrontClient(t);
  await createConfig(t, { BuyerID: buyer.ID, SecurityProfileID: profile.ID, ClientID: unassigned.ID });
  await createConfig(t, { BuyerID: buyer.ID, SecurityProfileID: profile.ID, ClientID: storefront.ID });

  await expectOcError(
    Users.GetAccessToken(buyer.ID, jane.ID, { ClientID: '00000000-0000-0000-0000-000000000000', Roles: ['Shopper'] }),
    { status: 400, errorCode: 'Impersonation.ClientIDNotFound' },
  );
  await expectOcError(
    Users.GetAccessToken(buyer.ID, jane.ID, { ClientID: unassigned.ID, Roles: ['Shopper'] }),
    { status: 400, errorCode: 'Impersonation.BuyerNotAssigned' },
  );
  await expectOcError(Users.GetAccessToken(buyer.ID, jane.ID, { ClientID: storefront.ID }), {
    status: 400,
    errorCode: 'RequiredField',
    data: { Field: 'Roles' },
  });
  await expectOcError(
    Users.GetAccessToken(buyer.ID, 'no-such-user', { ClientID: storefront.ID, Roles: ['Shopper'] }),
    { status: 404, errorCode: 'NotFound', data: { ObjectType: 'User', ObjectID: 'no-such-user' } },
  );
  const { user: inactive } = await createCompanyUser(t, 'buyer', buyer.ID, { Active: false });
  await expectOcError(
    Users.GetAccessToken(buyer.ID, inactive.ID, { ClientID: storefront.ID, Roles: ['Shopper'] }),
    { status: 400, errorCode: 'Auth.UserNotActive' },
  );
});
