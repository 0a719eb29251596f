// /v1/apiclients through the SDK's ApiClients resource: CRUD, serialization, errors, lists.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import { ApiClients, Tokens } from 'ordercloud-javascript-sdk';

import {
  GUID_RE,
  loginAdmin,
  createClient,
  deleteIgnoringNotFound,
  defer,
  expectOcError,
  unique,
  withStatus,
} from './lib/helpers.mjs';

/** What OrderCloud returns for a client created with only AppName and AccessTokenDuration. */
function defaultsFor(fields) {
  return {
    ClientSecret: null,
    Active: true,
    RefreshTokenDuration: 0,
    AnonymousTokenDuration: 10080,
    DefaultContextUserName: null,
    xp: null,
    AllowAnyBuyer: false,
    AllowAnySupplier: false,
    AllowSeller: false,
    IsAnonBuyer: false,
    AssignedBuyerCount: 0,
    AssignedSupplierCount: 0,
    OrderCheckoutIntegrationEventID: null,
    OrderCheckoutIntegrationEventName: null,
    OrderReturnIntegrationEventID: null,
    OrderReturnIntegrationEventName: null,
    AddToCartIntegrationEventID: null,
    AddToCartIntegrationEventName: null,
    MinimumRequiredRoles: [],
    MinimumRequiredCustomRoles: [],
    MaximumGrantedRoles: [],
    MaximumGrantedCustomRoles: [],
    ...fields,
  };
}

before(async () => {
  await loginAdmin();
});

test('Create returns 201 and the whole ApiClient with every property serialized', async (t) => {
  const appName = unique('e2e-create');
  const { data: created, status } = await withStatus(() =>
    ApiClients.Create({ AppName: appName, AccessTokenDuration: 30, AllowAnyBuyer: true }),
  );
  defer(t, () => deleteIgnoringNotFound(() => ApiClients.Delete(created.ID)));
  assert.equal(status, 201);
  assert.match(created.ID, GUID_RE, 'ID is a lowercase GUID');
  assert.deepEqual(
    created,
    defaultsFor({ ID: created.ID, AppName: appName, AccessTokenDuration: 30, AllowAnyBuyer: true }),
  );

  const { data: fetched, status: getStatus } = await withStatus(() => ApiClients.Get(created.ID));
  assert.equal(getStatus, 200);
  assert.deepEqual(fetched, created);
});

test('Create stores every writable field it is given', async (t) => {
  const fields = {
    AppName: unique('e2e-full'),
    AccessTokenDuration: 600,
    Active: false,
    RefreshTokenDuration: 1440,
    AnonymousTokenDuration: 20,
    xp: { env: 'prod', nested: { a: [1, 2], b: null } },
    AllowAnyBuyer: true,
    AllowAnySupplier: true,
    AllowSeller: true,
    MinimumRequiredRoles: ['ApiClientReader'],
    MinimumRequiredCustomRoles: ['e2e-custom'],
    MaximumGrantedRoles: ['ApiClientAdmin', 'ApiClientReader'],
    MaximumGrantedCustomRoles: ['e2e-custom', 'other'],
  };
  const created = await createClient(t, fields);
  assert.deepEqual(created, defaultsFor({ ID: created.ID, ...fields }));
  assert.deepEqual(await ApiClients.Get(created.ID), created);
});

test('Create ignores a client-supplied ID (ApiClient IDs are server-made GUIDs)', async (t) => {
  const created = await createClient(t, { ID: 'my-own-id' });
  assert.notEqual(created.ID, 'my-own-id');
  assert.match(created.ID, GUID_RE);
});

test('Create validates required fields and ranges', async () => {
  await expectOcError(ApiClients.Create({ AccessTokenDuration: 10 }), {
    status: 400,
    errorCode: 'RequiredField',
    data: { Field: 'AppName' },
  });
  await expectOcError(ApiClients.Create({ AppName: unique('e2e-bad') }), {
    status: 400,
    errorCode: 'RequiredField',
    data: { Field: 'AccessTokenDuration' },
  });
  for (const duration of [9, 601]) {
    await expectOcError(ApiClients.Create({ AppName: unique('e2e-bad'), AccessTokenDuration: duration }), {
      status: 400,
      errorCode: 'ValidationFailure',
    });
  }
});

test('Save (PUT) replaces the whole client: omitted writable fields go back to their defaults', async (t) => {
  const created = await createClient(t, {
    AllowAnyBuyer: true,
    xp: { env: 'prod' },
    RefreshTokenDuration: 60,
  });
  const appName = unique('e2e-saved');
  const { data: saved, status } = await withStatus(() =>
    ApiClients.Save(created.ID, { AppName: appName, AccessTokenDuration: 20, AllowSeller: true }),
  );
  assert.equal(status, 200);
  assert.deepEqual(
    saved,
    defaultsFor({ ID: created.ID, AppName: appName, AccessTokenDuration: 20, AllowSeller: true }),
  );
  assert.deepEqual(await ApiClients.Get(created.ID), saved);
});

