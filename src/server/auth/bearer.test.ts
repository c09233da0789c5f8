import { describe, expect, it } from "vitest";
import { bearerFromAuthorization, bearerFromSubprotocols, selectSubprotocol } from "./bearer.js";

const token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

describe("bearer token extraction", () => {
  it("reads `Authorization: Bearer <token>` with any scheme case, and nothing else", () => {
    expect(bearerFromAuthorization(`Bearer ${token}`)).toBe(token);
    expect(bearerFromAuthorization(`bearer ${token}`)).toBe(token);
    expect(bearerFromAuthorization(`Basic ${token}`)).toBeUndefined();
    expect(bearerFromAuthorization("Bearer")).toBeUndefined();
    expect(bearerFromAuthorization(`Bearer ${token} extra`)).toBeUndefined();
    expect(bearerFromAuthorization(undefined)).toBeUndefined();
  });

  it("reads the `bearer, <token>` subprotocol pair that browsers can send", () => {
    expect(bearerFromSubprotocols(`bearer, ${token}`)).toBe(token);
    expect(bearerFromSubprotocols(`chat, bearer,${token}`)).toBe(token);
    expect(bearerFromSubprotocols(`${token}, bearer`)).toBeUndefined();
    expect(bearerFromSubprotocols("bearer, not a token")).toBeUndefined();
  });

  it("answers the bearer subprotocol and never echoes the token", () => {
    expect(selectSubprotocol(new Set(["bearer", token]))).toBe("bearer");
    expect(selectSubprotocol(new Set([token]))).toBe(false);
  });
});
