// `pnpm --filter @hip/config-service rotate-keys`: re-encrypts every stored credential under the newest key of
// CREDENTIALS_KEYS (the last entry). Keep the old keys in the ring until this has run on every database.
import { createDb, createPool } from "../db/client.ts";
import { parseKeyRing } from "@hip/secrets";
import { rotateKeys } from "../domain/secrets/rotate-keys.ts";
import { loadEnv } from "../env.ts";

const env = loadEnv();
const pool = createPool(env.DATABASE_URL, 2);
try {
  const ring = parseKeyRing(env.CREDENTIALS_KEYS);
  const report = await rotateKeys(createDb(pool), ring);
  console.log(
    `rotate-keys: scanned ${report.scanned} integrations, re-encrypted ${report.rotated} under key ${ring.currentKeyId}`,
  );
} finally {
  await pool.end();
}