test('Save (PUT) on an unknown id is 404 NotFound (it does not create)', async () => {
  const id = '11111111-2222-4333-8444-555555555555';
  await expectOcError(ApiClients.Save(id, { AppName: unique('e2e-ghost'), AccessTokenDuration: 10 }), {
    status: 404,
    errorCode: 'NotFound',
    data: { ObjectType: 'ApiClient', ObjectID: id },
  });
  await expectOcError(ApiClients.Get(id), { status: 404, errorCode: 'NotFound' });
});

test('Patch changes only the fields sent and deep-merges xp', async (t) => {
  const created = await createClient(t, {
    AllowAnyBuyer: true,
    xp: { env: 'prod', nested: { keep: 1, change: 'old' } },
  });
  const appName = unique('e2e-patched');
  const { data: patched, status } = await withStatus(() =>
    ApiClients.Patch(created.ID, {
      AppName: appName,
      AccessTokenDuration: 45,
      xp: { nested: { change: 'new', added: true } },
    }),
  );
  assert.equal(status, 200);
  assert.deepEqual(patched, {
    ...created,
    AppName: appName,
    AccessTokenDuration: 45,
    xp: { env: 'prod', nested: { keep: 1, change: 'new', added: true } },
  });
  assert.deepEqual(await ApiClients.Get(created.ID), patched);

  await expectOcError(ApiClients.Patch(created.ID, { AccessTokenDuration: 5 }), {
    status: 400,
    errorCode: 'ValidationFailure',
  });
  assert.deepEqual(await ApiClients.Get(created.ID), patched, 'a refused Patch changes nothing');
});

test('Delete returns 204; the client is then gone', async () => {
  const created = await ApiClients.Create({ AppName: unique('e2e-delete'), AccessTokenDuration: 10 });
  const { data, status } = await withStatus(() => ApiClients.Delete(created.ID));
  assert.equal(status, 204);
  assert.equal(data, '', 'no body');
  await expectOcError(ApiClients.Get(created.ID), {
    status: 404,
    errorCode: 'NotFound',
    data: { ObjectType: 'ApiClient', ObjectID: created.ID },
  });
  await expectOcError(ApiClients.Delete(created.ID), { status: 404, errorCode: 'NotFound' });
});

test('Get of an unknown id: 404 NotFound with Data {ObjectType, ObjectID}, and the SDK builds its message from it', async () => {
  const error = await expectOcError(ApiClients.Get('nope'), {
    status: 404,
    errorCode: 'NotFound',
    data: { ObjectType: 'ApiClient', ObjectID: 'nope' },
  });
  assert.equal(error.message, 'ApiClient nope not found');
  assert.equal(error.name, 'OrderCloudError');
  await expectOcError(ApiClients.Patch('nope', { AppName: 'x' }), {
    status: 404,
    errorCode: 'NotFound',
    data: { ObjectType: 'ApiClient', ObjectID: 'nope' },
  });
});

test('a token passed as requestOptions.accessToken works like the stored one', async (t) => {
  const created = await createClient(t);
  const token = Tokens.GetAccessToken();
  Tokens.RemoveAccessToken();
  try {
    const fetched = await ApiClients.Get(created.ID, { accessToken: token });
    assert.deepEqual(fetched, created);
  } finally {
    Tokens.SetAccessToken(token);
  }
});

// ---------------------------------------------------------------------------------------------
// Lists

/** Five clients whose AppNames share a unique tag; four of them start with it. */
async function listFixture(t) {
  const tag = unique('Store');
  const specs = [
    { suffix: 'alpha', AllowAnyBuyer: true, xp: { env: 'prod' } },
    { suffix: 'beta', AllowAnyBuyer: true, xp: { env: 'prod' } },
    { suffix: 'gamma', AllowAnyBuyer: false, xp: { env: 'prod' } },
    { suffix: 'delta', AllowAnyBuyer: true, xp: { env: 'dev' } },
  ];
  const byName = {};
  for (const { suffix, ...fields } of specs) {
    byName[suffix] = await createClient(t, { AppName: `${tag}-${suffix}`, ...fields });
  }
  // Contains the tag but does not start with it.
  byName.outsider = await createClient(t, { AppName: `X-${tag}`, AllowAnyBuyer: true, xp: { env: 'prod' } });
  return { tag, byName };
}

const names = (page) => page.Items.map((client) => client.AppName);

/** Meta without NextPageKey, which OrderCloud emits as null (or not at all) outside premium search. */
function plainMeta(meta) {
  const { NextPageKey, ...rest } = meta;
  assert.ok(NextPageKey == null, `NextPageKey, if present, is null (got ${NextPageKey})`);
  return rest;
}

