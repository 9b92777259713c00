import { describe, expect, it } from "vitest";
import { loadBicepFiles, parseBicep } from "./parseBicep";
import { secretLeaks } from "./secretLeaks";

async function leaksIn(source: string): Promise<string[]> {
  return secretLeaks("snippet.bicep", (await parseBicep(source)).rootNode);
}

describe("the secret leak checker", () => {
  it("finds listKeys in both call forms and other list* calls", async () => {
    const source = [
      "var a = listKeys(storage.id, '2023-05-01').keys[0].value",
      "var b = storage.listKeys().keys[0].value",
      "var c = storage.listAccountSas('2023-05-01', {}).accountSasToken",
    ].join("\n");
    expect(await leaksIn(source)).toEqual(
      expect.arrayContaining([
        "snippet.bicep:1:9: calls listKeys()",
        "snippet.bicep:2:9: calls listKeys()",
        "snippet.bicep:3:9: calls listAccountSas()",
        expect.stringMatching(/^snippet\.bicep:1:\d+: reads \.keys$/),
      ]),
    );
  });

  it("finds an account key written into a connection string", async () => {
    const source = "var c = 'DefaultEndpointsProtocol=https;AccountName=${name};AccountKey=${key}'\n";
    expect(await leaksIn(source)).toEqual([expect.stringMatching(/^snippet\.bicep:1:\d+: key material in a string$/)]);
  });

  it("finds secure outputs, outputs named like secrets and outputs made of connection strings", async () => {
    const source = [
      "@secure()",
      "output value string = 'x'",
      "output storageKey string = 'x'",
      "output insights string = appInsights.properties.ConnectionString",
      "output name string = site.name",
    ].join("\n");
    expect(await leaksIn(source)).toEqual([
      "snippet.bicep:2:1: output value is @secure()",
      "snippet.bicep:3:1: output storageKey is named like a secret",
      "snippet.bicep:4:1: output insights carries a connection string",
    ]);
  });
});

describe("infra/*.bicep", () => {
  it("never reads, builds or outputs a key or secret", async () => {
    const files = await loadBicepFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((file) => secretLeaks(file.name, file.root))).toEqual([]);
  });
});
