import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.join(__dirname, "..", "..");
// An existing domain file, so the type-checked rules find it in the project; its text is replaced.
const domainFile = path.join(root, "shared", "domain", "clock.ts");

async function restrictedImportMessages(code: string, filePath = domainFile) {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === "no-restricted-imports");
}

describe("the domain's import boundary (npm run lint)", () => {
  it.each([
    ['import { TableClient } from "@azure/data-tables";', "TableClient"],
    ['import { app } from "@azure/functions";', "app"],
    ['import { jwtVerify } from "jose";', "jwtVerify"],
    ['import { createServer } from "node:http";', "createServer"],
    ['import { request } from "https";', "request"],
    ['import { fetch } from "undici";', "fetch"],
    ['import { loadConfig } from "../adapters/config";', "loadConfig"],
  ])("fails a domain file that says %s", async (statement, name) => {
    const messages = await restrictedImportMessages(`${statement}\nexport const used = ${name};\n`);
    expect(messages).toHaveLength(1);
  });

  it("lets a domain file import node:crypto and zod", async () => {
    const code =
      'import { randomInt } from "node:crypto";\nimport { z } from "zod";\nexport const used = [randomInt, z];\n';
    expect(await restrictedImportMessages(code)).toEqual([]);
  });

  it("lets an adapter import the Azure SDK", async () => {
    const adapter = path.join(root, "shared", "adapters", "tableCalls.ts");
    const code = 'import { TableClient } from "@azure/data-tables";\nexport const used = TableClient;\n';
    expect(await restrictedImportMessages(code, adapter)).toEqual([]);
  });
});
