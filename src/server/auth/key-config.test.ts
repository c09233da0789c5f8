import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hmacToken } from "../../../test/support/security-fixtures.js";
import { DEV_KEY_FILE, loadOrCreateDevKey } from "./dev-key.js";
import { AuthConfigError, AuthError } from "./errors.js";
import { parseTtl, signDevToken } from "./issue.js";
import { createKeySource } from "./key-sources.js";
import { authDefaults } from "./options.js";
import { createTokenVerifier } from "./verifier.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ma-keys-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const base = { devKeyDir: "/nonexistent", jwksCooldownMs: 30_000 };
const verifierOptions = { ...authDefaults, issuer: "https://issuer.test", audience: "marketing-agents-test" };

describe("key configuration refusals (B7, ASVS 5.0 9.1.2)", () => {
  it("refuses an RSA public key under 2048 bits", async () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    await expect(createKeySource({ ...base, publicKeys: pem })).rejects.toThrow(
      /modulusLength must be 2048 bits/,
    );
    const jwk = JSON.stringify(publicKey.export({ format: "jwk" }));
    await expect(createKeySource({ ...base, publicKeys: jwk })).rejects.toThrow(AuthConfigError);
  });

  it("accepts 2048-bit RSA, P-256 and Ed25519 keys, each pinned to one algorithm", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    const ed = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" });
    const source = await createKeySource({ ...base, publicKeys: `${rsa}\n${ec}\n${ed}` });
    expect(source.algorithms.sort()).toEqual(["ES256", "EdDSA", "RS256"]);
  });

  it("refuses private keys, symmetric JWKs and an alg that does not fit the key type", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await expect(createKeySource({ ...base, publicKeys: privatePem })).rejects.toThrow(/PRIVATE KEY/);
    const privateJwk = JSON.stringify(privateKey.export({ format: "jwk" }));
    await expect(createKeySource({ ...base, publicKeys: privateJwk })).rejects.toThrow(/private/);
    await expect(
      createKeySource({ ...base, publicKeys: JSON.stringify({ kty: "oct", k: "c2VjcmV0" }) }),
    ).rejects.toThrow(/private or secret/);
    const mislabelled = JSON.stringify({ ...publicKey.export({ format: "jwk" }), alg: "HS256" });
    await expect(createKeySource({ ...base, publicKeys: mislabelled })).rejects.toThrow(/does not fit/);
  });

  it("refuses an HS256 secret under 256 bits, and one that is text rather than random bytes", async () => {
    await expect(
      createKeySource({ ...base, hs256Secret: randomBytes(16).toString("base64") }),
    ).rejects.toThrow(/128 bits; HS256 needs at least 256/);
    const password = Buffer.from("correct horse battery staple, very long and memorable").toString("base64");
    await expect(createKeySource({ ...base, hs256Secret: password })).rejects.toThrow(/never a password/);
    await expect(createKeySource({ ...base, hs256Secret: "not base64!" })).rejects.toThrow(/base64/);
  });

  it("refuses two key sources at once (no mixing of symmetric and asymmetric verification)", async () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    await expect(
      createKeySource({
        ...base,
        publicKeys: pem.toString(),
        hs256Secret: randomBytes(32).toString("base64"),
      }),
    ).rejects.toThrow(/one key source/);
  });

  it("refuses a plain-http JWKS URL off loopback, and symmetric algorithms for a JWKS", async () => {
    await expect(createKeySource({ ...base, jwksUrl: "http://idp.example/jwks" })).rejects.toThrow(/https/);
    await expect(
      createKeySource({ ...base, jwksUrl: "https://idp.example/jwks", algorithms: ["RS256", "HS256"] }),
    ).rejects.toThrow(/refused: HS256/);
    await expect(
      createKeySource({ ...base, jwksUrl: "https://idp.example/jwks", algorithms: ["none"] }),
    ).rejects.toThrow(/refused: none/);
  });

  it("verifies HS256 only when explicitly configured with a strong secret, and nothing else then", async () => {
    const secret = randomBytes(32);
    const source = await createKeySource({ ...base, hs256Secret: secret.toString("base64url") });
    expect(source.algorithms).toEqual(["HS256"]);
    const verifier = createTokenVerifier(source, verifierOptions);
    const claims = { iss: "https://issuer.test", aud: "marketing-agents-test" };
    await expect(verifier.verify(hmacToken(secret, claims))).resolves.toMatchObject({
      principal: { subject: "user-1", role: "marketer", tenantId: "acme" },
    });
    await expect(verifier.verify(hmacToken(randomBytes(32), claims))).rejects.toBeInstanceOf(AuthError);
  });
});

describe("the local development key", () => {
  it("is created once with mode 0600 in a 0700 directory, and reused after", async () => {
    const keyDir = join(dir, "auth");
    const [a, b] = await Promise.all([loadOrCreateDevKey(keyDir), loadOrCreateDevKey(keyDir)]);
    expect(a.privateJwk).toEqual(b.privateJwk);
    expect((await stat(join(keyDir, DEV_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(keyDir)).mode & 0o777).toBe(0o700);
    expect(a.publicJwk.d).toBeUndefined();
    expect((await loadOrCreateDevKey(keyDir)).privateJwk.kid).toBe(a.privateJwk.kid);
  });

  it("refuses a key file others can read", async () => {
    const keyDir = join(dir, "open");
    const { path } = await loadOrCreateDevKey(keyDir);
    await chmod(path, 0o644);
    await expect(loadOrCreateDevKey(keyDir)).rejects.toThrow(/chmod 600/);
  });

  it("signs tokens the server's verifier accepts: ES256, typ at+jwt, jti, exp", async () => {
    const keyDir = join(dir, "sign");
    const { privateJwk } = await loadOrCreateDevKey(keyDir);
    const verifier = createTokenVerifier(
      await createKeySource({ ...base, devKeyDir: keyDir }),
      verifierOptions,
    );
    const token = await signDevToken(privateJwk, {
      role: "viewer",
      tenantId: "t9",
      subject: "dev",
      ttlSeconds: parseTtl("15m"),
      issuer: verifierOptions.issuer,
      audience: verifierOptions.audience,
    });
    const { principal, credential } = await verifier.verify(token);
    expect(principal).toEqual({ subject: "dev", role: "viewer", tenantId: "t9" });
    expect(credential.expiresAt - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(() => parseTtl("forever")).toThrow(RangeError);
    expect(parseTtl("2d")).toBe(172_800);
  });
});
