// Buyers, suppliers, their users, user groups of every kind and group memberships; ID and
// username conflicts; AvailableRoles from security profiles at company, group and user level and
// the token's `role` claim; lockout and unlock. Everything goes through the official SDK.
//
// Every test makes its own companies, users, groups, profiles and clients (unique IDs) and
// deletes them when it ends. Deleting a company deletes its users, groups and assignments.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import {
  AdminUserGroups,
  AdminUsers,
  ApiClients,
  Auth,
  SecurityProfiles,
} from 'ordercloud-javascript-sdk';

import {
  CLIENT_ID,
  createClient,
  decodeJwt,
  defer,
  deleteIgnoringNotFound,
  expectOcError,
  loginAdmin,
  strongPassword,
  unique,
  withStatus,
} from './lib/helpers.mjs';
import {
  KINDS,
  assignProfile,
  createAdminUser,
  createCompany,
  createCompanyUser,
  createGroup,
  createProfile,
  newUserFields,
  roleClaim,
  sorted,
} from './lib/parties.mjs';

before(async () => {
  await loginAdmin();
});

const COMPANY_KINDS = ['buyer', 'supplier'];

/** A client through which users of `kind` may log in without an assignment. */
function allowFlag(kind) {
  return kind === 'buyer' ? { AllowAnyBuyer: true } : { AllowAnySupplier: true };
}

/** The SecurityProfiles query key for a company kind: buyerID or supplierID. */
function queryKey(kind) {
  return kind === 'buyer' ? 'buyerID' : 'supplierID';
}

