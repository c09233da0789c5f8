// The embedded database's thread (docs/adr/0003): PGlite with pgvector runs here, so its WebAssembly and
// extension loading never touch the main isolate, and its queries never block the main event loop.
// Plain JavaScript, so the same file runs under tsx, vitest and from dist/ without a loader.
import { parentPort } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";

/** @type {PGlite | undefined} */
let pg;
/** Open transactions by id: the PGlite transaction and how to end it. */
const transactions = new Map();

// drizzle's parsers only keep the text of date and time types; they arrive as type OIDs.
const keepText = (value) => value;
function optionsOf(options) {
  if (!options) return undefined;
  const { keepTextOids, ...rest } = options;
  if (!keepTextOids) return rest;
  return { ...rest, parsers: Object.fromEntries(keepTextOids.map((oid) => [oid, keepText])) };
}

function sessionOf(tx) {
  if (tx === undefined) return pg;
  const open = transactions.get(tx);
  if (!open?.tx) throw new Error(`transaction ${tx} is not open`);
  return open.tx;
}

/** An error as plain fields: the main thread rebuilds it with the same message and SQLSTATE. */
function plainError(error) {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = { message: error.message, name: error.name };
  for (const [key, value] of Object.entries(error)) {
    if (value === undefined || typeof value === "function" || typeof value === "object") continue;
    fields[key] = value;
  }
  return fields;
}

function begin(id) {
  return new Promise((ready, failed) => {
    const entry = {};
    entry.finished = pg.transaction(
      (tx) =>
        new Promise((commit, rollback) => {
          entry.tx = tx;
          entry.commit = commit;
          entry.rollback = rollback;
          ready(null);
        }),
    );
    transactions.set(id, entry);
    // A transaction that could not even begin rejects before its callback runs; a later rejection (a
    // rollback) is awaited by end(), so this handler only reports the first kind.
    entry.finished.catch((error) => {
      if (!entry.tx) {
        transactions.delete(id);
        failed(error);
      }
    });
  });
}

async function end(id, commit) {
  const entry = transactions.get(id);
  if (!entry) throw new Error(`transaction ${id} is not open`);
  transactions.delete(id);
  if (commit) {
    entry.commit();
    await entry.finished;
  } else {
    entry.rollback(new Error("rolled back"));
    await entry.finished.catch(() => {});
  }
  return null;
}

async function handle(message) {
  switch (message.op) {
    case "open":
      pg = await PGlite.create({
        ...(message.dataDir ? { dataDir: message.dataDir } : {}),
        ...(message.loadDataDir ? { loadDataDir: new Blob([message.loadDataDir]) } : {}),
        extensions: { vector },
      });
      return null;
    case "query":
      return sessionOf(message.tx).query(message.text, message.params, optionsOf(message.options));
    case "exec":
      return sessionOf(message.tx).exec(message.text, optionsOf(message.options));
    case "begin":
      return begin(message.tx);
    case "commit":
      return end(message.tx, true);
    case "rollback":
      return end(message.tx, false);
    case "dump": {
      // Flush dirty pages first, so a database loaded from the dump need not start with WAL recovery.
      await pg.exec("checkpoint");
      const dump = await pg.dumpDataDir(message.compression);
      return await dump.arrayBuffer();
    }
    case "close":
      await pg?.close();
      return null;
    default:
      throw new Error(`unknown operation ${message.op}`);
  }
}

parentPort.on("message", (message) => {
  handle(message).then(
    (value) => {
      const transfer = value instanceof ArrayBuffer ? [value] : [];
      parentPort.postMessage({ id: message.id, ok: true, value }, transfer);
    },
    (error) => parentPort.postMessage({ id: message.id, ok: false, error: plainError(error) }),
  );
});
