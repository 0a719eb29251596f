// ApiClient assignments: POST /v1/apiclients/assignments, GET /v1/apiclients/assignments,
// DELETE /v1/buyers/{buyerID}/ApiClients/Assignments/{apiClientID} and the supplier twin.
//
// NOTE the SDK's argument order: DeleteBuyerAssignment(apiClientID, buyerID) and
// DeleteSupplierAssignment(apiClientID, supplierID).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';

import { ApiClients } from 'ordercloud-javascript-sdk';

import {
  BUYER_ID,
  loginAdmin,
  createClient,
  defer,
  expectOcError,
  unique,
  withStatus,
} from './lib/helpers.mjs';

before(async () => {
  await loginAdmin();
});

test('a new client has no assignments', async (t) => {
  const client = await createClient(t);
  const { data: page, status } = await withStatus(() => ApiClients.ListAssignments({ apiClientID: client.ID }));
  assert.equal(status, 200);
  assert.deepEqual(page.Items, []);
  assert.equal(page.Meta.TotalCount, 0);
  assert.equal(page.Meta.Page, 1);
  assert.equal(page.Meta.PageSize, 20);
});

test('SaveAssignment to a buyer that does not exist: 404 NotFound, Data.ObjectType "Buyer"', async (t) => {
  const client = await createClient(t);
  const buyerID = unique('no-such-buyer');
  const error = await expectOcError(ApiClients.SaveAssignment({ ApiClientID: client.ID, BuyerID: buyerID }), {
    status: 404,
    errorCode: 'NotFound',
    data: { ObjectType: 'Buyer', ObjectID: buyerID },
  });
  assert.equal(error.message, `Buyer ${buyerID} not found`);
  const page = await ApiClients.ListAssignments({ apiClientID: client.ID });
  assert.deepEqual(page.Items, [], 'nothing was saved');
  assert.equal((await ApiClients.Get(client.ID)).AssignedBuyerCount, 0);
});

test('SaveAssignment to a supplier that does not exist: 404 NotFound, Data.ObjectType "Supplier"', async (t) => {
  const client = await createClient(t);
  const supplierID = unique('no-such-supplier');
  await expectOcError(ApiClients.SaveAssignment({ ApiClientID: client.ID, SupplierID: supplierID }), {
    status: 404,
    errorCode: 'NotFound',
    data: { ObjectType: 'Supplier', ObjectID: supplierID },
  });
  assert.equal((await ApiClients.Get(client.ID)).AssignedSupplierCount, 0);
});

test('SaveAssignment for a client that does not exist: 404 NotFound', async () => {
  const clientID = '99999999-8888-4777-8666-555555555555';
  const error = await expectOcError(
    ApiClients.SaveAssignment({ ApiClientID: clientID, BuyerID: BUYER_ID ?? unique('no-such-buyer') }),
    { status: 404, errorCode: 'NotFound' },
  );
  // Which object is reported first is the server's choice; it must name one of the two.
  assert.ok(['ApiClient', 'Buyer'].includes(error.errors[0].Data.ObjectType), JSON.stringify(error.errors[0]));
});

test('DeleteSupplierAssignment reaches the server route (/suppliers/{id}/ApiClients/Assignments/{clientID})', async (t) => {
  const client = await createClient(t);
  const supplierID = unique('no-such-supplier');
  // Deleting an assignment that cannot exist: either a no-op 204 or a 404 that names the supplier
  // (or the assignment). A 404 for an unknown *route* would carry neither.
  try {
    const { status } = await withStatus(() => ApiClients.DeleteSupplierAssignment(client.ID, supplierID));
    assert.equal(status, 204);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    assert.equal(error.isOrderCloudError, true, `${error.name}: ${error.message}`);
    assert.equal(error.status, 404);
    assert.equal(error.errorCode, 'NotFound');
    assert.ok(
      ['Supplier', 'ApiClientAssignment'].includes(error.errors[0].Data.ObjectType),
      JSON.stringify(error.errors[0]),
    );
  }
});