function isDateString(value) {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

// ---------------------------------------------------------------------------------------------
// Companies

for (const kind of COMPANY_KINDS) {
  const K = KINDS[kind];
  const Companies = K.Companies;

  test(`${K.objectType}s: Create (201), Get, List, Patch (xp merge), Save (200), Delete (204), then 404 with Data`, async (t) => {
    const id = unique(`e2e-${kind}`);
    const name = unique(`E2E ${kind}`);
    const extra = kind === 'supplier' ? { AllBuyersCanOrder: true } : {};
    const { data: created, status } = await withStatus(() =>
      Companies.Create({ ID: id, Name: name, Active: true, xp: { tier: 'gold', nested: { a: 1 } }, ...extra }),
    );
    defer(t, () => deleteIgnoringNotFound(() => Companies.Delete(id)));
    assert.equal(status, 201, 'Create answers 201');
    assert.equal(created.ID, id);
    assert.equal(created.Name, name);
    assert.equal(created.Active, true);
    assert.deepEqual(created.xp, { tier: 'gold', nested: { a: 1 } });
    assert.ok(isDateString(created.DateCreated), `DateCreated is a date: ${created.DateCreated}`);
    if (kind === 'supplier') assert.equal(created.AllBuyersCanOrder, true);

    assert.deepEqual(await Companies.Get(id), created, 'Get returns what Create returned');
    const page = await Companies.List({ filters: { ID: id } });
    assert.deepEqual(page.Items, [created]);
    assert.equal(page.Meta.TotalCount, 1);
    const searched = await Companies.List({ search: name, searchOn: ['Name'] });
    assert.deepEqual(searched.Items.map((c) => c.ID), [id]);

    const patched = await Companies.Patch(id, { Name: `${name}-patched`, xp: { nested: { b: 2 } } });
    assert.equal(patched.ID, id);
    assert.equal(patched.Name, `${name}-patched`);
    assert.equal(patched.Active, true, 'Patch leaves unsent fields alone');
    assert.deepEqual(patched.xp, { tier: 'gold', nested: { a: 1, b: 2 } }, 'Patch deep-merges xp');
    assert.deepEqual(await Companies.Get(id), patched);

    const { data: saved, status: saveStatus } = await withStatus(() =>
      Companies.Save(id, { ID: id, Name: `${name}-saved`, Active: false }),
    );
    assert.equal(saveStatus, 200);
    assert.equal(saved.ID, id);
    assert.equal(saved.Name, `${name}-saved`);
    assert.equal(saved.Active, false);
    assert.ok(saved.xp == null, `Save (PUT) replaces the whole object, xp included: ${JSON.stringify(saved.xp)}`);
    assert.equal(saved.DateCreated, created.DateCreated, 'DateCreated survives a Save');
    assert.deepEqual(await Companies.Get(id), saved);

    await expectOcError(Companies.Create({ ID: id, Name: 'duplicate', Active: true }), {
      status: 409,
      errorCode: 'IdExists',
    });
    assert.equal((await Companies.Get(id)).Name, `${name}-saved`, 'the refused duplicate changed nothing');

    const deleted = await withStatus(() => Companies.Delete(id));
    assert.equal(deleted.status, 204);
    const notFound = await expectOcError(Companies.Get(id), {
      status: 404,
      errorCode: 'NotFound',
      data: { ObjectType: K.objectType, ObjectID: id },
    });
    assert.equal(notFound.message, `${K.objectType} ${id} not found`);
    await expectOcError(Companies.Delete(id), { status: 404, errorCode: 'NotFound' });
    assert.equal((await Companies.List({ filters: { ID: id } })).Meta.TotalCount, 0);
  });
}

// ---------------------------------------------------------------------------------------------
// Users

for (const kind of COMPANY_KINDS) {
  const K = KINDS[kind];
  const UsersApi = K.Users;
  // OrderCloud's ObjectType for a missing supplier user is not documented.
  const userObjectTypes = kind === 'buyer' ? ['User'] : ['User', 'SupplierUser'];

  test(`${kind} users: Create (201, no password), Get, List, Patch, Save, Delete (204); 404s name the object`, async (t) => {
    const company = await createCompany(t, kind);
    const other = await createCompany(t, kind);
    const fields = newUserFields(`e2e-${kind}-user`);
    const { data: created, status } = await withStatus(() => UsersApi.Create(company.ID, fields));
    defer(t, () => deleteIgnoringNotFound(() => UsersApi.Delete(company.ID, fields.ID)));
    assert.equal(status, 201);
    assert.equal(created.ID, fields.ID);
    assert.equal(created.Username, fields.Username);
    assert.equal(created.FirstName, fields.FirstName);
    assert.equal(created.LastName, fields.LastName);
    assert.equal(created.Email, fields.Email);
    assert.equal(created.Active, true);
    assert.ok(created.Password == null, 'the password is never returned');
    assert.ok(!JSON.stringify(created).includes(fields.Password), 'the password appears nowhere in the response');
    assert.deepEqual(created.AvailableRoles, [], 'no profile reaches a user of a new company (seller-level profiles are for admins)');
    if (created.CompanyID != null) assert.equal(created.CompanyID, company.ID);

    assert.deepEqual(await UsersApi.Get(company.ID, fields.ID), created);
    const page = await UsersApi.List(company.ID, { filters: { Username: fields.Username } });
    assert.deepEqual(page.Items.map((u) => u.ID), [fields.ID]);
    const all = await UsersApi.List(company.ID);
    assert.deepEqual(all.Items.map((u) => u.ID), [fields.ID], 'the company has exactly this user');
    assert.equal((await UsersApi.List(other.ID)).Meta.TotalCount, 0, "another company's list does not show it");

    const patched = await UsersApi.Patch(company.ID, fields.ID, { FirstName: 'Patched', xp: { a: { b: 1 } } });
    assert.equal(patched.FirstName, 'Patched');
    assert.equal(patched.LastName, fields.LastName);
    assert.deepEqual(patched.xp, { a: { b: 1 } });
    assert.ok(patched.Password == null);

    const { Password: _unused, ...withoutPassword } = fields;
    const { data: saved, status: saveStatus } = await withStatus(() =>
      UsersApi.Save(company.ID, fields.ID, { ...withoutPassword, LastName: 'Saved', Active: false }),
    );
    assert.equal(saveStatus, 200);
    assert.equal(saved.LastName, 'Saved');
    assert.equal(saved.FirstName, fields.FirstName, 'Save (PUT) replaces FirstName with the value sent');
    assert.equal(saved.Active, false);
    assert.ok(saved.xp == null, `Save (PUT) replaces xp too: ${JSON.stringify(saved.xp)}`);
    assert.deepEqual(await UsersApi.Get(company.ID, fields.ID), saved);

    // The user exists only inside its own company.
    const elsewhere = await expectOcError(UsersApi.Get(other.ID, fields.ID), { status: 404, errorCode: 'NotFound' });
    assert.equal(elsewhere.errors[0].Data.ObjectID, fields.ID, JSON.stringify(elsewhere.errors[0]));
    await expectOcError(UsersApi.Patch(other.ID, fields.ID, { FirstName: 'Hijack' }), { status: 404, errorCode: 'NotFound' });
    await expectOcError(UsersApi.Delete(other.ID, fields.ID), { status: 404, errorCode: 'NotFound' });
    assert.equal((await UsersApi.Get(company.ID, fields.ID)).FirstName, fields.FirstName);

    // An unknown company is a 404 for the company.
    const missing = unique(`no-such-${kind}`);
    const missingData = { ObjectType: K.objectType, ObjectID: missing };
    await expectOcError(UsersApi.List(missing), { status: 404, errorCode: 'NotFound', data: missingData });
    await expectOcError(UsersApi.Create(missing, newUserFields()), { status: 404, errorCode: 'NotFound', data: missingData });

    // A duplicate ID in the same company.
    await expectOcError(UsersApi.Create(company.ID, newUserFields('e2e-dup', { ID: fields.ID })), {
      status: 409,
      errorCode: 'IdExists',
    });

    const deleted = await withStatus(() => UsersApi.Delete(company.ID, fields.ID));
    assert.equal(deleted.status, 204);
    const gone = await expectOcError(UsersApi.Get(company.ID, fields.ID), { status: 404, errorCode: 'NotFound' });
    assert.equal(gone.errors[0].Data.ObjectID, fields.ID);
    assert.ok(userObjectTypes.includes(gone.errors[0].Data.ObjectType), JSON.stringify(gone.errors[0]));
    assert.equal((await UsersApi.List(company.ID)).Meta.TotalCount, 0);
  });

  test(`${kind} users: a weak password is refused (400) and nothing is created`, async (t) => {
    const company = await createCompany(t, kind);
    const fields = newUserFields('e2e-weak', { Password: 'short' });
    defer(t, () => deleteIgnoringNotFound(() => UsersApi.Delete(company.ID, fields.ID)));
    await expectOcError(UsersApi.Create(company.ID, fields), { status: 400 });
    await expectOcError(UsersApi.Get(company.ID, fields.ID), { status: 404, errorCode: 'NotFound' });
  });
}

test('usernames are unique across buyers, suppliers and admin users, case-insensitively (409 User.UsernameMustBeUnique)', async (t) => {
  const buyerA = await createCompany(t, 'buyer');
  const buyerB = await createCompany(t, 'buyer');
  const supplier = await createCompany(t, 'supplier');
  const { user: owner } = await createCompanyUser(t, 'buyer', buyerA.ID);
  const taken = owner.Username;
  const conflict = { status: 409, errorCode: 'User.UsernameMustBeUnique' };

  // Each attempt uses a fresh ID and is cleaned up in case the server wrongly accepts it.
  const attempt = (label, kind, companyID, username) => {
    const fields = newUserFields('e2e-dup', { Username: username });
    if (kind === 'admin') {
      defer(t, () => deleteIgnoringNotFound(() => AdminUsers.Delete(fields.ID)));
      return { label, call: () => AdminUsers.Create(fields) };
    }
    const api = KINDS[kind].Users;
    defer(t, () => deleteIgnoringNotFound(() => api.Delete(companyID, fields.ID)));
    return { label, call: () => api.Create(companyID, fields) };
  };
  const attempts = [
    attempt('same buyer, new ID', 'buyer', buyerA.ID, taken),
    attempt('another buyer', 'buyer', buyerB.ID, taken),
    attempt('a supplier', 'supplier', supplier.ID, taken),
    attempt('an admin user', 'admin', null, taken),
    attempt('another buyer, upper case', 'buyer', buyerB.ID, taken.toUpperCase()),
    attempt('an admin user, upper case', 'admin', null, taken.toUpperCase()),
  ];
  for (const { label, call } of attempts) {
    await t.test(`creating a user with a taken username in ${label}`, async () => {
      await expectOcError(call, conflict);
    });
  }

  // A rename onto a taken username is refused too, also when the taken one is an admin's.
  const { user: renamer } = await createCompanyUser(t, 'supplier', supplier.ID);
  await expectOcError(KINDS.supplier.Users.Patch(supplier.ID, renamer.ID, { Username: taken }), conflict);
  const { user: admin } = await createAdminUser(t);
  const { user: buyerUser } = await createCompanyUser(t, 'buyer', buyerB.ID);
  await expectOcError(KINDS.buyer.Users.Patch(buyerB.ID, buyerUser.ID, { Username: admin.Username }), conflict);
  const adminsTwin = newUserFields('e2e-dup', { Username: admin.Username });
  defer(t, () => deleteIgnoringNotFound(() => KINDS.buyer.Users.Delete(buyerB.ID, adminsTwin.ID)));
  await expectOcError(KINDS.buyer.Users.Create(buyerB.ID, adminsTwin), conflict);
  assert.equal((await KINDS.buyer.Users.Get(buyerB.ID, buyerUser.ID)).Username, buyerUser.Username);
  assert.equal((await KINDS.supplier.Users.Get(supplier.ID, renamer.ID)).Username, renamer.Username);

  // Once the owner is deleted its username is free again.
  await KINDS.buyer.Users.Delete(buyerA.ID, owner.ID);
  const reuse = newUserFields('e2e-reuse', { Username: taken });
  const { status } = await withStatus(() => KINDS.buyer.Users.Create(buyerB.ID, reuse));
  defer(t, () => deleteIgnoringNotFound(() => KINDS.buyer.Users.Delete(buyerB.ID, reuse.ID)));
  assert.equal(status, 201);
});

test('user IDs belong to their company: the same ID in two buyers, a supplier and the seller are four users', async (t) => {
  const buyerA = await createCompany(t, 'buyer');
  const buyerB = await createCompany(t, 'buyer');
  const supplier = await createCompany(t, 'supplier');
  const id = unique('e2e-same');
  const a = await createCompanyUser(t, 'buyer', buyerA.ID, { ID: id, Username: unique('e2e-a') });
  const b = await createCompanyUser(t, 'buyer', buyerB.ID, { ID: id, Username: unique('e2e-b') });
  const s = await createCompanyUser(t, 'supplier', supplier.ID, { ID: id, Username: unique('e2e-s') });
  const admin = await createAdminUser(t, { ID: id, Username: unique('e2e-adm') });
  for (const who of [a, b, s, admin]) assert.equal(who.user.ID, id);
  const Buyer = KINDS.buyer;

  // A profile assigned to (buyer A, id) and a group of buyer A holding id reach A's user only.
  const userProfile = await createProfile(t, { Roles: ['BuyerReader'] });
  const groupProfile = await createProfile(t, { Roles: ['UserGroupReader'] });
  const group = await createGroup(t, 'buyer', buyerA.ID);
  await Buyer.Groups.SaveUserAssignment(buyerA.ID, { UserGroupID: group.ID, UserID: id });
  await assignProfile(t, userProfile.ID, { BuyerID: buyerA.ID, UserID: id });
  await assignProfile(t, groupProfile.ID, { BuyerID: buyerA.ID, UserGroupID: group.ID });
  assert.deepEqual(sorted((await Buyer.Users.Get(buyerA.ID, id)).AvailableRoles), ['BuyerReader', 'UserGroupReader']);
  assert.deepEqual((await Buyer.Users.Get(buyerB.ID, id)).AvailableRoles, [], "buyer B's user with the same ID");
  assert.deepEqual((await KINDS.supplier.Users.Get(supplier.ID, id)).AvailableRoles, [], 'the supplier user with the same ID');
  const adminRoles = (await AdminUsers.Get(id)).AvailableRoles;
  assert.ok(!adminRoles.includes('BuyerReader') && !adminRoles.includes('UserGroupReader'), JSON.stringify(adminRoles));
  assert.equal((await Buyer.Groups.ListUserAssignments(buyerB.ID, { userID: id })).Meta.TotalCount, 0);

  // Mismatched pairs are refused and grant nothing: a user or group of buyer B under buyer A.
  const { user: onlyInB } = await createCompanyUser(t, 'buyer', buyerB.ID);
  const groupOfB = await createGroup(t, 'buyer', buyerB.ID);
  const stray = await createProfile(t, { Roles: ['MeAdmin'] });
  await expectOcError(SecurityProfiles.SaveAssignment({ SecurityProfileID: stray.ID, BuyerID: buyerA.ID, UserID: onlyInB.ID }), {
    status: 404,
    errorCode: 'NotFound',
  });
  await expectOcError(
    SecurityProfiles.SaveAssignment({ SecurityProfileID: stray.ID, BuyerID: buyerA.ID, UserGroupID: groupOfB.ID }),
    { status: 404, errorCode: 'NotFound' },
  );
  await expectOcError(SecurityProfiles.SaveAssignment({ SecurityProfileID: stray.ID, UserID: onlyInB.ID }), {
    status: 404,
    errorCode: 'NotFound',
  });
  await expectOcError(Buyer.Groups.SaveUserAssignment(buyerA.ID, { UserGroupID: groupOfB.ID, UserID: id }), {
    status: 404,
    errorCode: 'NotFound',
  });
  assert.deepEqual((await SecurityProfiles.ListAssignments({ securityProfileID: stray.ID })).Items, []);
  assert.deepEqual((await Buyer.Users.Get(buyerB.ID, onlyInB.ID)).AvailableRoles, []);

  // Deleting A's user leaves the others alone.
  await Buyer.Users.Delete(buyerA.ID, id);
  await expectOcError(Buyer.Users.Get(buyerA.ID, id), { status: 404, errorCode: 'NotFound' });
  assert.equal((await Buyer.Users.Get(buyerB.ID, id)).Username, b.user.Username);
  assert.equal((await KINDS.supplier.Users.Get(supplier.ID, id)).Username, s.user.Username);
  assert.equal((await AdminUsers.Get(id)).Username, admin.user.Username);
});

// ---------------------------------------------------------------------------------------------
// User groups

/** The group API of each kind with the company argument bound (admin groups have none). */
function groupApi(kind, companyID) {
  if (kind === 'admin') {
    const G = AdminUserGroups;
    return {
      list: (o) => G.List(o),
      create: (b) => G.Create(b),
      get: (id) => G.Get(id),
      patch: (id, b) => G.Patch(id, b),
      save: (id, b) => G.Save(id, b),
      remove: (id) => G.Delete(id),
      saveMember: (a) => G.SaveUserAssignment(a),
      listMembers: (o) => G.ListUserAssignments(o),
      removeMember: (g, u) => G.DeleteUserAssignment(g, u),
    };
  }
  const G = KINDS[kind].Groups;
  return {
    list: (o) => G.List(companyID, o),
    create: (b) => G.Create(companyID, b),
    get: (id) => G.Get(companyID, id),
    patch: (id, b) => G.Patch(companyID, id, b),
    save: (id, b) => G.Save(companyID, id, b),
    remove: (id) => G.Delete(companyID, id),
    saveMember: (a) => G.SaveUserAssignment(companyID, a),
    listMembers: (o) => G.ListUserAssignments(companyID, o),
    removeMember: (g, u) => G.DeleteUserAssignment(companyID, g, u),
  };
}

for (const kind of ['buyer', 'supplier', 'admin']) {
  test(`${kind} user groups: Create (201), Get, List, Patch, Save, IdExists (409), Delete (204), then 404`, async (t) => {
    const company = kind === 'admin' ? null : await createCompany(t, kind);
    const api = groupApi(kind, company?.ID);
    const id = unique(`e2e-${kind}-group`);
    const name = unique('E2E group');
    const { data: created, status } = await withStatus(() =>
      api.create({ ID: id, Name: name, Description: 'first', xp: { x: { y: 1 } } }),
    );
    defer(t, () => deleteIgnoringNotFound(() => api.remove(id)));
    assert.equal(status, 201);
    assert.equal(created.ID, id);
    assert.equal(created.Name, name);
    assert.equal(created.Description, 'first');
    assert.deepEqual(created.xp, { x: { y: 1 } });
    assert.deepEqual(await api.get(id), created);

    const page = await api.list({ filters: { ID: id } });
    assert.deepEqual(page.Items, [created]);
    const searched = await api.list({ search: name, searchOn: ['Name'] });
    assert.deepEqual(searched.Items.map((g) => g.ID), [id]);

    const patched = await api.patch(id, { Description: 'patched', xp: { x: { z: 2 } } });
    assert.equal(patched.Name, name);
    assert.equal(patched.Description, 'patched');
    assert.deepEqual(patched.xp, { x: { y: 1, z: 2 } }, 'Patch deep-merges xp');

    const { data: saved, status: saveStatus } = await withStatus(() => api.save(id, { ID: id, Name: `${name}-saved` }));
    assert.equal(saveStatus, 200);
    assert.equal(saved.Name, `${name}-saved`);
    assert.ok(saved.Description == null, 'Save (PUT) replaces the whole group');
    assert.ok(saved.xp == null, 'Save (PUT) replaces xp too');
    assert.deepEqual(await api.get(id), saved);

    await expectOcError(api.create({ ID: id, Name: 'duplicate' }), { status: 409, errorCode: 'IdExists' });

    if (company) {
      // The group belongs to its company only; an unknown company is a 404 for that company.
      const other = await createCompany(t, kind);
      const otherApi = groupApi(kind, other.ID);
      await expectOcError(otherApi.get(id), { status: 404, errorCode: 'NotFound' });
      assert.equal((await otherApi.list()).Meta.TotalCount, 0);
      const missing = unique(`no-such-${kind}`);
      await expectOcError(groupApi(kind, missing).list(), {
        status: 404,
        errorCode: 'NotFound',
        data: { ObjectType: KINDS[kind].objectType, ObjectID: missing },
      });
      await expectOcError(groupApi(kind, missing).create({ ID: unique('g'), Name: 'x' }), {
        status: 404,
        errorCode: 'NotFound',
        data: { ObjectType: KINDS[kind].objectType, ObjectID: missing },
      });
    }

    const deleted = await withStatus(() => api.remove(id));
    assert.equal(deleted.status, 204);
    const gone = await expectOcError(api.get(id), { status: 404, errorCode: 'NotFound' });
    assert.equal(gone.errors[0].Data.ObjectID, id);
    assert.match(gone.errors[0].Data.ObjectType, /UserGroup$/, JSON.stringify(gone.errors[0]));
  });

  test(`${kind} user group assignments: Save (204, idempotent), List by group and by user, Delete (204), 404s, cascades`, async (t) => {
    const company = kind === 'admin' ? null : await createCompany(t, kind);
    const api = groupApi(kind, company?.ID);
    const group = await createGroup(t, kind, company?.ID);
    const newUser = async () =>
      kind === 'admin' ? (await createAdminUser(t)).user : (await createCompanyUser(t, kind, company.ID)).user;
    const u1 = await newUser();
    const u2 = await newUser();

    const saved = await withStatus(() => api.saveMember({ UserGroupID: group.ID, UserID: u1.ID }));
    assert.equal(saved.status, 204);
    const again = await withStatus(() => api.saveMember({ UserGroupID: group.ID, UserID: u1.ID }));
    assert.equal(again.status, 204, 'saving the same membership again is fine');
    let page = await api.listMembers({ userGroupID: group.ID });
    assert.equal(page.Meta.TotalCount, 1, 'saving twice makes one membership');
    assert.deepEqual(
      page.Items.map((a) => ({ UserGroupID: a.UserGroupID, UserID: a.UserID })),
      [{ UserGroupID: group.ID, UserID: u1.ID }],
    );

    await api.saveMember({ UserGroupID: group.ID, UserID: u2.ID });
    page = await api.listMembers({ userGroupID: group.ID });
    assert.deepEqual(sorted(page.Items.map((a) => a.UserID)), sorted([u1.ID, u2.ID]));
    page = await api.listMembers({ userID: u2.ID });
    assert.deepEqual(page.Items.map((a) => [a.UserGroupID, a.UserID]), [[group.ID, u2.ID]]);

    // Unknown user or group: 404, nothing saved.
    const nobody = unique('no-such-user');
    await expectOcError(api.saveMember({ UserGroupID: group.ID, UserID: nobody }), { status: 404, errorCode: 'NotFound' });
    await expectOcError(api.saveMember({ UserGroupID: unique('no-such-group'), UserID: u1.ID }), {
      status: 404,
      errorCode: 'NotFound',
    });
    if (company) {
      // A user of another company cannot join this company's group.
      const other = await createCompany(t, kind);
      const { user: outsider } = await createCompanyUser(t, kind, other.ID);
      await expectOcError(api.saveMember({ UserGroupID: group.ID, UserID: outsider.ID }), {
        status: 404,
        errorCode: 'NotFound',
      });
    }
    assert.equal((await api.listMembers({ userGroupID: group.ID })).Meta.TotalCount, 2, 'the refused saves added nothing');

    const removed = await withStatus(() => api.removeMember(group.ID, u1.ID));
    assert.equal(removed.status, 204);
    page = await api.listMembers({ userGroupID: group.ID });
    assert.deepEqual(page.Items.map((a) => a.UserID), [u2.ID]);

    // Deleting a member deletes its memberships.
    if (kind === 'admin') await AdminUsers.Delete(u2.ID);
    else await KINDS[kind].Users.Delete(company.ID, u2.ID);
    assert.equal((await api.listMembers({ userGroupID: group.ID })).Meta.TotalCount, 0, 'a deleted user leaves its groups');

    // Deleting a group deletes its memberships.
    const group2 = await createGroup(t, kind, company?.ID);
    await api.saveMember({ UserGroupID: group2.ID, UserID: u1.ID });
    assert.equal((await api.listMembers({ userID: u1.ID })).Meta.TotalCount, 1);
    await api.remove(group2.ID);
    assert.equal((await api.listMembers({ userID: u1.ID })).Meta.TotalCount, 0, 'a deleted group has no members left');
  });
}

// ---------------------------------------------------------------------------------------------
// Deleting a company

for (const kind of COMPANY_KINDS) {
  const K = KINDS[kind];

  test(`deleting a ${kind} deletes its users, groups and every assignment naming it; its ID and usernames are free again`, async (t) => {
    const company = await createCompany(t, kind);
    const client = await createClient(t, allowFlag(kind));
    const assignedClient = await createClient(t);
    const profile = await createProfile(t, { Roles: [K.companyRole] });
    const group = await createGroup(t, kind, company.ID);
    const { user, password } = await createCompanyUser(t, kind, company.ID);
    await K.Groups.SaveUserAssignment(company.ID, { UserGroupID: group.ID, UserID: user.ID });
    await assignProfile(t, profile.ID, { [K.idField]: company.ID });
    await assignProfile(t, profile.ID, { [K.idField]: company.ID, UserGroupID: group.ID });
    await assignProfile(t, profile.ID, { [K.idField]: company.ID, UserID: user.ID });
    await ApiClients.SaveAssignment({ ApiClientID: assignedClient.ID, [K.idField]: company.ID });
    await Auth.Login(user.Username, password, client.ID);
    await Auth.Login(user.Username, password, assignedClient.ID);

    const deleted = await withStatus(() => K.Companies.Delete(company.ID));
    assert.equal(deleted.status, 204);

    const missing = { status: 404, errorCode: 'NotFound', data: { ObjectType: K.objectType, ObjectID: company.ID } };
    await expectOcError(K.Companies.Get(company.ID), missing);
    await expectOcError(K.Users.List(company.ID), missing);
    await expectOcError(K.Groups.List(company.ID), missing);
    await expectOcError(K.Users.Get(company.ID, user.ID), { status: 404, errorCode: 'NotFound' });
    assert.deepEqual(
      (await SecurityProfiles.ListAssignments({ securityProfileID: profile.ID })).Items,
      [],
      'the security profile assignments naming the company are gone',
    );
    assert.deepEqual(
      (await ApiClients.ListAssignments({ apiClientID: assignedClient.ID })).Items,
      [],
      'the ApiClient assignment naming the company is gone',
    );
    await expectOcError(Auth.Login(user.Username, password, client.ID), {
      status: 400,
      errorCode: 'Auth.InvalidUsernameOrPassword',
    });

    // The same ID makes a new, empty company; the old user's username can be taken again.
    const reborn = await createCompany(t, kind, { ID: company.ID });
    assert.equal(reborn.ID, company.ID);
    assert.equal((await K.Users.List(company.ID)).Meta.TotalCount, 0, 'no users came back');
    assert.equal((await K.Groups.List(company.ID)).Meta.TotalCount, 0, 'no groups came back');
    assert.equal((await K.Groups.ListUserAssignments(company.ID)).Meta.TotalCount, 0, 'no memberships came back');
    assert.deepEqual((await SecurityProfiles.ListAssignments({ [queryKey(kind)]: company.ID })).Items, []);
    assert.deepEqual((await ApiClients.ListAssignments({ [queryKey(kind)]: company.ID })).Items, []);
    await expectOcError(Auth.Login(user.Username, password, assignedClient.ID), {
      status: 400,
      errorCode: 'Auth.InvalidUsernameOrPassword',
    });
    const again = await createCompanyUser(t, kind, company.ID, { Username: user.Username });
    assert.equal(again.user.Username, user.Username);
    assert.deepEqual(again.user.AvailableRoles, [], 'no old profile assignment reaches the new user');
  });
}

// ---------------------------------------------------------------------------------------------
// AvailableRoles and the token's role claim

for (const kind of COMPANY_KINDS) {
  const K = KINDS[kind];

  test(`${kind} AvailableRoles: the union of profiles assigned at ${kind}, group and user level; the token's role follows`, async (t) => {
    const company = await createCompany(t, kind);
    const other = await createCompany(t, kind);
    const client = await createClient(t, allowFlag(kind));
    const custom = unique('e2e-custom');
    const companyProfile = await createProfile(t, { Roles: [K.companyRole] });
    const groupProfile = await createProfile(t, { Roles: [K.groupRole] });
    const userProfile = await createProfile(t, { Roles: ['MeAdmin'], CustomRoles: [custom] });
    const group = await createGroup(t, kind, company.ID);
    const member = await createCompanyUser(t, kind, company.ID);
    const plain = await createCompanyUser(t, kind, company.ID);
    const outsider = await createCompanyUser(t, kind, other.ID);
    await K.Groups.SaveUserAssignment(company.ID, { UserGroupID: group.ID, UserID: member.user.ID });

    const roles = async (companyID, userID) => sorted((await K.Users.Get(companyID, userID)).AvailableRoles);
    assert.deepEqual(await roles(company.ID, member.user.ID), [], 'no roles before any profile is assigned');

    const byCompany = withStatus(() =>
      SecurityProfiles.SaveAssignment({ SecurityProfileID: companyProfile.ID, [K.idField]: company.ID }),
    );
    assert.equal((await byCompany).status, 204);
    defer(t, () =>
      deleteIgnoringNotFound(() => SecurityProfiles.DeleteAssignment(companyProfile.ID, { [queryKey(kind)]: company.ID })),
    );
    await assignProfile(t, groupProfile.ID, { [K.idField]: company.ID, UserGroupID: group.ID });
    await assignProfile(t, userProfile.ID, { [K.idField]: company.ID, UserID: member.user.ID });

    // The assignments read back with exactly the party fields that were sent.
    const shape = (a) => ({
      SecurityProfileID: a.SecurityProfileID,
      BuyerID: a.BuyerID ?? null,
      SupplierID: a.SupplierID ?? null,
      UserGroupID: a.UserGroupID ?? null,
      UserID: a.UserID ?? null,
    });
    const blank = { BuyerID: null, SupplierID: null, UserGroupID: null, UserID: null };
    const listed = async (profileID) =>
      (await SecurityProfiles.ListAssignments({ securityProfileID: profileID })).Items.map(shape);
    assert.deepEqual(await listed(companyProfile.ID), [
      { ...blank, SecurityProfileID: companyProfile.ID, [K.idField]: company.ID },
    ]);
    assert.deepEqual(await listed(groupProfile.ID), [
      { ...blank, SecurityProfileID: groupProfile.ID, [K.idField]: company.ID, UserGroupID: group.ID },
    ]);
    assert.deepEqual(await listed(userProfile.ID), [
      { ...blank, SecurityProfileID: userProfile.ID, [K.idField]: company.ID, UserID: member.user.ID },
    ]);

    const memberRoles = sorted([K.companyRole, K.groupRole, 'MeAdmin', custom]);
    assert.deepEqual(await roles(company.ID, member.user.ID), memberRoles, 'company + group + user profiles');
    assert.deepEqual(await roles(company.ID, plain.user.ID), [K.companyRole], 'company profile only');
    assert.deepEqual(await roles(other.ID, outsider.user.ID), [], "another company's user gets none of them");
    const listedUsers = await K.Users.List(company.ID, { pageSize: 100 });
    assert.deepEqual(
      Object.fromEntries(listedUsers.Items.map((u) => [u.ID, sorted(u.AvailableRoles)])),
      { [member.user.ID]: memberRoles, [plain.user.ID]: [K.companyRole] },
      'List computes AvailableRoles per user too',
    );

    // Tokens. Without a scope the user gets every API role it holds.
    const login = async (who, scope, customRoles) =>
      decodeJwt((await Auth.Login(who.user.Username, who.password, client.ID, scope, customRoles)).access_token).payload;
    let payload = await login(member);
    assert.equal(payload.usrtype, kind);
    assert.equal(payload.usr, member.user.Username);
    for (const role of [K.companyRole, K.groupRole, 'MeAdmin']) {
      assert.ok(roleClaim(payload).includes(role), `no-scope token holds ${role}: ${JSON.stringify(payload.role)}`);
    }
    assert.ok(
      roleClaim(payload).every((r) => memberRoles.includes(r)),
      `no-scope token holds nothing beyond AvailableRoles: ${JSON.stringify(payload.role)}`,
    );
    payload = await login(member, [K.companyRole, K.groupRole, 'MeAdmin'], [custom]);
    assert.deepEqual(roleClaim(payload), memberRoles, 'scoped token: every requested role the user holds, custom too');
    payload = await login(member, [K.groupRole, 'FullAccess']);
    assert.equal(payload.role, K.groupRole, 'roles the user lacks are dropped silently; one role is a string');

    payload = await login(plain);
    assert.equal(payload.role, K.companyRole, 'a single role is a string');
    payload = await login(plain, [K.groupRole, 'MeAdmin']);
    assert.ok(!('role' in payload), `no requested role held → no role claim: ${JSON.stringify(payload.role)}`);
    payload = await login(outsider);
    assert.ok(!('role' in payload), `a user with no roles gets no role claim: ${JSON.stringify(payload.role)}`);

    // Taking assignments away takes the roles away.
    await K.Groups.DeleteUserAssignment(company.ID, group.ID, member.user.ID);
    assert.deepEqual(await roles(company.ID, member.user.ID), sorted([K.companyRole, 'MeAdmin', custom]), 'left the group');
    await SecurityProfiles.DeleteAssignment(userProfile.ID, { [queryKey(kind)]: company.ID, userID: member.user.ID });
    assert.deepEqual(await roles(company.ID, member.user.ID), [K.companyRole], 'user-level assignment deleted');
    await SecurityProfiles.DeleteAssignment(companyProfile.ID, { [queryKey(kind)]: company.ID });
    assert.deepEqual(await roles(company.ID, member.user.ID), [], 'company-level assignment deleted');
    assert.deepEqual(await roles(company.ID, plain.user.ID), []);
    payload = await login(member);
    assert.ok(!('role' in payload), `after every assignment is gone the token has no role: ${JSON.stringify(payload.role)}`);
  });
}

test('admin AvailableRoles: a profile assigned to an admin user group reaches its members, one assigned to an admin user reaches that user', async (t) => {
  const groupProfile = await createProfile(t, { Roles: ['SupplierReader'] });
  const userProfile = await createProfile(t, { Roles: ['BuyerReader'] });
  const group = await createGroup(t, 'admin', null);
  const member = await createAdminUser(t);
  const loner = await createAdminUser(t);
  await AdminUserGroups.SaveUserAssignment({ UserGroupID: group.ID, UserID: member.user.ID });
  await assignProfile(t, groupProfile.ID, { UserGroupID: group.ID });
  await assignProfile(t, userProfile.ID, { UserID: loner.user.ID });

  const roles = async (id) => (await AdminUsers.Get(id)).AvailableRoles;
  assert.ok((await roles(member.user.ID)).includes('SupplierReader'), 'the group profile reaches the member');
  assert.ok(!(await roles(member.user.ID)).includes('BuyerReader'), "the loner's profile does not reach the member");
  assert.ok((await roles(loner.user.ID)).includes('BuyerReader'), 'the user profile reaches its user');
  assert.ok(!(await roles(loner.user.ID)).includes('SupplierReader'), 'the group profile does not reach a non-member');

  const { access_token: token } = await Auth.Login(member.user.Username, member.password, CLIENT_ID, ['SupplierReader']);
  const payload = decodeJwt(token).payload;
  assert.equal(payload.role, 'SupplierReader');
  assert.equal(payload.usrtype, 'admin');

  await AdminUserGroups.DeleteUserAssignment(group.ID, member.user.ID);
  assert.ok(!(await roles(member.user.ID)).includes('SupplierReader'), 'leaving the group removes its roles');
});

// ---------------------------------------------------------------------------------------------
// Lockout

for (const kind of ['buyer', 'supplier', 'admin']) {
  test(`${kind} user: 10 wrong passwords lock the account (Auth.LockedOut even with the right password); UnlockUserAccount (204) lets it in`, async (t) => {
    let clientID = CLIENT_ID;
    let get;
    let unlock;
    let unlockMissing;
    let who;
    if (kind === 'admin') {
      who = await createAdminUser(t);
      get = () => AdminUsers.Get(who.user.ID);
      unlock = () => AdminUsers.UnlockUserAccount(who.user.ID);
      unlockMissing = () => AdminUsers.UnlockUserAccount(unique('no-such-user'));
    } else {
      const company = await createCompany(t, kind);
      clientID = (await createClient(t, allowFlag(kind))).ID;
      who = await createCompanyUser(t, kind, company.ID);
      const api = KINDS[kind].Users;
      get = () => api.Get(company.ID, who.user.ID);
      unlock = () => api.UnlockUserAccount(company.ID, who.user.ID);
      unlockMissing = () => api.UnlockUserAccount(company.ID, unique('no-such-user'));
    }
    const { Username: username } = who.user;
    const wrong = strongPassword();
    const invalid = { status: 400, errorCode: 'Auth.InvalidUsernameOrPassword' };

    assert.equal((await get()).FailedLoginAttempts ?? 0, 0);
    for (let i = 1; i <= 9; i++) await expectOcError(Auth.Login(username, wrong, clientID), invalid);
    assert.equal((await get()).FailedLoginAttempts, 9, 'FailedLoginAttempts counts wrong passwords');
    await Auth.Login(username, who.password, clientID); // 9 failures do not lock
    assert.equal((await get()).FailedLoginAttempts, 0, 'a successful login resets the count');

    // The 10th wrong password locks the account. A wrong password is always answered as one
    // (decisions.md: nothing about the user is told before the password is verified), so only
    // the right password learns of the lock.
    for (let i = 1; i <= 10; i++) await expectOcError(Auth.Login(username, wrong, clientID), invalid);
    assert.equal((await get()).FailedLoginAttempts, 10);

    const locked = await expectOcError(Auth.Login(username, who.password, clientID), {
      status: 400,
      errorCode: 'Auth.LockedOut',
    });
    assert.equal(locked.response?.data?.error, 'invalid_grant', JSON.stringify(locked.response?.data));
    await expectOcError(Auth.Login(username, wrong, clientID), invalid);
    assert.equal((await get()).FailedLoginAttempts, 10, 'the count stops at the limit while locked');
    await expectOcError(Auth.Login(username, who.password, clientID), { status: 400, errorCode: 'Auth.LockedOut' });

    const unlocked = await withStatus(unlock);
    assert.equal(unlocked.status, 204);
    assert.equal((await get()).FailedLoginAttempts ?? 0, 0, 'unlocking resets the count');
    const response = await Auth.Login(username, who.password, clientID);
    assert.equal(decodeJwt(response.access_token).payload.usr, username, 'the right password works after the unlock');

    await expectOcError(unlockMissing, { status: 404, errorCode: 'NotFound' });
  });
}
