// Who may log in through which ApiClient (spec §3.4):
//
//   allowed = (admin && AllowSeller)
//          || (buyer && (AllowAnyBuyer || the buyer is assigned to the client))
//          || (supplier && (AllowAnySupplier || the supplier is assigned to the client))
//
// otherwise /oauth/token answers 400 invalid_grant, ErrorCode Auth.ClientNotAllowedForUser. The
// matrix covers every user type × the 8 flag combinations × (for buyers and suppliers) a company
// that is assigned to every client and one that is not. Then: inactive user, inactive company,
// a wrong password decided before the client, and a buyer (supplier) user admin confined to its
// own company.
//
// The 8 clients, the four companies (assigned/unassigned buyer and supplier) and one user each
// are made once in `before` and deleted in `after`; the matrix tests only log in. The other
// tests make their own users (and companies) so that no test depends on another.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { AdminUsers, ApiClients, Auth, SecurityProfiles } from 'ordercloud-javascript-sdk';

import {
  createClient,
  decodeJwt,
  defer,
  deleteIgnoringNotFound,
  expectOcError,
  loginAdmin,
  strongPassword,
  unique,
} from './lib/helpers.mjs';
import {
  KINDS,
  assignProfile,
  createAdminUser,
  createCompany,
  createCompanyUser,
  createProfile,
  deferForFile,
  newUserFields,
  runFileCleanup,
} from './lib/parties.mjs';

const FLAGS = ['AllowSeller', 'AllowAnyBuyer', 'AllowAnySupplier'];
/** The 8 combinations of the three flags. */
const CONFIGS = [0, 1, 2, 3, 4, 5, 6, 7].map((bits) =>
  Object.fromEntries(FLAGS.map((flag, i) => [flag, Boolean(bits & (1 << i))])),
);

function label(config) {
  return FLAGS.map((flag) => `${flag}=${config[flag]}`).join(' ');
}

/** The rule under test, written out once. */
function shouldAllow(userType, config, assigned) {
  if (userType === 'admin') return config.AllowSeller;
  if (userType === 'buyer') return config.AllowAnyBuyer || assigned;
  return config.AllowAnySupplier || assigned;
}

/** The shared fixture, filled in by `before`. */
const fx = {
  clients: [], // { config, client }
  admin: null, // { user, password }
  // [kind]: { assigned: { company, who }, unassigned: { company, who } }
};

before(async () => {
  await loginAdmin();
  for (const config of CONFIGS) {
    const client = await ApiClients.Create({ AppName: unique('e2e-matrix'), AccessTokenDuration: 10, ...config });
    deferForFile(() => deleteIgnoringNotFound(() => ApiClients.Delete(client.ID)));
    for (const flag of FLAGS) assert.equal(client[flag], config[flag], `client ${flag} as created`);
    fx.clients.push({ config, client });
  }
  fx.admin = await createAdminUser(null);
  for (const kind of ['buyer', 'supplier']) {
    fx[kind] = {};
    for (const state of ['assigned', 'unassigned']) {
      const company = await createCompany(null, kind);
      const who = await createCompanyUser(null, kind, company.ID);
      fx[kind][state] = { company, who };
    }
    const { idField } = KINDS[kind];
    for (const { client } of fx.clients) {
      await ApiClients.SaveAssignment({ ApiClientID: client.ID, [idField]: fx[kind].assigned.company.ID });
    }
  }
});

after(runFileCleanup);

/** A client of the fixture with exactly these flags. */
function clientWith(flags) {
  const config = { AllowSeller: false, AllowAnyBuyer: false, AllowAnySupplier: false, ...flags };
  return fx.clients.find((c) => FLAGS.every((f) => c.config[f] === config[f])).client;
}

/** Log in and check the token, or fail with what the server said. */
async function expectLogin(who, clientID, usrtype, scope) {
  let response;
  try {
    response = await Auth.Login(who.user.Username, who.password, clientID, scope);
  } catch (e) {
    assert.fail(
      `expected a token, got ${e.status} ${e.errorCode}: ${JSON.stringify(e.response?.data)?.slice(0, 500)}`,
    );
  }
  const { payload } = decodeJwt(response.access_token);
  assert.equal(payload.usr, who.user.Username);
  assert.equal(payload.cid, clientID.toLowerCase());
  assert.equal(payload.usrtype, usrtype);
  return response;
}