test('DeleteBuyerAssignment for a buyer that does not exist: 204 no-op or 404 naming the buyer', async (t) => {
  const client = await createClient(t);
  const buyerID = unique('no-such-buyer');
  try {
    const { status } = await withStatus(() => ApiClients.DeleteBuyerAssignment(client.ID, buyerID));
    assert.equal(status, 204);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    assert.equal(error.isOrderCloudError, true, `${error.name}: ${error.message}`);
    assert.equal(error.status, 404);
    assert.equal(error.errorCode, 'NotFound');
    assert.ok(
      ['Buyer', 'ApiClientAssignment'].includes(error.errors[0].Data.ObjectType),
      JSON.stringify(error.errors[0]),
    );
  }
});

test('assign a client to an existing buyer, list it, count it, and delete it', { skip: BUYER_ID ? false : 'set GATEHOUSE_BUYER_ID to run' }, async (t) => {
  const client = await createClient(t);
  defer(t, async () => {
    try {
      await ApiClients.DeleteBuyerAssignment(client.ID, BUYER_ID);
    } catch (e) {
      if (!(e && e.isOrderCloudError && e.status === 404)) throw e;
    }
  });

  const saved = await withStatus(() => ApiClients.SaveAssignment({ ApiClientID: client.ID, BuyerID: BUYER_ID }));
  assert.equal(saved.status, 204);
  assert.equal(saved.data, '');

  const expected = { ApiClientID: client.ID, BuyerID: BUYER_ID, SupplierID: null };
  let page = await ApiClients.ListAssignments({ apiClientID: client.ID });
  assert.deepEqual(page.Items, [expected]);
  assert.equal(page.Meta.TotalCount, 1);

  page = await ApiClients.ListAssignments({ apiClientID: client.ID, buyerID: BUYER_ID });
  assert.deepEqual(page.Items, [expected]);
  page = await ApiClients.ListAssignments({ buyerID: BUYER_ID, pageSize: 100 });
  assert.ok(page.Items.some((a) => a.ApiClientID === client.ID), 'listed by buyerID');

  assert.equal((await ApiClients.Get(client.ID)).AssignedBuyerCount, 1);

  // Saving again is idempotent.
  const again = await withStatus(() => ApiClients.SaveAssignment({ ApiClientID: client.ID, BuyerID: BUYER_ID }));
  assert.equal(again.status, 204);
  assert.equal((await ApiClients.ListAssignments({ apiClientID: client.ID })).Meta.TotalCount, 1);
  assert.equal((await ApiClients.Get(client.ID)).AssignedBuyerCount, 1);

  // The SDK calls DELETE /v1/buyers/{buyerID}/ApiClients/Assignments/{apiClientID} (mixed case).
  const deleted = await withStatus(() => ApiClients.DeleteBuyerAssignment(client.ID, BUYER_ID));
  assert.equal(deleted.status, 204);
  page = await ApiClients.ListAssignments({ apiClientID: client.ID });
  assert.deepEqual(page.Items, []);
  assert.equal((await ApiClients.Get(client.ID)).AssignedBuyerCount, 0);
});

test('deleting a client removes its buyer assignments', { skip: BUYER_ID ? false : 'set GATEHOUSE_BUYER_ID to run' }, async () => {
  const client = await ApiClients.Create({ AppName: unique('e2e-assigned'), AccessTokenDuration: 10 });
  try {
    await ApiClients.SaveAssignment({ ApiClientID: client.ID, BuyerID: BUYER_ID });
  } finally {
    await ApiClients.Delete(client.ID);
  }
  const page = await ApiClients.ListAssignments({ buyerID: BUYER_ID, pageSize: 100 });
  assert.ok(!page.Items.some((a) => a.ApiClientID === client.ID), 'no assignment of the deleted client is left');
});
