import { z } from "zod";
import { ACTIVITY_ACTORS, ACTIVITY_EVENTS, type ActivityEvent } from "../domain/activity";
import type { AppPasswordSummary, IssuedAppPassword } from "../domain/appPasswordService";
import { PROTOCOLS } from "../domain/protocols";

/** The JSON answers of the API, declared once: the functions' answer types and the OpenAPI document. */

export const timestamp = z.iso.datetime().meta({ description: "ISO 8601, UTC" });

/** An app password as its owner and administrators see it: never the password or its hash. */
export const appPasswordItem = z
  .object({
    id: z.string().regex(/^[0-9a-f]{8}$/),
    name: z.string(),
    createdAt: timestamp,
    lastUsedAt: timestamp.optional(),
    lastUsedIp: z.string().optional().meta({ description: "The mail client's address at that last use" }),
    lastUsedProtocol: z.enum(PROTOCOLS).optional(),
    expiresAt: timestamp.optional(),
    expired: z.boolean().optional().meta({ description: "Present with expiresAt: whether it has passed" }),
    protocols: z.array(z.enum(PROTOCOLS)).optional(),
    allowedIps: z
      .array(z.string())
      .optional()
      .meta({ description: "CIDR ranges in canonical form (host bits masked, IPv4-mapped ranges as IPv4)" }),
  })
  .meta({ id: "AppPassword" });
export type AppPasswordItem = z.infer<typeof appPasswordItem>;

/** A freshly made app password, with its password: only in the answer that creates it. */
export const issuedAppPassword = appPasswordItem
  .extend({ password: z.string().regex(/^[a-z]{16}$/) })
  .meta({ id: "IssuedAppPassword" });
export type IssuedAppPasswordBody = z.infer<typeof issuedAppPassword>;

export const activityItem = z
  .object({
    at: timestamp,
    event: z.enum(ACTIVITY_EVENTS),
    appPasswordId: z.string().optional(),
    name: z.string().optional(),
    previousName: z.string().optional(),
    by: z.enum(ACTIVITY_ACTORS).optional(),
    adminLoginName: z.string().optional().meta({ description: "With by: admin, the administrator's login name" }),
    adminUserId: z.string().optional().meta({ description: "With by: admin, the administrator's object id" }),
    loginName: z.string().optional().meta({
      description:
        "Of login-name-released: the name taken; of login-name-release-lifted: the name the account may claim again",
    }),
    ip: z.string().optional(),
    protocol: z.enum(PROTOCOLS).optional(),
  })
  .meta({ id: "ActivityEvent" });
export type ActivityItem = z.infer<typeof activityItem>;

const iso = (date: Date) => date.toISOString();

/** The JSON form of an app password. */
export const itemBody = (item: AppPasswordSummary): AppPasswordItem => ({
  id: item.id,
  name: item.name,
  createdAt: iso(item.createdAt),
  ...(item.lastUsedAt !== undefined && { lastUsedAt: iso(item.lastUsedAt) }),
  ...(item.lastUsedIp !== undefined && { lastUsedIp: item.lastUsedIp }),
  ...(item.lastUsedProtocol !== undefined && { lastUsedProtocol: item.lastUsedProtocol }),
  ...(item.expiresAt !== undefined && { expiresAt: iso(item.expiresAt) }),
  ...(item.expired !== undefined && { expired: item.expired }),
  ...(item.protocols !== undefined && { protocols: [...item.protocols] }),
  ...(item.allowedIps !== undefined && { allowedIps: [...item.allowedIps] }),
});

/** The JSON form of a freshly made app password, with its password. */
export const issuedBody = (issued: IssuedAppPassword): IssuedAppPasswordBody => ({
  ...itemBody(issued),
  password: issued.password,
});

/** The JSON form of an activity event. */
export const activityBody = (event: ActivityEvent): ActivityItem => ({ ...event, at: iso(event.at) });
