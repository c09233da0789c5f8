import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointMetadata,
  type PendingWrite,
  type SerializerProtocol,
  WRITES_IDX_MAP,
} from "@langchain/langgraph-checkpoint";
import { CheckpointerError, CheckpointerErrorCode } from "./errors.js";

/**
 * Translation between LangGraph's objects and the rows of the checkpointer tables, through the saver's
 * `SerializerProtocol` (async in @langchain/langgraph-checkpoint 1.x). No SQL here.
 */

const utf8 = new TextDecoder();

/** Type tag of a blob row for a channel that has a version but no value (the official saver's convention). */
export const EMPTY_BLOB_TYPE = "empty";

export interface BlobRow {
  channel: string;
  version: string;
  type: string;
  blob: Uint8Array | null;
}

export interface WriteRow {
  taskId: string;
  taskPath: string;
  idx: number;
  channel: string;
  type: string;
  blob: Uint8Array;
}

/** The checkpoint as stored in its row: everything but the channel values, which go to blobs. */
export type StoredCheckpoint = Omit<Checkpoint, "channel_values">;

export function checkpointJson(checkpoint: Checkpoint): string {
  const { channel_values: _values, ...rest } = checkpoint;
  return JSON.stringify(rest);
}

/** Blob rows for the channels that changed in this checkpoint (`newVersions`), as the official saver stores. */
export async function dumpBlobs(
  serde: SerializerProtocol,
  values: Record<string, unknown>,
  newVersions: ChannelVersions,
): Promise<BlobRow[]> {
  return Promise.all(
    Object.entries(newVersions).map(async ([channel, version]): Promise<BlobRow> => {
      if (!Object.hasOwn(values, channel)) {
        return { channel, version: String(version), type: EMPTY_BLOB_TYPE, blob: null };
      }
      const [type, blob] = await serde.dumpsTyped(values[channel]);
      return { channel, version: String(version), type, blob };
    }),
  );
}

/**
 * Rows for `putWrites`. Special channels (ERROR, INTERRUPT, …) take their fixed negative index, so a later
 * call replaces them; within one call the last write of a special channel wins, as with MemorySaver
 * (one INSERT cannot touch the same key twice).
 */
export async function dumpWrites(
  serde: SerializerProtocol,
  writes: readonly PendingWrite[],
  taskId: string,
  taskPath: string,
): Promise<WriteRow[]> {
  const rows = await Promise.all(
    writes.map(async ([channel, value], position): Promise<WriteRow> => {
      const [type, blob] = await serde.dumpsTyped(value);
      return { taskId, taskPath, idx: WRITES_IDX_MAP[channel] ?? position, channel, type, blob };
    }),
  );
  const byIdx = new Map<number, WriteRow>();
  for (const row of rows) byIdx.set(row.idx, row);
  return [...byIdx.values()];
}

/**
 * Metadata as JSON text for the jsonb column (queried by `list({ filter })`), serialized by the saver's
 * serializer so that the same objects come back.
 */
export async function dumpMetadata(serde: SerializerProtocol, metadata: CheckpointMetadata): Promise<string> {
  const [type, bytes] = await serde.dumpsTyped(metadata);
  if (type !== "json") {
    throw new CheckpointerError(
      CheckpointerErrorCode.Serialization,
      `checkpoint metadata must serialize to JSON (it is stored as jsonb for list filters), got type "${type}"`,
    );
  }
  return stripNulCharacters(utf8.decode(bytes));
}

export async function loadMetadata(serde: SerializerProtocol, json: string): Promise<CheckpointMetadata> {
  return (await serde.loadsTyped("json", json)) as CheckpointMetadata;
}

export function loadValue(serde: SerializerProtocol, type: string, blob: Uint8Array): Promise<unknown> {
  // postgres.js returns bytea as a Buffer, PGlite as a Uint8Array. A value stored as raw bytes comes back
  // as those bytes unchanged, so it must come back as the plain Uint8Array that went in, on both drivers.
  const bytes = Buffer.isBuffer(blob) ? new Uint8Array(blob) : blob;
  return serde.loadsTyped(type, bytes);
}

/**
 * jsonb rejects the escape `\u0000`; the official saver drops NUL characters from metadata too. Only real
 * escapes are removed: a `\u0000` preceded by an odd number of backslashes is text, not an escape.
 */
export function stripNulCharacters(json: string): string {
  if (!json.includes("\\u0000")) return json;
  return json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1");
}
