// AdminUsers, SecurityProfiles and their assignments, and what a user with only ApiClientReader
// may do with ApiClients.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import { Auth, ApiClients, AdminUsers, SecurityProfiles } from 'ordercloud-javascript-sdk';

import {
  CLIENT_ID,
  configureSdk,
  loginAdmin,
  createClient,
  decodeJwt,
  deleteIgnoringNotFound,
  defer,
  expectOcError,
  strongPassword,
  unique,
  withStatus,
} from './lib/helpers.mjs';

before(async () => {
  await loginAdmin();
});

async function createProfile(t, fields = {}) {
  const profile = await SecurityProfiles.Create({
    ID: unique('e2e-sp'),
    Name: unique('e2e-profile'),
    Roles: ['ApiClientReader'],
    ...fields,
  });
  defer(t, () => deleteIgnoringNotFound(() => SecurityProfiles.Delete(profile.ID)));
  return profile;
}

function newAdminUserFields(password = strongPassword()) {
  const id = unique('e2e-admin');
  return {
    ID: id,
    Username: id,
    Password: password,
    FirstName: 'Eddie',
    LastName: 'Twoe',
    Email: `${id}@example.com`,
    Active: true,
  };
}

/**
 * An admin user whose own security profile grants only ApiClientReader. (Profiles assigned at
 * seller level, like the bootstrap FullAccess one, may reach this user too; that is why the
 * logins below ask for scope ["ApiClientReader"].)
 */
async function createReader(t) {
  const profile = await createProfile(t);
  const fields = newAdminUserFields();
  const user = await AdminUsers.Create(fields);
  defer(t, () => deleteIgnoringNotFound(() => AdminUsers.Delete(user.ID)));
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: profile.ID, UserID: user.ID });
  defer(t, () =>
    deleteIgnoringNotFound(() => SecurityProfiles.DeleteAssignment(profile.ID, { userID: user.ID })),
  );
  return { profile, user, password: fields.Password };
}

test('SecurityProfiles: Create (201), Get, List', async (t) => {
  const id = unique('e2e-sp');
  const name = unique('e2e-profile');
  const { data: created, status } = await withStatus(() =>
    SecurityProfiles.Create({ ID: id, Name: name, Roles: ['ApiClientReader'] }),
  );
  defer(t, () => deleteIgnoringNotFound(() => SecurityProfiles.Delete(id)));
  assert.equal(status, 201);
  assert.equal(created.ID, id);
  assert.equal(created.Name, name);
  assert.deepEqual(created.Roles, ['ApiClientReader']);
  assert.deepEqual(created.CustomRoles, []);

  assert.deepEqual(await SecurityProfiles.Get(id), created);
  const page = await SecurityProfiles.List({ filters: { ID: id } });
  assert.deepEqual(page.Items, [created]);
  assert.equal(page.Meta.TotalCount, 1);
  const searched = await SecurityProfiles.List({ search: name, searchOn: ['Name'] });
  assert.deepEqual(searched.Items.map((p) => p.ID), [id]);

  await expectOcError(SecurityProfiles.Create({ ID: id, Name: name }), { status: 409, errorCode: 'IdExists' });
  await expectOcError(SecurityProfiles.Get(unique('no-such-profile')), { status: 404, errorCode: 'NotFound' });
});

test('AdminUsers: Create (201, no password echoed), Get, List, Patch, Delete (204)', async (t) => {
  const fields = newAdminUserFields();
  const { data: created, status } = await withStatus(() => AdminUsers.Create(fields));
  defer(t, () => deleteIgnoringNotFound(() => AdminUsers.Delete(fields.ID)));
  assert.equal(status, 201);
  assert.equal(created.ID, fields.ID);
  assert.equal(created.Username, fields.Username);
  assert.equal(created.FirstName, fields.FirstName);
  assert.equal(created.LastName, fields.LastName);
  assert.equal(created.Email, fields.Email);
  assert.equal(created.Active, true);
  assert.ok(created.Password == null, 'the password is never returned');
  assert.ok(!JSON.stringify(created).includes(fields.Password), 'the password appears nowhere in the response');

  const fetched = await AdminUsers.Get(fields.ID);
  assert.equal(fetched.Username, fields.Username);
  assert.ok(fetched.Password == null);

  const page = await AdminUsers.List({ filters: { Username: fields.Username } });
  assert.deepEqual(page.Items.map((u) => u.ID), [fields.ID]);
  const searched = await AdminUsers.List({ search: fields.Username, searchOn: ['Username'] });
  assert.deepEqual(searched.Items.map((u) => u.ID), [fields.ID]);

  const patched = await AdminUsers.Patch(fields.ID, { FirstName: 'Patched' });
  assert.equal(patched.FirstName, 'Patched');
  assert.equal(patched.LastName, fields.LastName);
  assert.equal((await AdminUsers.Get(fields.ID)).FirstName, 'Patched');

  const deleted = await withStatus(() => AdminUsers.Delete(fields.ID));
  assert.equal(deleted.status, 204);
  const notFound = await expectOcError(AdminUsers.Get(fields.ID), { status: 404, errorCode: 'NotFound' });
  assert.equal(notFound.errors[0].Data.ObjectID, fields.ID);
  assert.ok(['User', 'AdminUser'].includes(notFound.errors[0].Data.ObjectType), JSON.stringify(notFound.errors[0]));
});

