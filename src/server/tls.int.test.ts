import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createMarketingSystem, type MarketingSystem } from "../index.js";

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI (on every Debian machine and in CI). */
function selfSigned(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "ma-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(join(dir, "cert.pem")), key: readFileSync(join(dir, "key.pem")) };
}

function post(url: string, ca: Buffer, body: unknown, options: { minVersion?: "TLSv1" } = {}) {
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const req = request(
      `${url}/rpc`,
      { method: "POST", ca, headers: { "content-type": "application/json" }, ...options },
      (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("HTTPS served by the server itself", () => {
  let system: MarketingSystem;
  let url: string;
  const pem = selfSigned();

  beforeAll(async () => {
    system = await createMarketingSystem({ database: "memory://" });
    url = (await system.listen({ tls: pem })).url;
  }, 60_000);
  afterAll(() => system?.close());

  it("answers JSON-RPC over https:// to a client that trusts the certificate", async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { status, json } = await post(url, pem.cert, { jsonrpc: "2.0", id: 1, method: "system.health" });
    expect(status).toBe(200);
    expect(json).toMatchObject({ jsonrpc: "2.0", id: 1, result: { status: "ok" } });
  });

  it("refuses clients that do not trust it, and plain HTTP on the TLS port", async () => {
    await expect(
      post(url, Buffer.from(""), { jsonrpc: "2.0", id: 1, method: "system.health" }),
    ).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    const plain = await fetch(url.replace("https", "http") + "/healthz").then(
      (r) => r.status,
      () => "refused",
    );
    expect(plain).not.toBe(200);
  });

  it("speaks wss:// for the WebSocket transport", async () => {
    const ws = new WebSocket(`${url.replace("https", "wss")}/ws`, { ca: pem.cert });
    const reply = await new Promise<unknown>((resolve, reject) => {
      ws.once("error", reject);
      ws.once("open", () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "system.health" })));
      ws.once("message", (data) => resolve(JSON.parse(String(data))));
    });
    ws.close();
    expect(reply).toMatchObject({ id: 7, result: { status: "ok" } });
  });
});
