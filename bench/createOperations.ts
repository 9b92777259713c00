import { TableClient } from "@azure/data-tables";
import { z } from "zod";
import { generateAppPassword } from "../shared/domain/appPasswordSecret";
import type { PasswordHasher } from "../shared/domain/passwordHasher";
import type { Answer, BenchFixture } from "./startBenchFixture";

/** The operations measured round-robin; the first group carries the targets, the rest explain them. */
export const OPERATION_KEYS = [
  "hashFloor",
  "verifyFloor",
  "verifyOne",
  "verifyForty",
  "wrongPassword",
  "unknownUser",
  "unknownUserSeen",
  "create",
  "listForty",
  "delete",
  "verifyFortyByObjectId",
  "httpFloor",
  "storageReadFloor",
  "storageTransactionFloor",
] as const;

export type OperationKey = (typeof OPERATION_KEYS)[number];

/** One timed call: its duration, or why its answer was not the expected one (then it is not a sample). */
export type Sample = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly problem: string };

export interface Operation {
  readonly key: OperationKey;
  readonly label: string;
  run(round: number): Promise<Sample>;
}

const verifyAnswer = z.object({ valid: z.boolean() });
const created = z.object({ id: z.string() });
const listed = z.object({ count: z.number() });

/** Times `call` from the request until the whole answer is read. */
async function timed(call: () => Promise<Answer>, expect: (answer: Answer) => string | undefined): Promise<Sample> {
  const start = performance.now();
  const answer = await call();
  const ms = performance.now() - start;
  const problem = expect(answer);
  return problem === undefined ? { ok: true, ms } : { ok: false, problem };
}

const status = (wanted: number) => (answer: Answer) =>
  answer.status === wanted ? undefined : `answered ${answer.status}: ${answer.text.slice(0, 200)}`;

const verdict = (valid: boolean) => (answer: Answer) => {
  if (answer.status !== 200) return `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
  const parsed = verifyAnswer.safeParse(JSON.parse(answer.text));
  return parsed.success && parsed.data.valid === valid ? undefined : `answered ${answer.text.slice(0, 200)}`;
};

/**
 * The measured operations. `floorHasher` is argon2id with the service's parameters, called directly in this
 * process: the floor that verify and create are compared with.
 */
export async function createOperations(fixture: BenchFixture, floorHasher: PasswordHasher): Promise<Operation[]> {
  const { oneUser, fortyUser, creator, wrongPool } = fixture;
  const floorPassword = generateAppPassword();
  const floorHash = await floorHasher.hash(floorPassword);
  const table = TableClient.fromConnectionString(fixture.azurite.connectionString, fixture.tableName, {
    allowInsecureConnection: true,
  });
  // Create needs room under the limit: each create's app password is deleted by a later delete. One spare
  // made here keeps delete supplied whichever of the two comes first in a round.
  const createdIds: string[] = [];
  const spare = await fixture.call("POST", "/api/users/me/app-passwords", {
    token: creator.token,
    body: { name: "Spare" },
  });
  if (spare.status !== 201) throw new Error(`creating the spare app password answered ${spare.status}: ${spare.text}`);
  createdIds.push(created.parse(JSON.parse(spare.text)).id);

  const operations: Record<OperationKey, Omit<Operation, "key">> = {
    hashFloor: {
      label: "argon2id hash, in process (floor)",
      run: async () => {
        const start = performance.now();
        await floorHasher.hash(floorPassword);
        return { ok: true, ms: performance.now() - start };
      },
    },
    verifyFloor: {
      label: "argon2id verify, in process (floor)",
      run: async () => {
        const start = performance.now();
        const valid = await floorHasher.verify(floorHash, floorPassword);
        const ms = performance.now() - start;
        return valid ? { ok: true, ms } : { ok: false, problem: "floor verify failed" };
      },
    },
    verifyOne: {
      label: "verify, right password, 1 stored",
      run: () => timed(() => fixture.verify(oneUser.loginName, oneUser.password), verdict(true)),
    },
    verifyForty: {
      label: "verify, right password (last of 40)",
      run: () => timed(() => fixture.verify(fortyUser.loginName, fortyUser.password), verdict(true)),
    },
    wrongPassword: {
      label: "verify, wrong password",
      run: (round) => {
        const user = wrongPool[round % wrongPool.length] ?? oneUser;
        return timed(() => fixture.verify(user.loginName, generateAppPassword()), verdict(false));
      },
    },
    unknownUser: {
      label: "verify, unknown user (new name)",
      run: (round) =>
        timed(() => fixture.verify(`nobody-${round}@bench.example`, generateAppPassword()), verdict(false)),
    },
    unknownUserSeen: {
      label: "verify, unknown user asked before",
      // Cycles through as many names as there are wrong-password users, so both have throttling rows.
      run: (round) =>
        timed(
          () => fixture.verify(`nobody-again-${round % wrongPool.length}@bench.example`, generateAppPassword()),
          verdict(false),
        ),
    },
    create: {
      label: "create",
      run: async () => {
        let id: string | undefined;
        const sample = await timed(
          () => fixture.call("POST", "/api/users/me/app-passwords", { token: creator.token, body: { name: "Bench" } }),
          (answer) => {
            if (answer.status !== 201) return status(201)(answer);
            id = created.parse(JSON.parse(answer.text)).id;
            return undefined;
          },
        );
        if (id !== undefined) createdIds.push(id);
        return sample;
      },
    },
    listForty: {
      label: "list, 40 stored",
      run: () =>
        timed(
          () => fixture.call("GET", "/api/users/me/app-passwords", { token: fortyUser.token }),
          (answer) => {
            if (answer.status !== 200) return status(200)(answer);
            const { count } = listed.parse(JSON.parse(answer.text));
            return count === 40 ? undefined : `listed ${count}, not 40`;
          },
        ),
    },
    delete: {
      label: "delete one",
      run: async () => {
        const id = createdIds.shift();
        if (id === undefined) return { ok: false, problem: "nothing left to delete" };
        return timed(
          () => fixture.call("DELETE", `/api/users/me/app-passwords/${id}`, { token: creator.token }),
          status(204),
        );
      },
    },
    verifyFortyByObjectId: {
      label: "verify by object id (no login lookup)",
      run: () => timed(() => fixture.verify(fortyUser.userId, fortyUser.password), verdict(true)),
    },
    httpFloor: {
      label: "HTTP round trip, no function (GET /dev/jwks)",
      run: () => timed(() => fixture.call("GET", "/dev/jwks"), status(200)),
    },
    storageReadFloor: {
      label: "Table Storage point read, in process",
      run: async () => {
        const start = performance.now();
        try {
          await table.getEntity(fortyUser.userId, "user");
        } catch (error) {
          return { ok: false, problem: error instanceof Error ? error.message : "read failed" };
        }
        return { ok: true, ms: performance.now() - start };
      },
    },
    storageTransactionFloor: {
      label: "Table Storage transaction of 2 rows, in process",
      // Two rows written together, as create writes the app password and the user's count.
      run: async (round) => {
        const start = performance.now();
        try {
          await table.submitTransaction(
            ["a", "b"].map((row) => ["upsert", { partitionKey: "bench_transaction", rowKey: row, Round: round }]),
          );
        } catch (error) {
          return { ok: false, problem: error instanceof Error ? error.message : "transaction failed" };
        }
        return { ok: true, ms: performance.now() - start };
      },
    },
  };
  return OPERATION_KEYS.map((key) => ({ key, ...operations[key] }));
}
