/*
 * What the front end tells the user, by error code.
 *
 * ERROR_MESSAGES has one entry for every PasswordResetErrorCode of the API (the README's
 * "Error codes"); tests/test_example_project.py fails when the package has a code missing here.
 * The server's own `message` is shown only for a code this file does not know yet, and as the
 * detail of PASSWORD_INVALID (a project's own validator explains itself best).
 */
"use strict";

window.ERROR_MESSAGES = Object.freeze({
  INVALID_EMAIL: "Please enter your e-mail address in the form name@example.com.",
  USER_NOT_FOUND: "We could not find an account with this e-mail address. Check it for typos.",
  INVALID_TOKEN:
    "This link has expired or has already been used. Ask for a new one: it only takes a minute.",
  PASSWORD_TOO_SHORT: "This password is too short. Use a longer one, see the rules above.",
  PASSWORD_TOO_COMMON:
    "This password is one of the most common ones, which attackers try first. Choose another.",
  PASSWORD_ENTIRELY_NUMERIC: "This password has only digits. Add some letters or symbols.",
  PASSWORD_TOO_SIMILAR: "This password is too close to your username or e-mail address.",
  PASSWORD_INVALID: "This password does not follow our rules:",
  INVALID_REDIRECT_URL:
    "This site is not allowed to send reset links that lead here. Please contact support.",
  THROTTLED: "Too many attempts in a short time. Please wait a while, then try again.",
});

// Codes whose friendly text is followed by the server's message.
window.SERVER_DETAIL_CODES = Object.freeze(["PASSWORD_INVALID"]);

// Messages of the front end itself, not of the API.
window.UI_MESSAGES = Object.freeze({
  EMAIL_REQUIRED: "Please enter your e-mail address.",
  USERNAME_REQUIRED: "Please enter your username.",
  PASSWORD_REQUIRED: "Please enter your password.",
  NEW_PASSWORD_REQUIRED: "Please choose a new password.",
  PASSWORDS_DIFFER: "The two passwords are not the same. Please type them again.",
  SIGN_IN_FAILED: "This username and password do not match an account. Please try again.",
  NO_TOKEN:
    "This page needs the link from the password reset e-mail. Please open the link from the e-mail.",
  NETWORK: "We could not reach the server. Check your connection and try again.",
  UNEXPECTED: "Something went wrong on our side. Please try again in a moment.",
});
