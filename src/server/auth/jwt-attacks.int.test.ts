import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import {
  type CountingServer,
  countingServer,
  hmacToken,
  rpc,
  rs256Token,
  type SecuredServer,
  signWith,
  startSecuredServer,
  unsignedToken,
  withEditedPayload,
} from "../../../test/support/security-fixtures.js";
import type { Database } from "../../db/client.js";

/**
 * The JWT attack cases of security-tests.md group B (B1–B7), each sent with real fetch to a real listening
 * server: a token either gets in (200) or gets 401 with an RFC 6750 challenge and a JSON-RPC -32001 body.
 */

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

async function expectRefused(server: SecuredServer | { url: string }, token: string, description?: RegExp) {
  const reply = await rpc(server.url, "auth.whoami", {}, token);
  expect(reply.status).toBe(401);
  expect(reply.body).toEqual({
    jsonrpc: "2.0",
    error: { code: -32001, message: "Unauthorized", data: { reason: expect.any(String) } },
    id: null,
  });
  const challenge = reply.headers.get("www-authenticate") ?? "";
  expect(challenge).toMatch(/^Bearer realm="marketing-agents", error="invalid_token"/);
  if (description) expect(challenge).toMatch(description);
  return reply;
}

async function privateJwkPair(
  alg: "ES256" | "RS256",
  kid: string,
): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), alg, kid },
    publicJwk: { ...(await exportJWK(publicKey)), alg, kid, use: "sig" },
  };
}