test('List with search, sortBy ["!AppName"] and filters {AppName wildcard, AllowAnyBuyer, xp.env}', async (t) => {
  const { tag } = await listFixture(t);
  const { data: page, status } = await withStatus(() =>
    ApiClients.List({
      filters: { AppName: `${tag}*`, AllowAnyBuyer: true, 'xp.env': 'prod' },
      sortBy: ['!AppName'],
    }),
  );
  assert.equal(status, 200);
  assert.deepEqual(names(page), [`${tag}-beta`, `${tag}-alpha`]);
  assert.deepEqual(plainMeta(page.Meta), { Page: 1, PageSize: 20, TotalCount: 2, TotalPages: 1, ItemRange: [1, 2] });
  // Items are whole ApiClients.
  assert.deepEqual(Object.keys(page.Items[0]).sort(), Object.keys(defaultsFor({ ID: 'x', AppName: 'x', AccessTokenDuration: 10 })).sort());

  // The same filter written as a nested object serializes to the same query (xp.env=prod).
  const nested = await ApiClients.List({
    filters: { AppName: `${tag}*`, AllowAnyBuyer: true, xp: { env: 'prod' } },
    sortBy: ['!AppName'],
  });
  assert.deepEqual(names(nested), names(page));
});

test('List search and searchOn', async (t) => {
  const { tag, byName } = await listFixture(t);
  const page = await ApiClients.List({ search: tag, searchOn: ['AppName'], sortBy: ['AppName'], pageSize: 100 });
  for (const suffix of ['alpha', 'beta', 'delta', 'gamma']) {
    assert.ok(names(page).includes(`${tag}-${suffix}`), `search finds ${tag}-${suffix}`);
  }
  for (const name of names(page)) assert.ok(name.includes(tag), `${name} matches the search`);
  assert.equal(page.Meta.TotalCount, page.Items.length);

  const byId = await ApiClients.List({ search: byName.alpha.ID, searchOn: ['ID'] });
  assert.deepEqual(byId.Items.map((c) => c.ID), [byName.alpha.ID]);

  const wrongField = await ApiClients.List({ search: tag, searchOn: ['ID'] });
  assert.equal(wrongField.Meta.TotalCount, 0, 'searchOn restricts the fields searched');
  assert.deepEqual(wrongField.Items, []);
});

test('List paging: page, pageSize and Meta', async (t) => {
  const { tag } = await listFixture(t);
  const options = { filters: { AppName: `${tag}*` }, sortBy: ['AppName'], pageSize: 3 };
  const first = await ApiClients.List({ ...options, page: 1 });
  assert.deepEqual(names(first), [`${tag}-alpha`, `${tag}-beta`, `${tag}-delta`]);
  assert.deepEqual(plainMeta(first.Meta), { Page: 1, PageSize: 3, TotalCount: 4, TotalPages: 2, ItemRange: [1, 3] });
  const second = await ApiClients.List({ ...options, page: 2 });
  assert.deepEqual(names(second), [`${tag}-gamma`]);
  assert.deepEqual(plainMeta(second.Meta), { Page: 2, PageSize: 3, TotalCount: 4, TotalPages: 2, ItemRange: [4, 4] });
});

test('List filter operators: OR (|), NOT (!), false, and a repeated key (array) meaning AND', async (t) => {
  const { tag } = await listFixture(t);
  const sortBy = ['AppName'];
  const or = await ApiClients.List({ filters: { AppName: `${tag}-alpha|${tag}-gamma` }, sortBy });
  assert.deepEqual(names(or), [`${tag}-alpha`, `${tag}-gamma`]);

  const not = await ApiClients.List({ filters: { AppName: `${tag}*`, 'xp.env': '!prod' }, sortBy });
  assert.deepEqual(names(not), [`${tag}-delta`]);

  const no = await ApiClients.List({ filters: { AppName: `${tag}*`, AllowAnyBuyer: false }, sortBy });
  assert.deepEqual(names(no), [`${tag}-gamma`]);

  // The SDK sends an array as repeated parameters: AppName=<tag>*&AppName=*ta
  const and = await ApiClients.List({ filters: { AppName: [`${tag}*`, '*ta'] }, sortBy });
  assert.deepEqual(names(and), [`${tag}-beta`, `${tag}-delta`]);
});

test('List errors: pageSize 101, unknown sort, search or filter property', async () => {
  await expectOcError(ApiClients.List({ pageSize: 101 }), { status: 400, errorCode: 'List.InvalidPageSize' });
  await expectOcError(ApiClients.List({ sortBy: ['NoSuchProperty'] }), {
    status: 400,
    errorCode: 'List.InvalidSortProperty',
  });
  await expectOcError(ApiClients.List({ sortBy: ['!NoSuchProperty'] }), {
    status: 400,
    errorCode: 'List.InvalidSortProperty',
  });
  await expectOcError(ApiClients.List({ filters: { NoSuchProperty: 'x' } }), {
    status: 400,
    errorCode: 'List.InvalidProperty',
  });
  await expectOcError(ApiClients.List({ search: 'x', searchOn: ['NoSuchProperty'] }), {
    status: 400,
    errorCode: 'List.InvalidSearchProperty',
  });
  const ok = await ApiClients.List({ pageSize: 100 });
  assert.equal(ok.Meta.PageSize, 100);
});
