/*
 * The example's front end: plain JavaScript talking to /graphql, no build step.
 *
 * The front end is a JWT client. It signs in with tokenAuth (or with the token that
 * confirmPasswordReset returns, LOGIN_ON_CONFIRM), keeps the tokens in sessionStorage and sends
 * the access token as "Authorization: JWT ...". It sends no cookies (credentials: "omit"), so
 * its requests need no CSRF token, and `me` always names the user of the JWT, never an admin
 * session that happens to be open in the same browser (see example_project/graphql_view.py).
 */
"use strict";

(() => {
  const ENDPOINT = document.body.dataset.graphqlUrl;
  const ERROR_MESSAGES = window.ERROR_MESSAGES;
  const SERVER_DETAIL_CODES = new Set(window.SERVER_DETAIL_CODES);
  const UI = window.UI_MESSAGES;
  const SESSION_KEY = "example-project.session";

  const ME = "query Me { me { username email } }";
  const SIGN_IN = `mutation SignIn($username: String!, $password: String!) {
    tokenAuth(username: $username, password: $password) { token refreshToken }
  }`;
  const SIGN_OUT = `mutation SignOut($refreshToken: String!) {
    revokeToken(refreshToken: $refreshToken) { revoked }
  }`;
  const REQUEST_RESET = `mutation RequestReset($email: String!, $redirectUrl: String) {
    requestPasswordReset(email: $email, redirectUrl: $redirectUrl) {
      ok
      errors { field message code }
    }
  }`;
  const VALIDATE_TOKEN = `query ValidateToken($token: String!) {
    validateResetToken(token: $token) { valid errors { field message code } }
  }`;
  const CONFIRM_RESET = `mutation ConfirmReset($token: String!, $password: String!) {
    confirmPasswordReset(token: $token, password: $password) {
      ok
      errors { field message code }
      token
      refreshToken
    }
  }`;

  /** A request that got no usable answer; its message is ready to show. */
  class RequestFailed extends Error {}

  async function graphql(query, variables = {}, accessToken = null) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (accessToken) headers.Authorization = `JWT ${accessToken}`;
    let response;
    try {
      response = await fetch(ENDPOINT, {
        method: "POST",
        headers,
        credentials: "omit",
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new RequestFailed(UI.NETWORK);
    }
    let result;
    try {
      result = await response.json();
    } catch {
      throw new RequestFailed(UI.UNEXPECTED);
    }
    if (!result || typeof result !== "object" || !result.data) {
      throw new RequestFailed(UI.UNEXPECTED);
    }
    return result;
  }

  const session = {
    get() {
      try {
        return JSON.parse(sessionStorage.getItem(SESSION_KEY));
      } catch {
        return null;
      }
    },
    set(value) {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
    },
    clear() {
      sessionStorage.removeItem(SESSION_KEY);
    },
  };

  /** The signed-in user, or null (a token that no longer works ends the session). */
  async function currentUser() {
    const current = session.get();
    if (!current || !current.token) return null;
    const me = (await graphql(ME, {}, current.token)).data.me;
    if (!me) session.clear();
    return me;
  }

  // --- showing things ---------------------------------------------------------------------

  const $ = (selector, root = document) => root.querySelector(selector);

  function friendly(error) {
    const text = ERROR_MESSAGES[error.code];
    if (!text) return error.message; // a code newer than this front end
    return SERVER_DETAIL_CODES.has(error.code) ? `${text} ${error.message}` : text;
  }

  function fillFields(root, values) {
    for (const element of root.querySelectorAll("[data-field]")) {
      element.textContent = values[element.dataset.field] ?? "";
    }
  }

  /** Show one section of the page, hide its siblings, move the focus to its heading. */
  function showSection(section) {
    for (const other of section.parentElement.querySelectorAll(":scope > section")) {
      other.hidden = other !== section;
    }
    const heading = $("h1[tabindex]", section);
    if (heading) heading.focus();
  }

  function setMessages(slot, messages) {
    if (messages.length === 1) {
      slot.textContent = messages[0];
    } else {
      const list = document.createElement("ul");
      for (const message of messages) {
        const item = document.createElement("li");
        item.textContent = message;
        list.append(item);
      }
      slot.replaceChildren(list);
    }
    slot.hidden = false;
  }

  function clearErrors(form) {
    for (const slot of form.querySelectorAll(".field-error, .form-error")) {
      slot.hidden = true;
      slot.replaceChildren();
    }
    for (const input of form.querySelectorAll("[aria-invalid]")) {
      input.removeAttribute("aria-invalid");
    }
  }

  /**
   * Show errors next to their fields (fieldErrors: input id -> messages) and above the form
   * (formErrors), then move the focus where the user has to act: the summary above the form
   * if there is one, otherwise the first field in error.
   */
  function showErrors(form, fieldErrors, formErrors = []) {
    let firstInvalid = null;
    for (const input of form.querySelectorAll("input")) {
      const messages = fieldErrors.get(input.id);
      if (!messages) continue;
      input.setAttribute("aria-invalid", "true");
      setMessages($(`#${input.id}-error`, form), messages);
      firstInvalid ??= input;
    }
    const summary = $(".form-error", form);
    if (formErrors.length) setMessages(summary, formErrors);
    (formErrors.length ? summary : firstInvalid)?.focus();
  }

  /** Sort the API's errors into per-field messages (fields: API field -> input id) and others. */
  function routeErrors(errors, fields) {
    const fieldErrors = new Map();
    const formErrors = [];
    for (const error of errors) {
      const id = fields[error.field];
      if (id) {
        fieldErrors.set(id, [...(fieldErrors.get(id) ?? []), friendly(error)]);
      } else {
        formErrors.push(friendly(error));
      }
    }
    return [fieldErrors, formErrors];
  }

  /** Run a form's submit handler with the form marked busy, once at a time. */
  function onSubmit(form, handler) {
    const button = $("button[type=submit]", form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") return;
      clearErrors(form);
      form.setAttribute("aria-busy", "true");
      button.disabled = true;
      try {
        await handler();
      } catch (error) {
        const message = error instanceof RequestFailed ? error.message : UI.UNEXPECTED;
        if (!(error instanceof RequestFailed)) console.error(error);
        showErrors(form, new Map(), [message]);
      } finally {
        form.setAttribute("aria-busy", "false");
        button.disabled = false;
      }
    });
  }

  // --- the pages ---------------------------------------------------------------------------

  async function signInPage() {
    const form = $("#sign-in-form");
    const signedIn = $("#signed-in");
    const signedOut = $("#signed-out");

    function showSignedIn(me) {
      fillFields(signedIn, me);
      showSection(signedIn);
    }

    onSubmit(form, async () => {
      const username = form.username.value.trim();
      const password = form.password.value;
      const missing = new Map();
      if (!username) missing.set("username", [UI.USERNAME_REQUIRED]);
      if (!password) missing.set("password", [UI.PASSWORD_REQUIRED]);
      if (missing.size) return showErrors(form, missing);

      const auth = (await graphql(SIGN_IN, { username, password })).data.tokenAuth;
      if (!auth) {
        // django-graphql-jwt reports wrong credentials as a GraphQL error and no data.
        form.password.value = "";
        return showErrors(form, new Map(), [UI.SIGN_IN_FAILED]);
      }
      session.set({ token: auth.token, refreshToken: auth.refreshToken });
      form.reset();
      showSignedIn(await currentUser());
    });

    $("#sign-out").addEventListener("click", async () => {
      const current = session.get();
      session.clear();
      showSection(signedOut);
      form.username.focus();
      if (current && current.refreshToken) {
        // Revoke the refresh token, so a copy of it cannot start a new session. The user is
        // signed out here either way.
        await graphql(SIGN_OUT, { refreshToken: current.refreshToken }).catch(() => null);
      }
    });

    try {
      const me = await currentUser();
      if (me) showSignedIn(me);
    } catch {
      // The server cannot be reached: the form stays, and says so when it is used.
    }
  }

  function forgotPasswordPage() {
    const form = $("#forgot-form");
    // The link in the e-mail leads back to this site's own page, wherever it is served from.
    const redirectUrl = new URL(form.dataset.resetUrl, window.location.origin).href;

    onSubmit(form, async () => {
      const email = form.email.value.trim();
      if (!email) return showErrors(form, new Map([["email", [UI.EMAIL_REQUIRED]]]));

      const result = (await graphql(REQUEST_RESET, { email, redirectUrl })).data
        .requestPasswordReset;
      if (!result) throw new RequestFailed(UI.UNEXPECTED);
      if (!result.ok) {
        const [fieldErrors, routed] = routeErrors(result.errors, { email: "email" });
        // THROTTLED: say what the limit is, so "wait a while" has a measure.
        const throttled = result.errors.some((error) => error.code === "THROTTLED");
        const formErrors =
          throttled && form.dataset.limit ? [`${routed.join(" ")} ${form.dataset.limit}`] : routed;
        return showErrors(form, fieldErrors, formErrors);
      }
      // The same answer whether or not the address has an account: nothing to tell apart.
      const done = $("#forgot-done");
      fillFields(done, { email });
      showSection(done);
    });
  }

  async function resetPasswordPage() {
    const token = new URLSearchParams(window.location.search).get("token") ?? "";
    const form = $("#reset-form");
    const invalid = $("#reset-invalid");

    function showInvalid(message) {
      $("#reset-invalid-reason").textContent = message;
      showSection(invalid);
    }

    $("#show-passwords").addEventListener("change", (event) => {
      const type = event.target.checked ? "text" : "password";
      form.password.type = type;
      form.password2.type = type;
    });

    onSubmit(form, async () => {
      const password = form.password.value;
      if (!password) {
        return showErrors(form, new Map([["password", [UI.NEW_PASSWORD_REQUIRED]]]));
      }
      if (password !== form.password2.value) {
        return showErrors(form, new Map([["password2", [UI.PASSWORDS_DIFFER]]]));
      }

      const result = (await graphql(CONFIRM_RESET, { token, password })).data
        .confirmPasswordReset;
      if (!result) throw new RequestFailed(UI.UNEXPECTED);
      if (!result.ok) {
        const tokenError = result.errors.find((error) => error.field === "token");
        // Used in another tab, expired meanwhile, or replaced by a newer link.
        if (tokenError) return showInvalid(friendly(tokenError));
        return showErrors(form, ...routeErrors(result.errors, { password: "password" }));
      }

      const done = $("#reset-done");
      form.reset();
      let me = null;
      if (result.token) {
        // LOGIN_ON_CONFIRM: the answer signs the user in.
        session.set({ token: result.token, refreshToken: result.refreshToken });
        me = await currentUser().catch(() => null);
      }
      $("[data-when=signed-in]", done).hidden = !me;
      $("[data-when=signed-out]", done).hidden = Boolean(me);
      if (me) fillFields(done, me);
      showSection(done);
    });

    if (!token) return showInvalid(UI.NO_TOKEN);
    let answer;
    try {
      answer = (await graphql(VALIDATE_TOKEN, { token })).data.validateResetToken;
    } catch (error) {
      return showInvalid(error instanceof RequestFailed ? error.message : UI.UNEXPECTED);
    }
    if (!answer || !answer.valid) {
      return showInvalid(answer && answer.errors.length ? friendly(answer.errors[0]) : UI.UNEXPECTED);
    }
    showSection($("#reset"));
    form.password.focus();
  }

  const pages = {
    "sign-in": signInPage,
    "forgot-password": forgotPasswordPage,
    "reset-password": resetPasswordPage,
  };
  pages[document.body.dataset.page]?.();
})();