/** The login must be refused with 400 invalid_grant and this ErrorCode. */
async function expectRefusal(username, password, clientID, errorCode) {
  const error = await expectOcError(Auth.Login(username, password, clientID), { status: 400, errorCode });
  assert.equal(error.response?.data?.error, 'invalid_grant', JSON.stringify(error.response?.data));
  return error;
}

async function checkCell(who, client, usrtype, allowed) {
  if (allowed) await expectLogin(who, client.ID, usrtype);
  else await expectRefusal(who.user.Username, who.password, client.ID, 'Auth.ClientNotAllowedForUser');
}

// ---------------------------------------------------------------------------------------------
// The matrix

test('seller admin × 8 client configurations: a token exactly when AllowSeller', async (t) => {
  for (const { config, client } of fx.clients) {
    const allowed = shouldAllow('admin', config, false);
    await t.test(`admin, ${label(config)} → ${allowed ? 'token' : 'Auth.ClientNotAllowedForUser'}`, () =>
      checkCell(fx.admin, client, 'admin', allowed),
    );
  }
});

for (const kind of ['buyer', 'supplier']) {
  const flag = kind === 'buyer' ? 'AllowAnyBuyer' : 'AllowAnySupplier';
  test(`${kind} user × 8 client configurations × company assigned or not: a token exactly when ${flag} or assigned`, async (t) => {
    for (const state of ['assigned', 'unassigned']) {
      const { who } = fx[kind][state];
      for (const { config, client } of fx.clients) {
        const allowed = shouldAllow(kind, config, state === 'assigned');
        await t.test(`${kind} of an ${state} ${kind}, ${label(config)} → ${allowed ? 'token' : 'Auth.ClientNotAllowedForUser'}`, () =>
          checkCell(who, client, kind, allowed),
        );
      }
    }
  });
}

test('the assignments the matrix relies on are listed for every client', async () => {
  for (const { client } of fx.clients) {
    const page = await ApiClients.ListAssignments({ apiClientID: client.ID });
    const pairs = page.Items.map((a) => [a.BuyerID ?? null, a.SupplierID ?? null]).sort();
    assert.deepEqual(
      pairs,
      [
        [fx.buyer.assigned.company.ID, null],
        [null, fx.supplier.assigned.company.ID],
      ].sort(),
      `assignments of ${label(fx.clients.find((c) => c.client === client).config)}`,
    );
  }
});

test('deleting the assignment takes the access away at once; saving it again gives it back', async (t) => {
  const client = await createClient(t);
  const buyer = await createCompany(t, 'buyer');
  const supplier = await createCompany(t, 'supplier');
  const buyerUser = await createCompanyUser(t, 'buyer', buyer.ID);
  const supplierUser = await createCompanyUser(t, 'supplier', supplier.ID);
  const refused = 'Auth.ClientNotAllowedForUser';

  await expectRefusal(buyerUser.user.Username, buyerUser.password, client.ID, refused);
  await ApiClients.SaveAssignment({ ApiClientID: client.ID, BuyerID: buyer.ID });
  await expectLogin(buyerUser, client.ID, 'buyer');
  await expectRefusal(supplierUser.user.Username, supplierUser.password, client.ID, refused);
  await ApiClients.SaveAssignment({ ApiClientID: client.ID, SupplierID: supplier.ID });
  await expectLogin(supplierUser, client.ID, 'supplier');

  await ApiClients.DeleteBuyerAssignment(client.ID, buyer.ID);
  await expectRefusal(buyerUser.user.Username, buyerUser.password, client.ID, refused);
  await expectLogin(supplierUser, client.ID, 'supplier');
  await ApiClients.DeleteSupplierAssignment(client.ID, supplier.ID);
  await expectRefusal(supplierUser.user.Username, supplierUser.password, client.ID, refused);
});

