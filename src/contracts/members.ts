import { z } from 'zod';

/** How another member appears next to what they wrote. */
export const MemberRef = z.object({ id: z.string(), displayName: z.string() }).meta({ id: 'MemberRef' });