describe("JWT verification with the local development key (ES256)", () => {
  let dev: SecuredServer;
  beforeAll(async () => {
    dev = await startSecuredServer(database, { auth: { maxTokenAgeSeconds: 3_600 } });
  });
  afterAll(() => dev.close());

  it("accepts an honest token and takes subject, role and tenant from its claims", async () => {
    const reply = await rpc(
      dev.url,
      "auth.whoami",
      {},
      await dev.mint({ sub: "ada", role: "analyst", tenant: "t1" }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.result).toMatchObject({ subject: "ada", role: "analyst", tenantId: "t1" });
  });

  it("B1: refuses alg none", async () => {
    await expectRefused(dev, unsignedToken({ role: "admin" }));
  });

  it("B3: refuses an edited payload (role → admin) carrying the original signature", async () => {
    const honest = await dev.mint({ role: "viewer" });
    expect((await rpc(dev.url, "auth.whoami", {}, honest)).status).toBe(200);
    await expectRefused(dev, withEditedPayload(honest, { role: "admin" }), /signature verification failed/);
  });

  it("B4: refuses exp in the past, but tolerates 30 s of clock skew", async () => {
    const now = Math.floor(Date.now() / 1000);
    const reply = await expectRefused(
      dev,
      await dev.mint({ iat: now - 600, exp: now - 60 }),
      /token expired/,
    );
    expect(reply.body.error.data.reason).toBe("expired");
    expect((await rpc(dev.url, "auth.whoami", {}, await dev.mint({ exp: now - 10 }))).status).toBe(200);
  });

  it("B4: refuses nbf in the future beyond the tolerance", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(dev, await dev.mint({ nbf: now + 120 }), /nbf/);
    expect((await rpc(dev.url, "auth.whoami", {}, await dev.mint({ nbf: now + 10 }))).status).toBe(200);
  });

  it("B4: refuses iat older than maxTokenAge, whatever exp says", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(dev, await dev.mint({ iat: now - 7_200, exp: now + 600 }), /iat/);
  });

  it("B4: refuses a token without exp (requiredClaims), and without jti (it could not be revoked)", async () => {
    await expectRefused(dev, await dev.mint({ exp: undefined }), /exp/);
    await expectRefused(dev, await dev.mint({ jti: undefined }), /jti/);
  });

  it("B5: refuses a wrong or missing iss, a wrong or missing aud", async () => {
    await expectRefused(dev, await dev.mint({ iss: "https://evil.example" }), /iss/);
    await expectRefused(dev, await dev.mint({ iss: undefined }), /iss/);
    await expectRefused(dev, await dev.mint({ aud: "another-api" }), /aud/);
    await expectRefused(dev, await dev.mint({ aud: undefined }), /aud/);
    // A token for several audiences passes when one of them is ours.
    expect(
      (await rpc(dev.url, "auth.whoami", {}, await dev.mint({ aud: ["x", "marketing-agents-test"] }))).status,
    ).toBe(200);
  });

  it("B5: refuses an ID token presented as an access token (typ JWT or no typ, not at+jwt)", async () => {
    await expectRefused(dev, await dev.mint({ nonce: "n-1", auth_time: 1 }, { typ: "JWT" }), /typ/);
    await expectRefused(dev, await dev.mint({}, { typ: undefined }), /typ/);
  });

  it("refuses unknown roles and missing or malformed tenants: claims are validated like input", async () => {
    await expectRefused(dev, await dev.mint({ role: "superadmin" }), /role/);
    await expectRefused(dev, await dev.mint({ tenant: undefined }), /tenant/);
    await expectRefused(dev, await dev.mint({ tenant: "../other" }), /tenant/);
  });

  it("B6: ignores jku, x5u and jwk headers pointing at an attacker's key, and fetches nothing", async () => {
    const attacker = await privateJwkPair("ES256", "attacker");
    const jwks: CountingServer = await countingServer({ keys: [attacker.publicJwk] });
    try {
      for (const header of [
        { jku: `${jwks.url}/jwks.json` },
        { x5u: `${jwks.url}/cert.pem` },
        { jwk: attacker.publicJwk },
        // The attacker's key under our own kid: the signature still has to verify against our key.
        { jku: `${jwks.url}/jwks.json`, kid: dev.devKey.kid },
      ]) {
        await expectRefused(dev, await signWith(attacker.privateJwk, { role: "admin" }, header));
      }
      await expectRefused(
        dev,
        await signWith(attacker.privateJwk, { role: "admin" }, { kid: dev.devKey.kid }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(jwks.hits).toEqual([]);
    } finally {
      await jwks.close();
    }
  });

  it("B6: a hostile kid (path traversal, SQL) is just an unknown key: 401 and no side effects", async () => {
    const keyFile = join((dev.system.authentication.match(/local development key (\S+)/) ?? [])[1] ?? "");
    const before = await readFile(keyFile, "utf8");
    const auditBefore = (await rpc(dev.url, "audit.list", { limit: 500 }, await dev.mint({ role: "admin" })))
      .body.result.entries.length;
    for (const kid of ["../../x", "' OR 1=1--", "/etc/passwd", "x".repeat(5_000)]) {
      await expectRefused(dev, await dev.mint({ role: "admin" }, { kid }), /no matching key|invalid token/);
    }
    expect(await readFile(keyFile, "utf8")).toBe(before);
    // Refused requests never reach the dispatcher, so they leave no audit rows (the admin's list call does).
    const auditAfter = (await rpc(dev.url, "audit.list", { limit: 500 }, await dev.mint({ role: "admin" })))
      .body.result.entries.length;
    expect(auditAfter).toBe(auditBefore + 1);
  });

  it("asks for credentials without an error code when none were sent (RFC 6750 §3.1)", async () => {
    const reply = await rpc(dev.url, "auth.whoami", {});
    expect(reply.status).toBe(401);
    expect(reply.headers.get("www-authenticate")).toBe('Bearer realm="marketing-agents"');
    expect(reply.body.error).toMatchObject({ code: -32001, data: { reason: "missing_token" } });
    const basic = await fetch(`${dev.url}/rpc`, {
      method: "POST",
      headers: { authorization: "Basic dXNlcjpwYXNz" },
    });
    expect(basic.status).toBe(401);
  });

  it("keeps /healthz and /readyz open", async () => {
    expect((await fetch(`${dev.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${dev.url}/readyz`)).status).toBe(200);
  });
});

describe("JWT verification with a configured RSA public key (PEM)", () => {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const privateJwk = { ...privateKey.export({ format: "jwk" }), alg: "RS256" } as JWK;
  let rsa: SecuredServer;
  beforeAll(async () => {
    rsa = await startSecuredServer(database, { auth: { publicKeys: publicPem } });
  });
  afterAll(() => rsa.close());

  it("accepts RS256 tokens signed with the matching private key", async () => {
    const reply = await rpc(rsa.url, "auth.whoami", {}, await signWith(privateJwk, { sub: "rsa-user" }));
    expect(reply.status).toBe(200);
    expect(reply.body.result.subject).toBe("rsa-user");
  });

  it("B2: refuses HS256 tokens whose HMAC secret is the server's RSA public key (PEM or JWK)", async () => {
    await expectRefused(rsa, hmacToken(publicPem, { role: "admin" }), /algorithm not allowed/);
    const publicJwk = JSON.stringify(publicKey.export({ format: "jwk" }));
    await expectRefused(rsa, hmacToken(publicJwk, { role: "admin" }), /algorithm not allowed/);
  });

  it("refuses the development key's tokens: only the configured key verifies", async () => {
    const dev = await privateJwkPair("ES256", "dev");
    await expectRefused(rsa, await signWith(dev.privateJwk));
  });
});

describe("JWT verification against a JWKS URL", () => {
  let idp: CountingServer;
  let server: SecuredServer;
  let k1: { privateJwk: JWK; publicJwk: JWK };
  const COOLDOWN_MS = 1_000;

  beforeAll(async () => {
    k1 = await privateJwkPair("RS256", "k1");
    idp = await countingServer({ keys: [k1.publicJwk] });
    server = await startSecuredServer(database, {
      auth: { jwksUrl: `${idp.url}/.well-known/jwks.json`, jwksCooldownMs: COOLDOWN_MS },
    });
  });
  afterAll(async () => {
    await server.close();
    await idp.close();
  });

  it("verifies with the provider's keys, fetched once", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await rpc(server.url, "auth.whoami", {}, await signWith(k1.privateJwk))).status).toBe(200);
    }
    expect(idp.hits).toEqual(["/.well-known/jwks.json"]);
  });

  it("B6: an unknown kid refetches the JWKS at most once per cooldown, then ERR_JWKS_NO_MATCHING_KEY", async () => {
    const stranger = await privateJwkPair("RS256", `unknown-${randomUUID()}`);
    // The first unknown kid may refetch (if the last fetch is older than the cooldown); right after it,
    // more unknown kids refetch nothing.
    await expectRefused(server, await signWith(stranger.privateJwk), /no matching key/);
    const before = idp.hits.length;
    for (let i = 0; i < 5; i++)
      await expectRefused(server, await signWith(stranger.privateJwk), /no matching key/);
    expect(idp.hits.length).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
    // After it: a burst of unknown kids causes exactly one refetch.
    const tokens = await Promise.all(Array.from({ length: 10 }, () => signWith(stranger.privateJwk)));
    await Promise.all(tokens.map((token) => expectRefused(server, token)));
    expect(idp.hits.length).toBe(before + 1);
  });

  it("picks up a rotated key on the refetch an unknown kid causes", async () => {
    const k2 = await privateJwkPair("RS256", "k2");
    idp.respond({ keys: [k1.publicJwk, k2.publicJwk] });
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
    expect((await rpc(server.url, "auth.whoami", {}, await signWith(k2.privateJwk))).status).toBe(200);
  });

  it("B7: refuses a token verified by an RSA key under 2048 bits, even from the JWKS", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const weakPublic = { ...publicKey.export({ format: "jwk" }), alg: "RS256", kid: "weak", use: "sig" };
    idp.respond({ keys: [k1.publicJwk, weakPublic] });
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
    const hits = idp.hits.length;
    await expectRefused(server, rs256Token(privateKey, { role: "admin" }, { kid: "weak" }));
    // The key was fetched (so it was refused for its size, not for being unknown).
    expect(idp.hits.length).toBe(hits + 1);
  });

  it("answers 503 (not 401) while the identity provider cannot be reached", async () => {
    const gone = await countingServer({});
    const url = gone.url;
    await gone.close();
    const orphan = await startSecuredServer(database, { auth: { jwksUrl: `${url}/jwks.json` } });
    try {
      const reply = await rpc(orphan.url, "auth.whoami", {}, await signWith(k1.privateJwk));
      expect(reply.status).toBe(503);
      expect(reply.body.error.code).toBe(-32000);
    } finally {
      await orphan.close();
    }
  });
});
