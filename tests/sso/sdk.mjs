// The official OrderCloud JavaScript SDK (tests/e2e_js's pinned ordercloud-javascript-sdk)
// against a running Gatehouse: `node sdk.mjs setup` configures SSO through `OpenIdConnects`
// and `IntegrationEvents` (and what they need) and checks the resources' answers;
// `node sdk.mjs use` uses a token delivered by the SSO flow. Prints one JSON object.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../e2e_js/package.json', import.meta.url));
const sdk = require('ordercloud-javascript-sdk');
const {
  Configuration, Auth, Tokens, Me, Buyers, ApiClients, SecurityProfiles,
  IntegrationEvents, OpenIdConnects,
} = sdk;

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function setup() {
  const adminClient = env('GATEHOUSE_CLIENT_ID');
  Configuration.Set({ baseApiUrl: env('GATEHOUSE_URL'), clientID: adminClient, timeoutInMilliseconds: 30000 });
  const login = await Auth.Login(env('GATEHOUSE_USERNAME'), env('GATEHOUSE_PASSWORD'), adminClient);
  Tokens.SetAccessToken(login.access_token);
  await Buyers.Create({ ID: 'b1', Name: 'Buyer one', Active: true });
  await SecurityProfiles.Create({ ID: 'shopper', Name: 'Shopper', Roles: ['Shopper', 'MeAdmin'] });
  await SecurityProfiles.SaveAssignment({ SecurityProfileID: 'shopper', BuyerID: 'b1' });
  const portal = await ApiClients.Create({
    AppName: 'Buyer portal', Active: true, AccessTokenDuration: 30, RefreshTokenDuration: 60,
  });
  await ApiClients.SaveAssignment({ ApiClientID: portal.ID, BuyerID: 'b1' });
  await ApiClients.Patch(adminClient, { DefaultContextUserName: env('GATEHOUSE_USERNAME') });

  const event = await IntegrationEvents.Create({
    ID: 'sso-event',
    Name: 'Create SSO users',
    EventType: 'OpenIDConnect',
    CustomImplementationUrl: env('RECEIVER_URL'),
    HashKey: env('HASH_KEY'),
    ElevatedRoles: ['BuyerUserAdmin'],
    ConfigData: { BuyerID: 'b1' },
  });
  assert.equal(event.EventType, 'OpenIDConnect');
  assert.equal(event.HashKey, env('HASH_KEY'));
  const issuer = env('IDP_ISSUER');
  const created = await OpenIdConnects.Create({
    ID: 'corp-idp',
    OrderCloudApiClientID: portal.ID,
    ConnectClientID: env('IDP_CLIENT_ID'),
    ConnectClientSecret: env('IDP_CLIENT_SECRET'),
    AppStartUrl: env('APP_START_URL'),
    AuthorizationEndpoint: `${issuer}/auth`,
    TokenEndpoint: `${issuer}/token`,
    UrlEncoded: true,
    IntegrationEventID: 'sso-event',
    AdditionalIdpScopes: [],
  });
  assert.equal(created.IntegrationEventName, 'Create SSO users');
  const fetched = await OpenIdConnects.Get('corp-idp');
  assert.equal(fetched.ConnectClientSecret, env('IDP_CLIENT_SECRET'));
  const listed = await OpenIdConnects.List({ search: 'corp', sortBy: ['!ID'] });
  assert.equal(listed.Meta.TotalCount, 1);
  const patched = await OpenIdConnects.Patch('corp-idp', { CallSyncUserIntegrationEvent: false });
  assert.equal(patched.CallSyncUserIntegrationEvent, false);
  const events = await IntegrationEvents.List();
  assert.deepEqual(events.Items.map((e) => e.ID), ['sso-event']);
  let inUse = null;
  try {
    await IntegrationEvents.Delete('sso-event');
  } catch (error) {
    inUse = error.errorCode;
  }
  assert.equal(inUse, 'IntegrationEvent.CannotDeleteInUse');
  return { PortalClientID: portal.ID, ConfigID: created.ID };
}

async function use() {
  const clientId = env('PORTAL_CLIENT_ID');
  Configuration.Set({ baseApiUrl: env('GATEHOUSE_URL'), clientID: clientId, timeoutInMilliseconds: 30000 });
  Tokens.SetAccessToken(env('SSO_TOKEN'));
  const me = await Me.Get();
  const refreshed = await Auth.RefreshToken(env('SSO_REFRESH_TOKEN'), clientId);
  const again = await Me.Get({ accessToken: refreshed.access_token });
  assert.equal(again.ID, me.ID);
  return { Username: me.Username, BuyerID: me.Buyer ? me.Buyer.ID : null, Refreshed: true };
}

const command = process.argv[2];
const run = command === 'setup' ? setup : command === 'use' ? use : null;
if (!run) throw new Error('usage: node sdk.mjs setup|use');
run().then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error && error.response ? JSON.stringify(error.response.data) : error);
    process.exit(1);
  },
);
