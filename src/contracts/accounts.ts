import { z } from 'zod';
import { Timestamp } from './common.js';

export const Role = z.enum(['member', 'partner', 'operator']);

export const Member = z.object({ id: z.string(), displayName: z.string(), roles: z.array(Role) }).meta({ id: 'Member' });

export const RegisterBody = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(200),
  displayName: z.string().trim().min(1).max(50),
});

export const LoginBody = z.strictObject({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(200),
});

export const TokenBody = z.strictObject({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(200),
  name: z.string().trim().min(1).max(100).optional(),
});

export const MemberReply = z.object({ member: Member });

export const Me = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(Role),
  createdAt: Timestamp,
  csrfToken: z.string().optional().describe('echo in x-csrf-token on cookie-authenticated writes'),
});

export const IssuedToken = z.object({
  id: z.string(),
  token: z.string().describe('shown once; send as Authorization: Bearer <token>'),
  name: z.string(),
  createdAt: Timestamp,
});

export const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});

/** Who is signed in, for pages that also serve visitors: never 401. */
export const SessionReply = z.object({ me: Me.nullable() });
