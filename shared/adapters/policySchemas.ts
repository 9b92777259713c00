import { z } from "zod";
import type { AppPasswordPolicy } from "../domain/domainContext";
import type { PolicyChange, PolicyView } from "../domain/policy";
import { timestamp } from "./responseSchemas";

/** The requests and answers of the policy endpoints, declared once for the functions and the OpenAPI document. */

const wholeNumber = (min: number, max: number) =>
  z
    .number()
    .int("must be a whole number")
    .min(min, `must be from ${min} to ${max}`)
    .max(max, `must be from ${min} to ${max}`);

/** The policy's four values, as `PUT /policy` takes them and every answer gives them. */
export const policyValues = z
  .strictObject({
    allowed: z.boolean().meta({ description: "Whether people may create, list and delete their own app passwords" }),
    maxPerUser: wholeNumber(1, 99).meta({ description: "The most app passwords one person may have" }),
    maxLifetimeDays: wholeNumber(1, 365)
      .nullable()
      .meta({ description: "Longest lifetime of a new app password, and its lifetime when none is asked; null: none" }),
    deleteUnusedAfterDays: wholeNumber(1, 3650)
      .nullable()
      .meta({ description: "The daily clean-up deletes app passwords unused this many days; null: never" }),
  })
  .meta({ id: "PolicyValues" });
export type PolicyValues = z.infer<typeof policyValues>;

export const policyAnswer = policyValues
  .extend({
    source: z.enum(["settings", "saved"]).meta({
      description: "settings: the app settings' defaults, until an administrator saves a policy; saved: theirs",
    }),
    etag: z.string().meta({ description: "Send it back as If-Match with PUT /policy (also the ETag header)" }),
    savedAt: timestamp.optional(),
    savedBy: z
      .object({ loginName: z.string(), userId: z.string() })
      .optional()
      .meta({ description: "To administrators only: who saved it" }),
    refreshSeconds: z.number().int().meta({ description: "Every instance applies a change within this many seconds" }),
  })
  .meta({ id: "Policy" });

export const policyChangeItem = z
  .object({
    at: timestamp,
    adminLoginName: z.string(),
    adminUserId: z.string(),
    previous: policyValues,
    next: policyValues,
  })
  .meta({ id: "PolicyChange" });

/** The domain's policy from the API's values. */
export const fromValues = (values: PolicyValues): AppPasswordPolicy => ({
  appPasswordsAllowed: values.allowed,
  maxPerUser: values.maxPerUser,
  ...(values.maxLifetimeDays !== null && { maxLifetimeDays: values.maxLifetimeDays }),
  ...(values.deleteUnusedAfterDays !== null && { deleteUnusedAfterDays: values.deleteUnusedAfterDays }),
});

/** The API's values of a policy. */
export const toValues = (policy: AppPasswordPolicy): PolicyValues => ({
  allowed: policy.appPasswordsAllowed,
  maxPerUser: policy.maxPerUser,
  maxLifetimeDays: policy.maxLifetimeDays ?? null,
  deleteUnusedAfterDays: policy.deleteUnusedAfterDays ?? null,
});

/** The answer of `GET` and `PUT /policy`: `savedBy` only to administrators. */
export const policyBody = (
  view: PolicyView,
  isAdmin: boolean,
  refreshSeconds: number,
): z.input<typeof policyAnswer> => ({
  ...toValues(view.policy),
  source: view.source,
  etag: view.etag,
  refreshSeconds,
  ...(view.source === "saved" && { savedAt: view.savedAt.toISOString() }),
  ...(view.source === "saved" && isAdmin && { savedBy: { ...view.savedBy } }),
});

export const policyChangeBody = (change: PolicyChange): z.input<typeof policyChangeItem> => ({
  at: change.at.toISOString(),
  adminLoginName: change.by.loginName,
  adminUserId: change.by.userId,
  previous: toValues(change.previous),
  next: toValues(change.next),
});
