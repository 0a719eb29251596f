// A storefront page's own code, on its own origin, using the official OrderCloud JavaScript
// SDK's browser bundle (window.OrderCloud) unchanged: the calls a shop makes.
'use strict';

function failure(step, error) {
  return {
    ok: false,
    step,
    status: error && error.status !== undefined ? error.status : null,
    errorCode: (error && error.errorCode) || null,
    message: String((error && error.message) || error),
  };
}

/** Anonymous token, Me, a cart, register, log in again and find the cart, patch Me. */
window.shop = async function shop({ baseApiUrl, clientID, user }) {
  const { Configuration, Auth, Tokens, Me, Orders } = window.OrderCloud;
  Configuration.Set({ baseApiUrl, clientID, timeoutInMilliseconds: 20000 });
  const roles = ['Shopper', 'MeAdmin'];
  const result = { ok: true };
  let step = 'Auth.Anonymous';
  try {
    const anonymous = await Auth.Anonymous(clientID, roles);
    Tokens.SetAccessToken(anonymous.access_token);
    step = 'Me.Get';
    result.anonymousUser = (await Me.Get()).Username;
    step = 'Orders.Create';
    result.cart = (await Orders.Create('Outgoing', {})).ID;
    step = 'Me.Register';
    await Me.Register(user, { anonUserToken: anonymous.access_token });
    step = 'Auth.Login';
    const login = await Auth.Login(user.Username, user.Password, clientID, roles);
    Tokens.SetAccessToken(login.access_token);
    step = 'Me.ListOrders';
    result.orders = (await Me.ListOrders()).Items.map((order) => order.ID);
    step = 'Me.Patch';
    result.firstName = (await Me.Patch({ FirstName: 'Patched' })).FirstName;
    result.me = (await Me.Get()).Username;
    return result;
  } catch (error) {
    return failure(step, error);
  }
};

/** One SDK call with a token the page was given: Me.Get, or Me.Patch when `patch` is set. */
window.callMe = async function callMe({ baseApiUrl, clientID, accessToken, patch }) {
  const { Configuration, Me } = window.OrderCloud;
  Configuration.Set({ baseApiUrl, clientID, timeoutInMilliseconds: 20000 });
  try {
    const me = patch ? await Me.Patch(patch, { accessToken }) : await Me.Get({ accessToken });
    return { ok: true, username: me.Username, firstName: me.FirstName };
  } catch (error) {
    return failure(patch ? 'Me.Patch' : 'Me.Get', error);
  }
};
