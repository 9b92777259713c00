import { app } from "@azure/functions";
import { z } from "zod";
import { defineEndpoint } from "../shared/adapters/defineEndpoint";
import { appPasswordItem, itemBody } from "../shared/adapters/responseSchemas";
import { PROTOCOLS } from "../shared/domain/protocols";
import type { InventoryItem } from "../shared/domain/appPasswordService";
import { getServices } from "../shared/services";

const days = z.coerce.number().int("must be a whole number of days").min(0).max(3650);

/** Its query: the filters (all given must hold), the page size, and where the previous page left off. */
const inventoryQuery = z.strictObject({
  unusedForDays: days.optional().meta({ description: "Not used in the last N days (never used counts from creation)" }),
  expired: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .optional(),
  expiringWithinDays: days.optional().meta({ description: "Not expired yet, and expiring within N days" }),
  protocol: z.enum(PROTOCOLS).optional().meta({ description: "Last used with this protocol" }),
  loginNamePrefix: z.string().trim().min(1).max(256).optional().meta({ description: "Case-insensitive" }),
  limit: z.coerce.number().int("must be a whole number").min(1).max(1000).default(100),
  continuation: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/, "must be a continuation")
    .optional(),
});

/** Its answer: a page of the organization's app passwords, each with whose it is. */
const inventoryPage = z
  .object({
    items: z.array(
      appPasswordItem
        .extend({ userId: z.string(), loginName: z.string().meta({ description: "Empty: the account holds none" }) })
        .meta({ id: "InventoryAppPassword" }),
    ),
    continuation: z.string().optional().meta({ description: "Pass as ?continuation= for the next page" }),
  })
  .meta({ id: "InventoryPage" });

const inventoryBody = (item: InventoryItem) => ({ ...itemBody(item), userId: item.userId, loginName: item.loginName });

/**
 * `GET /api/app-passwords` (admin): every app password of the organization with whose it is, filtered, a page
 * at a time; each page costs at most two storage requests, and may hold fewer items than `limit`, or none,
 * while a continuation remains.
 */
export const listInventory = defineEndpoint(
  {
    name: "listInventory",
    method: "GET",
    route: "app-passwords",
    summary: "Every app password of the organization, filtered, a page at a time (administrators)",
    caller: "bearer",
    query: inventoryQuery,
    answers: { 200: { description: "One page of app passwords", schema: inventoryPage } },
    problems: ["FORBIDDEN", "INVALID_CONTINUATION"],
  },
  async ({ services, caller, query }) => {
    const { limit, continuation, ...filter } = query;
    const outcome = await services.appPasswords.listInventory(caller, filter, limit, continuation);
    if (outcome.code !== "INVENTORY") return outcome;
    const { items, continuation: next } = outcome.page;
    return {
      status: 200,
      body: { items: items.map(inventoryBody), ...(next !== undefined && { continuation: next }) },
    };
  },
);

/** How the Functions host serves it (the local host and tests serve `listInventory` with their own services). */
export const listInventoryOptions = listInventory.serve(getServices);

app.http("listInventory", listInventoryOptions);