test('an assignment names a buyer or a supplier, not an ID: a company of the other kind with the same ID is not let in', async (t) => {
  // The fixture's assigned buyer and supplier are assigned to every client; make their twins.
  // (Buyers and suppliers live under separate routes and Gatehouse keeps their ID spaces apart,
  // so a buyer and a supplier may share an ID.)
  const client = clientWith({}); // no flags: only the assignments count
  const buyerTwin = await createCompany(t, 'buyer', { ID: fx.supplier.assigned.company.ID });
  const supplierTwin = await createCompany(t, 'supplier', { ID: fx.buyer.assigned.company.ID });
  const buyerUser = await createCompanyUser(t, 'buyer', buyerTwin.ID);
  const supplierUser = await createCompanyUser(t, 'supplier', supplierTwin.ID);
  await t.test('a buyer whose ID is an assigned supplier\'s', () =>
    expectRefusal(buyerUser.user.Username, buyerUser.password, client.ID, 'Auth.ClientNotAllowedForUser'),
  );
  await t.test('a supplier whose ID is an assigned buyer\'s', () =>
    expectRefusal(supplierUser.user.Username, supplierUser.password, client.ID, 'Auth.ClientNotAllowedForUser'),
  );
  await t.test('the assigned companies\' own users still get in', async () => {
    await expectLogin(fx.buyer.assigned.who, client.ID, 'buyer');
    await expectLogin(fx.supplier.assigned.who, client.ID, 'supplier');
  });
  await t.test('deleting the twins leaves the assigned companies\' assignments and users alone', async () => {
    await KINDS.buyer.Companies.Delete(buyerTwin.ID);
    await KINDS.supplier.Companies.Delete(supplierTwin.ID);
    const page = await ApiClients.ListAssignments({ apiClientID: client.ID });
    assert.deepEqual(
      page.Items.map((a) => [a.BuyerID ?? null, a.SupplierID ?? null]).sort(),
      [
        [fx.buyer.assigned.company.ID, null],
        [null, fx.supplier.assigned.company.ID],
      ].sort(),
    );
    await expectLogin(fx.buyer.assigned.who, client.ID, 'buyer');
    await expectLogin(fx.supplier.assigned.who, client.ID, 'supplier');
  });
});

// ---------------------------------------------------------------------------------------------
// Inactive users and companies

test('an inactive user gets Auth.UserNotActive on a client that allows it; activated, it logs in', async (t) => {
  const cases = [
    { kind: 'admin', client: clientWith({ AllowSeller: true }) },
    { kind: 'buyer', client: clientWith({ AllowAnyBuyer: true }) },
    { kind: 'buyer', client: clientWith({}), via: 'assignment' },
    { kind: 'supplier', client: clientWith({ AllowAnySupplier: true }) },
    { kind: 'supplier', client: clientWith({}), via: 'assignment' },
  ];
  for (const { kind, client, via } of cases) {
    await t.test(`${kind} user${via ? ` (allowed by ${via})` : ''}`, async (st) => {
      let who;
      let activate;
      if (kind === 'admin') {
        who = await createAdminUser(st, { Active: false });
        activate = () => AdminUsers.Patch(who.user.ID, { Active: true });
      } else {
        const companyID = fx[kind].assigned.company.ID;
        who = await createCompanyUser(st, kind, companyID, { Active: false });
        activate = () => KINDS[kind].Users.Patch(companyID, who.user.ID, { Active: true });
      }
      assert.equal(who.user.Active, false);
      await expectRefusal(who.user.Username, who.password, client.ID, 'Auth.UserNotActive');
      await activate();
      await expectLogin(who, client.ID, kind);
    });
  }
});