test('AdminUsers.Create refuses a weak password (400) and creates nothing', async () => {
  const fields = newAdminUserFields('short');
  await expectOcError(AdminUsers.Create(fields), { status: 400 });
  await expectOcError(AdminUsers.Get(fields.ID), { status: 404, errorCode: 'NotFound' });
});

test('SecurityProfiles.SaveAssignment to an admin user (204) shows in ListAssignments and AvailableRoles', async (t) => {
  const { profile, user } = await createReader(t);
  const page = await SecurityProfiles.ListAssignments({ securityProfileID: profile.ID });
  assert.equal(page.Meta.TotalCount, 1);
  assert.equal(page.Items[0].SecurityProfileID, profile.ID);
  assert.equal(page.Items[0].UserID, user.ID);
  assert.ok(page.Items[0].BuyerID == null);
  assert.ok(page.Items[0].SupplierID == null);
  assert.ok(page.Items[0].UserGroupID == null);

  const fetched = await AdminUsers.Get(user.ID);
  assert.ok(Array.isArray(fetched.AvailableRoles), 'AdminUser.AvailableRoles is an array');
  assert.ok(fetched.AvailableRoles.includes('ApiClientReader'), JSON.stringify(fetched.AvailableRoles));

  const again = await withStatus(() =>
    SecurityProfiles.SaveAssignment({ SecurityProfileID: profile.ID, UserID: user.ID }),
  );
  assert.equal(again.status, 204);
  assert.equal(
    (await SecurityProfiles.ListAssignments({ securityProfileID: profile.ID })).Meta.TotalCount,
    1,
    'saving the same assignment twice is idempotent',
  );
});

test('a user with only ApiClientReader may read ApiClients but not write them (403 Auth.InsufficientRoles)', async (t) => {
  const { user, password } = await createReader(t);
  const victim = await createClient(t); // made by the FullAccess admin

  configureSdk();
  const response = await Auth.Login(user.Username, password, CLIENT_ID, ['ApiClientReader']);
  const { payload } = decodeJwt(response.access_token);
  assert.equal(payload.role, 'ApiClientReader', 'one role is a string, not an array');
  assert.equal(payload.usr, user.Username);
  assert.equal(payload.usrtype, 'admin');
  assert.equal(payload.cid, CLIENT_ID.toLowerCase());
  const accessToken = response.access_token;
  const as = { accessToken };

  const page = await ApiClients.List({ pageSize: 100 }, as);
  assert.ok(Array.isArray(page.Items));
  assert.deepEqual(await ApiClients.Get(victim.ID, as), victim);
  const assignments = await ApiClients.ListAssignments({ apiClientID: victim.ID }, as);
  assert.deepEqual(assignments.Items, []);

  const forbidden = { status: 403, errorCode: 'Auth.InsufficientRoles' };
  await expectOcError(ApiClients.Create({ AppName: unique('e2e-forbidden'), AccessTokenDuration: 10 }, as), forbidden);
  await expectOcError(ApiClients.Patch(victim.ID, { AppName: 'hijacked' }, as), forbidden);
  await expectOcError(ApiClients.Save(victim.ID, { AppName: 'hijacked', AccessTokenDuration: 10 }, as), forbidden);
  await expectOcError(ApiClients.Delete(victim.ID, as), forbidden);
  await expectOcError(SecurityProfiles.List({}, as), forbidden);
  await expectOcError(AdminUsers.List({}, as), forbidden);

  assert.deepEqual(await ApiClients.Get(victim.ID), victim, 'the refused writes changed nothing');
});

test('the reader logging in without a scope gets every role it holds, ApiClientReader among them', async (t) => {
  const { user, password } = await createReader(t);
  configureSdk();
  const response = await Auth.Login(user.Username, password, CLIENT_ID);
  const { role } = decodeJwt(response.access_token).payload;
  const roles = Array.isArray(role) ? role : [role];
  if (Array.isArray(role)) assert.ok(role.length >= 2, 'a single role must be serialized as a string');
  assert.ok(roles.includes('ApiClientReader'), JSON.stringify(role));
});

// Deleting a user refuses later logins and stops the token already issued (decisions.md).
test('deleting a user refuses its logins and its live token', async (t) => {
  const { user, password } = await createReader(t);
  configureSdk();
  const { access_token: accessToken } = await Auth.Login(user.Username, password, CLIENT_ID, ['ApiClientReader']);
  await ApiClients.List({}, { accessToken });

  const deleted = await withStatus(() => AdminUsers.Delete(user.ID));
  assert.equal(deleted.status, 204);
  await expectOcError(Auth.Login(user.Username, password, CLIENT_ID), {
    status: 400,
    errorCode: 'Auth.InvalidUsernameOrPassword',
  });
  await expectOcError(() => ApiClients.List({}, { accessToken }), {
    status: 401,
    errorCode: 'InvalidToken',
  });
});
