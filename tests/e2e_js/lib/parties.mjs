// Buyers, suppliers, their users and groups, for parties.test.mjs and access_matrix.test.mjs.
// Only the official SDK is used. Everything made here is deleted when its test (or file) ends.

import assert from 'node:assert/strict';

import {
  AdminUserGroups,
  AdminUsers,
  Buyers,
  SecurityProfiles,
  SupplierUserGroups,
  SupplierUsers,
  Suppliers,
  UserGroups,
  Users,
} from 'ordercloud-javascript-sdk';

import { defer, deleteIgnoringNotFound, strongPassword, unique } from './helpers.mjs';

/**
 * The two kinds of company, with the SDK classes that serve each. `Users`/`Groups` take the
 * company ID as their first argument. `usrtype` is the token claim of the company's users;
 * `idField` names the company in SecurityProfileAssignment and ApiClientAssignment.
 */
export const KINDS = {
  buyer: {
    name: 'buyer',
    Companies: Buyers,
    Users,
    Groups: UserGroups,
    objectType: 'Buyer',
    usrtype: 'buyer',
    idField: 'BuyerID',
    otherKind: 'supplier',
    // Roles that mean something for this kind (any valid ApiRole would do for AvailableRoles).
    companyRole: 'BuyerReader',
    groupRole: 'UserGroupReader',
    userAdminRole: 'BuyerUserAdmin',
    groupAdminRole: 'UserGroupAdmin',
  },
  supplier: {
    name: 'supplier',
    Companies: Suppliers,
    Users: SupplierUsers,
    Groups: SupplierUserGroups,
    objectType: 'Supplier',
    usrtype: 'supplier',
    idField: 'SupplierID',
    otherKind: 'buyer',
    companyRole: 'SupplierReader',
    groupRole: 'SupplierUserGroupReader',
    userAdminRole: 'SupplierUserAdmin',
    groupAdminRole: 'SupplierUserGroupAdmin',
  },
};

// ---------------------------------------------------------------------------------------------
// Clean-up for objects made in a file-level `before` hook: run with `after(runFileCleanup)`.

const fileCleanup = [];

/** Like `defer`, for the whole file: `runFileCleanup` runs these last registered first. */
export function deferForFile(fn) {
  fileCleanup.push(fn);
}

export async function runFileCleanup() {
  let firstError = null;
  while (fileCleanup.length) {
    try {
      await fileCleanup.pop()();
    } catch (e) {
      firstError ??= e;
    }
  }
  if (firstError) throw firstError;
}

/** `defer(t, fn)` when `t` is a test context, `deferForFile(fn)` when it is `null`. */
function register(t, fn) {
  if (t) defer(t, fn);
  else deferForFile(fn);
}

// ---------------------------------------------------------------------------------------------
// Objects

/**
 * Create a buyer or supplier (Active unless `fields` says otherwise; Gatehouse's default for a
 * missing `Active` is false) and delete it when `t` ends (or the file ends, when `t` is null).
 * Deleting the company deletes its users, groups and every assignment naming it.
 */
export async function createCompany(t, kind, fields = {}) {
  const { Companies } = KINDS[kind];
  const company = await Companies.Create({
    ID: unique(`e2e-${kind}`),
    Name: unique(`E2E ${kind}`),
    Active: true,
    ...fields,
  });
  register(t, () => deleteIgnoringNotFound(() => Companies.Delete(company.ID)));
  return company;
}

/** Fields for a new user of any kind; `Username` equals `ID` unless overridden. */
export function newUserFields(prefix = 'e2e-user', overrides = {}) {
  const id = unique(prefix);
  return {
    ID: id,
    Username: id,
    Password: strongPassword(),
    FirstName: 'Ada',
    LastName: 'Party',
    Email: `${id}@example.com`,
    Active: true,
    ...overrides,
  };
}

/**
 * Create a user in company `companyID` of `kind` and delete it when `t` ends (`t` null: when
 * the file ends). Returns `{ user, password }`.
 */
export async function createCompanyUser(t, kind, companyID, overrides = {}) {
  const { Users: UsersApi } = KINDS[kind];
  const fields = newUserFields(`e2e-${kind}-user`, overrides);
  const user = await UsersApi.Create(companyID, fields);
  register(t, () => deleteIgnoringNotFound(() => UsersApi.Delete(companyID, user.ID)));
  return { user, password: fields.Password };
}

/** Create an admin (seller) user; deleted when `t` (or the file) ends. Returns `{ user, password }`. */
export async function createAdminUser(t, overrides = {}) {
  const fields = newUserFields('e2e-admin', overrides);
  const user = await AdminUsers.Create(fields);
  register(t, () => deleteIgnoringNotFound(() => AdminUsers.Delete(user.ID)));
  return { user, password: fields.Password };
}

/** Create a user group of a buyer or supplier (`kind`), or an admin group (`kind` = 'admin'). */
export async function createGroup(t, kind, companyID, fields = {}) {
  const body = { ID: unique(`e2e-${kind}-group`), Name: unique('E2E group'), ...fields };
  if (kind === 'admin') {
    const group = await AdminUserGroups.Create(body);
    register(t, () => deleteIgnoringNotFound(() => AdminUserGroups.Delete(group.ID)));
    return group;
  }
  const { Groups } = KINDS[kind];
  const group = await Groups.Create(companyID, body);
  register(t, () => deleteIgnoringNotFound(() => Groups.Delete(companyID, group.ID)));
  return group;
}

/** Create a security profile; deleted (with its assignments) when `t` (or the file) ends. */
export async function createProfile(t, fields = {}) {
  const profile = await SecurityProfiles.Create({
    ID: unique('e2e-sp'),
    Name: unique('e2e-profile'),
    Roles: [],
    ...fields,
  });
  register(t, () => deleteIgnoringNotFound(() => SecurityProfiles.Delete(profile.ID)));
  return profile;
}

/**
 * Assign `profileID` with the given party fields (BuyerID, SupplierID, UserGroupID, UserID) and
 * remove the assignment when `t` ends (before the profile, which was registered earlier).
 */
export async function assignProfile(t, profileID, party) {
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: profileID, ...party });
  const query = {};
  if (party.BuyerID) query.buyerID = party.BuyerID;
  if (party.SupplierID) query.supplierID = party.SupplierID;
  if (party.UserID) query.userID = party.UserID;
  if (party.UserGroupID) query.userGroupID = party.UserGroupID;
  register(t, () => deleteIgnoringNotFound(() => SecurityProfiles.DeleteAssignment(profileID, query)));
}

// ---------------------------------------------------------------------------------------------
// Tokens

/** The token's `role` claim as a sorted array (absent → [], a string → [it]). */
export function roleClaim(payload) {
  if (payload.role === undefined) return [];
  if (Array.isArray(payload.role)) {
    assert.ok(payload.role.length >= 2, `a role array has 2+ entries, one role is a string: ${JSON.stringify(payload.role)}`);
    return [...payload.role].sort();
  }
  assert.equal(typeof payload.role, 'string', `role claim: ${JSON.stringify(payload.role)}`);
  return [payload.role];
}

export function sorted(values) {
  return [...values].sort();
}
