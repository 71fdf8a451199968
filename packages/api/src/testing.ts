import { createSessionTokens } from "@pinglass/accounts";
import { manualClock } from "@pinglass/core";
import { createTestDb, type TestDb } from "@pinglass/db/testing";
import type { FaceAnalyzer } from "@pinglass/faces";
import { createTestMedia } from "@pinglass/media/testing";
import { providerInfo, startPaidPhotoset } from "@pinglass/generation";
import { createLocalTestBank, handleTbankNotification } from "@pinglass/payments";
import { createCaller } from "./root.ts";
import { type ApiDeps, createContext } from "./trpc.ts";

export const testSessionSecret = "test-session-secret-that-is-long-enough-0123456789";

/**
 * The real router on a real test database, with a clock the test controls. Selfies are checked for
 * faces only with `faces` (a real analyser the test starts and closes); without it they are stored
 * unchecked, for tests that are not about faces.
 */
export async function createTestApi(extra: Partial<ApiDeps> = {}, options: { faces?: FaceAnalyzer } = {}) {
  const testDb: TestDb = await createTestDb();
  const clock = manualClock();
  const media = { ...createTestMedia(clock), ...(options.faces ? { faces: options.faces } : {}) };
  // The local test bank, its notifications handed straight to the same handler /webhooks/tbank uses.
  const localBank = createLocalTestBank({
    publicUrl: "http://pinglass.test",
    deliver: async (notification) => {
      const answer = await handleTbankNotification(deps, notification);
      if (answer.body !== "OK") throw new Error(`notification refused: ${answer.httpStatus} ${answer.body}`);
    },
  });
  const deps: ApiDeps = {
    db: testDb.db,
    clock,
    sessions: createSessionTokens({ secret: testSessionSecret, ttlSeconds: 3600, clock }),
    media,
    bank: localBank,
    payments: { publicUrl: "http://pinglass.test", taxation: "usn_income", vat: "none" },
    generation: { provider: providerInfo("local"), progressIntervalMs: 20 },
    // As the server wires it: a paid payment bound to a photoset starts it in the same transaction.
    onPaid: startPaidPhotoset(clock),
    ...extra,
  };
  const callerWithHeaders = (headers: Record<string, string>) => createCaller(createContext(deps, headers));
  return {
    deps,
    clock,
    testDb,
    localBank,
    /** The filesystem media in a temporary folder (its root, and the warnings it logged). */
    media,
    anonymous: (locale = "ru") => callerWithHeaders({ "accept-language": locale }),
    withToken: (token: string, locale = "ru") => callerWithHeaders({ authorization: `Bearer ${token}`, "accept-language": locale }),
    /** Starts a session for a fresh device and returns a caller signed in as that user. */
    async signIn(deviceId: string = crypto.randomUUID()) {
      const session = await callerWithHeaders({}).session.start({ deviceId });
      return { ...session, caller: callerWithHeaders({ authorization: `Bearer ${session.token}` }) };
    },
  };
}
