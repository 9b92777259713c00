import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generatePortalClient, PORTAL_CLIENT_FILES } from "../../dev/generatePortalClient";
import { createAppPasswordBody, renameAppPasswordBody } from "../../shared/adapters/requestSchemas";
import { NAME_MAX_LENGTH, PROTOCOLS } from "../../portal/src/api/schemaLimits";

const root = path.join(__dirname, "..", "..");

describe("generatePortalClient", () => {
  it("matches the committed client, so the page's types follow every change to the API", async () => {
    const files = await generatePortalClient(root);
    expect(files.map((file) => file.path).sort()).toStrictEqual(Object.values(PORTAL_CLIENT_FILES).sort());
    for (const file of files) {
      const committed = readFileSync(path.join(root, file.path), "utf8");
      expect(committed, `${file.path} is stale: run \`npm run generate:client\` and commit the result.`).toBe(
        file.text,
      );
    }
  });

  it("gives the page the name's limit and the protocols the API enforces", () => {
    const name = (length: number) => "n".repeat(length);
    expect(renameAppPasswordBody.safeParse({ name: name(NAME_MAX_LENGTH) }).success).toBe(true);
    expect(renameAppPasswordBody.safeParse({ name: name(NAME_MAX_LENGTH + 1) }).success).toBe(false);
    expect(createAppPasswordBody.safeParse({ name: name(NAME_MAX_LENGTH + 1) }).success).toBe(false);
    expect(createAppPasswordBody.safeParse({ name: "Phone", protocols: [...PROTOCOLS] }).success).toBe(true);
    expect(createAppPasswordBody.safeParse({ name: "Phone", protocols: ["gopher"] }).success).toBe(false);
  });
});
