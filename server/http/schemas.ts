import { z } from 'zod';
import {
  codeField,
  emailField,
  loginIdField,
  loginPasswordField,
  passwordField,
  usernameField,
} from '../accounts/fields.js';

// One schema per request body. Unknown keys are dropped, never passed inward.

export const signupBody = z.object({ username: usernameField, email: emailField, password: passwordField });
export const verifyEmailBody = z.object({ email: emailField, code: codeField });
export const resendBody = z.object({ email: emailField });
export const loginBody = z.object({ username: loginIdField, password: loginPasswordField });