test('a user of an inactive company gets Auth.CompanyNotActive; once the company is active it logs in', async (t) => {
  for (const kind of ['buyer', 'supplier']) {
    const K = KINDS[kind];
    await t.test(kind, async (st) => {
      const company = await createCompany(st, kind, { Active: false });
      assert.equal(company.Active, false);
      const who = await createCompanyUser(st, kind, company.ID);
      const anyClient = clientWith({ [kind === 'buyer' ? 'AllowAnyBuyer' : 'AllowAnySupplier']: true });
      const assignedClient = await createClient(st);
      await ApiClients.SaveAssignment({ ApiClientID: assignedClient.ID, [K.idField]: company.ID });

      await expectRefusal(who.user.Username, who.password, anyClient.ID, 'Auth.CompanyNotActive');
      await expectRefusal(who.user.Username, who.password, assignedClient.ID, 'Auth.CompanyNotActive');
      await K.Companies.Patch(company.ID, { Active: true });
      await expectLogin(who, anyClient.ID, kind);
      await expectLogin(who, assignedClient.ID, kind);
      await K.Companies.Patch(company.ID, { Active: false });
      await expectRefusal(who.user.Username, who.password, anyClient.ID, 'Auth.CompanyNotActive');
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The password comes first

test('a wrong password is Auth.InvalidUsernameOrPassword whatever the client, user or company state', async (t) => {
  const invalid = 'Auth.InvalidUsernameOrPassword';
  const wrong = strongPassword();
  const sellerOnly = clientWith({ AllowSeller: true });
  const buyerOnly = clientWith({ AllowAnyBuyer: true });
  const noFlags = clientWith({});

  // Fresh users, so the failed attempts counted here touch nobody else.
  const admin = await createAdminUser(t);
  const buyer = await createCompanyUser(t, 'buyer', fx.buyer.unassigned.company.ID);
  const supplier = await createCompanyUser(t, 'supplier', fx.supplier.unassigned.company.ID);
  const inactiveUser = await createCompanyUser(t, 'buyer', fx.buyer.unassigned.company.ID, { Active: false });
  const inactiveCompany = await createCompany(t, 'buyer', { Active: false });
  const userOfInactive = await createCompanyUser(t, 'buyer', inactiveCompany.ID);

  const cases = [
    ['admin on a client without AllowSeller', admin, buyerOnly, 'Auth.ClientNotAllowedForUser'],
    ['buyer user on a seller-only client', buyer, sellerOnly, 'Auth.ClientNotAllowedForUser'],
    ['supplier user on a client with no flags and no assignment', supplier, noFlags, 'Auth.ClientNotAllowedForUser'],
    ['inactive buyer user on a client that allows buyers', inactiveUser, buyerOnly, 'Auth.UserNotActive'],
    ['inactive buyer user on a seller-only client', inactiveUser, sellerOnly, null],
    ['user of an inactive buyer on a client that allows buyers', userOfInactive, buyerOnly, 'Auth.CompanyNotActive'],
  ];
  for (const [name, who, client, withRightPassword] of cases) {
    await t.test(name, async () => {
      await expectRefusal(who.user.Username, wrong, client.ID, invalid);
      // With the right password the refusal is the specific one (when the case names it).
      if (withRightPassword) await expectRefusal(who.user.Username, who.password, client.ID, withRightPassword);
    });
  }
  await t.test('an unknown username gets the same answer', () =>
    expectRefusal(unique('no-such-user'), wrong, noFlags.ID, invalid),
  );
});

// ---------------------------------------------------------------------------------------------
// Company boundaries for user admins

for (const kind of ['buyer', 'supplier']) {
  const K = KINDS[kind];
  test(`a ${kind} user with ${K.userAdminRole} manages its own ${kind}'s users only; another ${kind} is 404 NotFound (ObjectType "${K.objectType}")`, async (t) => {
    const own = fx[kind].assigned.company;
    const other = fx[kind].unassigned.company;
    const otherUser = fx[kind].unassigned.who.user;
    const profile = await createProfile(t, { Roles: [K.userAdminRole] });
    const userAdmin = await createCompanyUser(t, kind, own.ID);
    await assignProfile(t, profile.ID, { [K.idField]: own.ID, UserID: userAdmin.user.ID });
    // Another profile, for the group check at the end (the user-admin part asks only for its role).
    const groupProfile = await createProfile(t, { Roles: [K.groupAdminRole] });
    await assignProfile(t, groupProfile.ID, { [K.idField]: own.ID, UserID: userAdmin.user.ID });

    const client = clientWith({ [kind === 'buyer' ? 'AllowAnyBuyer' : 'AllowAnySupplier']: true });
    const response = await expectLogin(userAdmin, client.ID, kind, [K.userAdminRole]);
    assert.equal(decodeJwt(response.access_token).payload.role, K.userAdminRole);
    const as = { accessToken: response.access_token };
    const Api = K.Users;

    // Its own company works.
    const ownPage = await Api.List(own.ID, { pageSize: 100 }, as);
    assert.ok(ownPage.Items.some((u) => u.ID === userAdmin.user.ID), 'it sees itself in its own company');
    assert.equal((await Api.Get(own.ID, userAdmin.user.ID, as)).ID, userAdmin.user.ID);
    const made = newUserFields(`e2e-${kind}-made`);
    defer(t, () => deleteIgnoringNotFound(() => Api.Delete(own.ID, made.ID)));
    assert.equal((await Api.Create(own.ID, made, as)).ID, made.ID, 'it may create users in its own company');
    await Api.Delete(own.ID, made.ID, as);

    // Another company of the same kind does not exist for it, nor does an unknown one.
    const notFound = (id) => ({ status: 404, errorCode: 'NotFound', data: { ObjectType: K.objectType, ObjectID: id } });
    await expectOcError(Api.List(other.ID, {}, as), notFound(other.ID));
    await expectOcError(Api.Get(other.ID, otherUser.ID, as), notFound(other.ID));
    await expectOcError(Api.Patch(other.ID, otherUser.ID, { FirstName: 'Hijacked' }, as), notFound(other.ID));
    await expectOcError(Api.Delete(other.ID, otherUser.ID, as), notFound(other.ID));
    const intruder = newUserFields(`e2e-${kind}-intruder`);
    defer(t, () => deleteIgnoringNotFound(() => Api.Delete(other.ID, intruder.ID)));
    await expectOcError(Api.Create(other.ID, intruder, as), notFound(other.ID));
    const missing = unique(`no-such-${kind}`);
    await expectOcError(Api.List(missing, {}, as), notFound(missing));

    // Nothing changed in the other company (checked as the seller admin).
    const still = await Api.Get(other.ID, otherUser.ID);
    assert.equal(still.FirstName, otherUser.FirstName);
    await expectOcError(Api.Get(other.ID, intruder.ID), { status: 404, errorCode: 'NotFound' });
    assert.ok(
      (await SecurityProfiles.ListAssignments({ securityProfileID: profile.ID })).Items.every((a) => a[K.idField] === own.ID),
    );

    // The same boundary for user groups, with the group-admin role.
    const groupToken = await expectLogin(userAdmin, client.ID, kind, [K.groupAdminRole]);
    const asGroupAdmin = { accessToken: groupToken.access_token };
    assert.ok(Array.isArray((await K.Groups.List(own.ID, {}, asGroupAdmin)).Items), 'its own groups can be listed');
    await expectOcError(K.Groups.List(other.ID, {}, asGroupAdmin), notFound(other.ID));
    const foreignGroup = { ID: unique(`e2e-${kind}-foreign`), Name: 'foreign' };
    defer(t, () => deleteIgnoringNotFound(() => K.Groups.Delete(other.ID, foreignGroup.ID)));
    await expectOcError(K.Groups.Create(other.ID, foreignGroup, asGroupAdmin), notFound(other.ID));
    await expectOcError(K.Groups.ListUserAssignments(other.ID, {}, asGroupAdmin), notFound(other.ID));
    await expectOcError(K.Groups.Get(other.ID, foreignGroup.ID), { status: 404, errorCode: 'NotFound' });
  });
}

test('a buyer user holding SupplierUserAdmin cannot reach a supplier, not even one with its own buyer\'s ID (404 "Supplier")', async (t) => {
  const buyer = await createCompany(t, 'buyer');
  const supplier = await createCompany(t, 'supplier', { ID: buyer.ID });
  const { user: supplierUser } = await createCompanyUser(t, 'supplier', supplier.ID);
  const profile = await createProfile(t, { Roles: ['SupplierUserAdmin', 'SupplierUserReader'] });
  const who = await createCompanyUser(t, 'buyer', buyer.ID);
  await assignProfile(t, profile.ID, { BuyerID: buyer.ID, UserID: who.user.ID });
  const response = await expectLogin(who, clientWith({ AllowAnyBuyer: true }).ID, 'buyer');
  const as = { accessToken: response.access_token };
  const notFound = { status: 404, errorCode: 'NotFound', data: { ObjectType: 'Supplier', ObjectID: supplier.ID } };
  await expectOcError(KINDS.supplier.Users.List(supplier.ID, {}, as), notFound);
  await expectOcError(KINDS.supplier.Users.Get(supplier.ID, supplierUser.ID, as), notFound);
  await expectOcError(KINDS.supplier.Users.Patch(supplier.ID, supplierUser.ID, { FirstName: 'Hijacked' }, as), notFound);
  assert.equal((await KINDS.supplier.Users.Get(supplier.ID, supplierUser.ID)).FirstName, supplierUser.FirstName);
});
