import { z } from "zod";
import { defineMethod } from "../../src/server/rpc/method.js";

/** The methods used by the examples in https://www.jsonrpc.org/specification#examples. */
export const specMethods = [
  defineMethod({
    name: "subtract",
    description: "minuend - subtrahend",
    permission: "system:read",
    positional: ["minuend", "subtrahend"],
    params: z.object({ minuend: z.number(), subtrahend: z.number() }),
    result: z.number(),
    handler: ({ minuend, subtrahend }) => minuend - subtrahend,
  }),
  defineMethod({
    name: "sum",
    description: "adds numbers",
    permission: "system:read",
    params: z.array(z.number()),
    result: z.number(),
    handler: (numbers) => numbers.reduce((a, b) => a + b, 0),
  }),
  defineMethod({
    name: "update",
    description: "a notification target",
    permission: "system:read",
    params: z.array(z.number()),
    result: z.null(),
    handler: () => null,
  }),
  defineMethod({
    name: "notify_hello",
    description: "a notification target",
    permission: "system:read",
    params: z.array(z.number()),
    result: z.null(),
    handler: () => null,
  }),
  defineMethod({
    name: "get_data",
    description: "returns fixed data",
    permission: "system:read",
    params: z.unknown(),
    result: z.tuple([z.string(), z.number()]),
    handler: () => ["hello", 5] as [string, number],
  }),
  defineMethod({
    name: "explode",
    description: "throws an internal error",
    permission: "system:read",
    params: z.unknown(),
    result: z.null(),
    handler: () => {
      throw new Error("secret database detail at /srv/app/db.ts:42");
    },
  }),
  defineMethod({
    name: "admin_only",
    description: "needs audit:read",
    permission: "audit:read",
    params: z.unknown(),
    result: z.null(),
    handler: () => null,
  }),
];

/**
 * The specification's request/response pairs, reused over every transport. `expect` is the exact
 * response, `undefined` for "no response"; batches are compared by id since order may vary.
 */
export const specVectors: { name: string; send: string; expect: unknown }[] = [
  {
    name: "positional params",
    send: '{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}',
    expect: { jsonrpc: "2.0", result: 19, id: 1 },
  },
  {
    name: "positional params, reversed",
    send: '{"jsonrpc":"2.0","method":"subtract","params":[23,42],"id":2}',
    expect: { jsonrpc: "2.0", result: -19, id: 2 },
  },
  {
    name: "named params",
    send: '{"jsonrpc":"2.0","method":"subtract","params":{"subtrahend":23,"minuend":42},"id":3}',
    expect: { jsonrpc: "2.0", result: 19, id: 3 },
  },
  {
    name: "named params, keys reversed",
    send: '{"jsonrpc":"2.0","method":"subtract","params":{"minuend":42,"subtrahend":23},"id":4}',
    expect: { jsonrpc: "2.0", result: 19, id: 4 },
  },
  {
    name: "notification",
    send: '{"jsonrpc":"2.0","method":"update","params":[1,2,3,4,5]}',
    expect: undefined,
  },
  { name: "notification of unknown method", send: '{"jsonrpc":"2.0","method":"foobar"}', expect: undefined },
  {
    name: "method not found",
    send: '{"jsonrpc":"2.0","method":"foobar","id":"1"}',
    expect: { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: "1" },
  },
  {
    name: "invalid JSON",
    send: '{"jsonrpc":"2.0","method":"foobar, "params":"bar", "baz]',
    expect: { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null },
  },
  {
    name: "invalid request object",
    send: '{"jsonrpc":"2.0","method":1,"params":"bar"}',
    expect: { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null },
  },
  {
    name: "batch, invalid JSON",
    send: '[{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},{"jsonrpc":"2.0","method"]',
    expect: { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null },
  },
  {
    name: "empty array",
    send: "[]",
    expect: { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null },
  },
  {
    name: "invalid batch, not empty",
    send: "[1]",
    expect: [{ jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null }],
  },
  {
    name: "invalid batch",
    send: "[1,2,3]",
    expect: [1, 2, 3].map(() => ({
      jsonrpc: "2.0",
      error: { code: -32600, message: "Invalid Request" },
      id: null,
    })),
  },
  {
    name: "mixed batch",
    send: JSON.stringify([
      { jsonrpc: "2.0", method: "sum", params: [1, 2, 4], id: "1" },
      { jsonrpc: "2.0", method: "notify_hello", params: [7] },
      { jsonrpc: "2.0", method: "subtract", params: [42, 23], id: "2" },
      { foo: "boo" },
      { jsonrpc: "2.0", method: "foo.get", params: { name: "myself" }, id: "5" },
      { jsonrpc: "2.0", method: "get_data", id: "9" },
    ]),
    expect: [
      { jsonrpc: "2.0", result: 7, id: "1" },
      { jsonrpc: "2.0", result: 19, id: "2" },
      { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null },
      { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: "5" },
      { jsonrpc: "2.0", result: ["hello", 5], id: "9" },
    ],
  },
  {
    name: "all-notification batch",
    send: JSON.stringify([
      { jsonrpc: "2.0", method: "notify_sum", params: [1, 2, 4] },
      { jsonrpc: "2.0", method: "notify_hello", params: [7] },
    ]),
    expect: undefined,
  },
];

/** Batch responses may come in any order (spec §6): sort by a stable key before comparing. */
export function normalizeBatch(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
