import {
  type ChannelVersions,
  type Checkpoint,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  maxChannelVersion,
  type SerializerProtocol,
  TASKS,
} from "@langchain/langgraph-checkpoint";
import { EMPTY_BLOB_TYPE, loadMetadata, loadValue, type StoredCheckpoint } from "./serde.js";
import { RowKind, type TupleRow } from "./sql.js";

/**
 * Rebuilds checkpoint tuples from the rows of `selectTuples`: checkpoints, the blobs their channel versions
 * point at (shared between checkpoints, so looked up by key), their pending writes in replay order, and
 * the pending sends older checkpoints kept on their parent.
 */
export async function tuplesFromRows(
  rows: readonly TupleRow[],
  serde: SerializerProtocol,
  firstVersion: () => number,
): Promise<CheckpointTuple[]> {
  const tuples: PendingTuple[] = [];
  const byKey = new Map<string, PendingTuple>();
  const blobRows = new Map<string, TupleRow>();
  for (const row of rows) {
    switch (row.kind) {
      case RowKind.Checkpoint: {
        const pending: PendingTuple = { row, writes: [], parentSends: [] };
        tuples.push(pending);
        byKey.set(tupleKey(row.thread_id, row.checkpoint_ns, row.checkpoint_id), pending);
        break;
      }
      case RowKind.Blob:
        blobRows.set(blobKey(row.thread_id, row.checkpoint_ns, row.channel, row.key), row);
        break;
      case RowKind.Write:
        byKey.get(tupleKey(row.thread_id, row.checkpoint_ns, row.checkpoint_id))?.writes.push(row);
        break;
      case RowKind.ParentSend:
        byKey.get(tupleKey(row.thread_id, row.checkpoint_ns, row.checkpoint_id))?.parentSends.push(row);
        break;
    }
  }
  return Promise.all(tuples.map((pending) => buildTuple(pending, blobRows, serde, firstVersion)));
}

interface PendingTuple {
  row: TupleRow;
  writes: TupleRow[];
  parentSends: TupleRow[];
}

// NUL cannot occur in Postgres text, so it separates key parts unambiguously.
const tupleKey = (threadId: string, ns: string, checkpointId: string | null) =>
  `${threadId}\0${ns}\0${checkpointId}`;
const blobKey = (threadId: string, ns: string, channel: string | null, version: string | null) =>
  `${threadId}\0${ns}\0${channel}\0${version}`;

async function buildTuple(
  pending: PendingTuple,
  blobRows: Map<string, TupleRow>,
  serde: SerializerProtocol,
  firstVersion: () => number,
): Promise<CheckpointTuple> {
  const { row } = pending;
  const threadId = row.thread_id;
  const checkpointNs = row.checkpoint_ns;
  const loadRowValue = (r: TupleRow) => loadValue(serde, String(r.type), r.blob ?? new Uint8Array());
  // Checkpoint rows always carry their checkpoint (a NOT NULL column).
  const stored = row.checkpoint as StoredCheckpoint;
  const channelVersions: ChannelVersions = { ...(stored.channel_versions ?? {}) };
  const channelValues: Record<string, unknown> = {};
  await Promise.all(
    Object.entries(channelVersions).map(async ([channel, version]) => {
      const blob = blobRows.get(blobKey(threadId, checkpointNs, channel, String(version)));
      if (blob === undefined || blob.type === EMPTY_BLOB_TYPE || blob.type === null || blob.blob === null)
        return;
      channelValues[channel] = await loadValue(serde, blob.type, blob.blob);
    }),
  );
  if (pending.parentSends.length > 0) {
    // Format < 4 kept sends on the parent's writes; v4 reads them from the TASKS channel.
    channelValues[TASKS] = await Promise.all(pending.parentSends.map(loadRowValue));
    const versions = Object.values(channelVersions);
    channelVersions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : firstVersion();
  }
  const checkpoint: Checkpoint = {
    ...stored,
    channel_values: channelValues,
    channel_versions: channelVersions,
    versions_seen: stored.versions_seen ?? {},
  };
  const pendingWrites = await Promise.all(
    pending.writes.map(
      async (w): Promise<CheckpointPendingWrite> => [String(w.key), String(w.channel), await loadRowValue(w)],
    ),
  );
  const tuple: CheckpointTuple = {
    config: {
      configurable: { thread_id: threadId, checkpoint_ns: checkpointNs, checkpoint_id: row.checkpoint_id },
    },
    checkpoint,
    metadata: await loadMetadata(serde, row.metadata ?? "{}"),
    pendingWrites,
  };
  if (row.parent_checkpoint_id !== null) {
    tuple.parentConfig = {
      configurable: {
        thread_id: threadId,
        checkpoint_ns: checkpointNs,
        checkpoint_id: row.parent_checkpoint_id,
      },
    };
  }
  return tuple;
}
